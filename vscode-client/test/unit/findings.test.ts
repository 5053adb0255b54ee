import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sinceOpenItems } from '../../src/common/findings';

const a = 'file:///w/app.py';
const b = 'file:///w/lib/My%20File.py';

describe('findings since opened', () => {
    it('lists the findings, the active document first and each in line order', () => {
        const items = sinceOpenItems(
            {
                count: 3,
                documents: {
                    [a]: [{ rule: 'RL102', message: 'shell', severity: 'error', range: { start: { line: 9, character: 4 }, end: { line: 9, character: 9 } } }],
                    [b]: [
                        { rule: 'RL112', message: 'yaml', range: { start: { line: 20, character: 0 } }, block: 'b3' },
                        { rule: 'RL101', message: 'sql', range: { start: { line: 2, character: 8 } } },
                    ],
                },
            },
            b,
        );
        assert.deepEqual(
            items.map((i) => [i.uri, i.rule, i.start?.line, i.description]),
            [
                [b, 'RL101', 2, 'My File.py:3'],
                [b, 'RL112', 20, 'My File.py:21, inserted block'],
                [a, 'RL102', 9, 'app.py:10'],
            ],
        );
        assert.equal(items[2].label, 'RL102 shell');
        assert.equal(items[1].block, 'b3');
    });

    it('skips what it cannot read instead of failing', () => {
        assert.deepEqual(sinceOpenItems(undefined), []);
        assert.deepEqual(sinceOpenItems({ documents: 'x' }), []);
        const items = sinceOpenItems({ documents: { [a]: [null, { rule: 1 }, { rule: 'RL1', message: 'm', range: { start: { line: -1, character: 0 } } }], [b]: 'no' } });
        assert.equal(items.length, 1);
        assert.equal(items[0].start, undefined);
        assert.equal(items[0].description, 'app.py');
    });
});
