// Status bar text from diagnostic counts. Pure: severities are VS Code's numeric
// DiagnosticSeverity values (0 error, 1 warning, 2 information, 3 hint).

export interface Counts {
    error: number;
    warning: number;
    info: number;
    hint: number;
    files: number;
}

export type ServerState = 'starting' | 'running' | 'stopped' | 'not-found' | 'disabled' | 'failed';

export interface DiagnosticLike {
    severity: number;
    source?: string;
}

export function emptyCounts(): Counts {
    return { error: 0, warning: 0, info: 0, hint: 0, files: 0 };
}

/** Count the diagnostics of `source` over all files. */
export function countDiagnostics(perFile: Iterable<readonly DiagnosticLike[]>, source: string): Counts {
    const c = emptyCounts();
    for (const diagnostics of perFile) {
        let mine = 0;
        for (const d of diagnostics) {
            if (d.source !== source) {
                continue;
            }
            mine++;
            if (d.severity === 0) {
                c.error++;
            } else if (d.severity === 1) {
                c.warning++;
            } else if (d.severity === 2) {
                c.info++;
            } else {
                c.hint++;
            }
        }
        if (mine > 0) {
            c.files++;
        }
    }
    return c;
}

function plural(n: number, word: string): string {
    return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export interface StatusText {
    text: string;
    tooltip: string;
    warning: boolean;
}

export function statusText(state: ServerState, counts: Counts, detail?: string): StatusText {
    const icon = '$(shield)';
    switch (state) {
        case 'starting':
            return { text: `$(sync~spin) Redline`, tooltip: 'Redline: starting the server', warning: false };
        case 'disabled':
            return { text: `${icon} Redline: off`, tooltip: 'Redline is disabled (redline.enable)', warning: false };
        case 'stopped':
            return { text: `${icon} Redline: stopped`, tooltip: 'Redline: the server is stopped. Run "Redline: Restart Server".', warning: true };
        case 'not-found':
            return { text: `$(warning) Redline: no server`, tooltip: `Redline: no server found${detail ? `\n${detail}` : ''}`, warning: true };
        case 'failed':
            return { text: `$(warning) Redline: failed`, tooltip: `Redline: the server failed${detail ? `\n${detail}` : ''}`, warning: true };
        case 'running': {
            const total = counts.error + counts.warning + counts.info + counts.hint;
            const text = total === 0 ? `${icon} 0` : `${icon} $(error) ${counts.error} $(warning) ${counts.warning}${counts.info + counts.hint ? ` $(info) ${counts.info + counts.hint}` : ''}`;
            const tooltip =
                total === 0
                    ? 'Redline: no security findings in open files'
                    : `Redline: ${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.info, 'info')}, ${plural(counts.hint, 'hint')} in ${plural(counts.files, 'file')}`;
            return { text, tooltip: `${tooltip}${detail ? `\n${detail}` : ''}\nClick to show the Redline output`, warning: false };
        }
    }
}

/** The message after "Scan Workspace", from the summary the server answers with. */
export function scanSummary(result: unknown, counts: Counts): string {
    const r = (result && typeof result === 'object' ? result : {}) as Record<string, unknown>;
    const num = (k: string): number | undefined => (typeof r[k] === 'number' ? (r[k] as number) : undefined);
    const parts: string[] = [];
    const files = num('files');
    if (r.cancelled === true) {
        parts.push('Redline: workspace scan cancelled');
    } else {
        parts.push(files === undefined ? 'Redline: workspace scanned' : `Redline: scanned ${plural(files, 'file')}`);
    }
    const findings = num('findings');
    if (findings !== undefined) {
        parts.push(`${plural(findings, 'finding')} in files that are not open`);
    }
    const skipped = num('skipped');
    if (skipped) {
        parts.push(`${skipped} skipped`);
    }
    const errors = num('errors');
    if (errors) {
        parts.push(`${plural(errors, 'engine error')} (see the output)`);
    }
    if (r.truncated === true) {
        parts.push('stopped at the file limit');
    }
    const total = counts.error + counts.warning + counts.info + counts.hint;
    return `${parts.join(', ')}. In all: ${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${total - counts.error - counts.warning} other in ${plural(counts.files, 'file')}.`;
}
