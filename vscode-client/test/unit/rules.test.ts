import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRuleCode, ruleFromArgument, uniqueRules } from '../../src/common/rules';

const range = { contains: () => true };

describe('rules', () => {
    it('recognises rule codes', () => {
        assert.equal(isRuleCode('RL101'), true);
        assert.equal(isRuleCode(' rl101 '), true);
        assert.equal(isRuleCode('RL1'), false);
        assert.equal(isRuleCode('B608'), false);
    });

    it('reads the code and documentation link of Redline diagnostics only', () => {
        const rules = uniqueRules(
            [
                { source: 'redline', code: { value: 'RL101', target: { toString: () => 'https://docs/RL101' } }, message: 'sql', range },
                { source: 'redline', code: 'RL102', message: 'cmd', range },
                { source: 'redline', code: 'RL101', message: 'again', range },
                { source: 'ruff', code: 'S608', message: 'other', range },
            ],
            'redline',
        );
        assert.deepEqual(rules, [
            { code: 'RL101', href: 'https://docs/RL101', message: 'sql' },
            { code: 'RL102', message: 'cmd' },
        ]);
    });

    it('takes a code, a diagnostic or { code } as the command argument', () => {
        assert.deepEqual(ruleFromArgument('rl205', 'redline'), { code: 'RL205' });
        assert.deepEqual(ruleFromArgument({ code: 'RL301', href: 'h' }, 'redline'), { code: 'RL301', href: 'h' });
        assert.deepEqual(ruleFromArgument({ source: 'redline', code: 'RL102', message: 'm', range }, 'redline'), {
            code: 'RL102',
            message: 'm',
        });
        assert.equal(ruleFromArgument('hello', 'redline'), undefined);
        assert.equal(ruleFromArgument(undefined, 'redline'), undefined);
    });
});
