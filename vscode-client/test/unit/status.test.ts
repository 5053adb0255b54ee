import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countDiagnostics, emptyCounts, scanSummary, statusText } from '../../src/common/status';

describe('countDiagnostics', () => {
    it("counts only Redline's diagnostics, by severity, and the files that have them", () => {
        const c = countDiagnostics(
            [
                [
                    { severity: 0, source: 'redline' },
                    { severity: 1, source: 'redline' },
                    { severity: 0, source: 'pylint' },
                ],
                [{ severity: 2, source: 'redline' }, { severity: 3, source: 'redline' }],
                [{ severity: 1, source: 'eslint' }],
                [],
            ],
            'redline',
        );
        assert.deepEqual(c, { error: 1, warning: 1, info: 1, hint: 1, files: 2 });
    });
});

describe('statusText', () => {
    it('shows the counts when running', () => {
        const s = statusText('running', { error: 2, warning: 1, info: 0, hint: 0, files: 1 });
        assert.equal(s.text, '$(shield) $(error) 2 $(warning) 1');
        assert.match(s.tooltip, /2 errors, 1 warning, 0 infos, 0 hints in 1 file/);
        assert.equal(s.warning, false);
    });
    it('shows a clean state', () => {
        assert.equal(statusText('running', emptyCounts()).text, '$(shield) 0');
    });
    it('warns when there is no server', () => {
        const s = statusText('not-found', emptyCounts(), 'PATH: no redline executable on PATH');
        assert.equal(s.warning, true);
        assert.match(s.tooltip, /no redline executable on PATH/);
    });
});

describe('scanSummary', () => {
    it("reads the server's summary and adds the totals", () => {
        const text = scanSummary(
            { files: 12, findings: 3, skipped: 1, errors: 0, cancelled: false, truncated: false },
            { error: 1, warning: 4, info: 0, hint: 2, files: 3 },
        );
        assert.equal(text, 'Redline: scanned 12 files, 3 findings in files that are not open, 1 skipped. In all: 1 error, 4 warnings, 2 other in 3 files.');
    });
    it('says when the scan was cancelled or the answer is not a summary', () => {
        assert.match(scanSummary({ cancelled: true, files: 2 }, emptyCounts()), /^Redline: workspace scan cancelled/);
        assert.match(scanSummary(null, emptyCounts()), /^Redline: workspace scanned\. In all: 0 errors/);
    });
});
