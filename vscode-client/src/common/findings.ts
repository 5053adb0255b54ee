// "Findings Since Opened": the server's answer to redline.findingsSinceOpen as Quick Pick items.
// Pure: no `vscode` at run time, so it is unit-tested.

export interface Position {
    line: number;
    character: number;
}

export interface FindingItem {
    uri: string;
    rule: string;
    message: string;
    severity?: string;
    start?: Position;
    /** The inserted block it lies in (redline.showBlockFindings), if any. */
    block?: string;
    label: string;
    description: string;
}

function isPosition(p: unknown): p is Position {
    const o = p as Position | undefined;
    return !!o && Number.isInteger(o.line) && Number.isInteger(o.character) && o.line >= 0 && o.character >= 0;
}

function baseName(uri: string): string {
    const tail = uri.replace(/[?#].*$/, '').split('/').pop() ?? uri;
    try {
        return decodeURIComponent(tail);
    } catch {
        return tail;
    }
}

/**
 * The findings of `{documents: {uri: [{rule, message, severity, range, block}]}, count}`, in
 * document order, with the active document's first. Anything malformed is skipped, never thrown.
 */
export function sinceOpenItems(result: unknown, activeUri?: string): FindingItem[] {
    const docs = (result as { documents?: unknown } | undefined)?.documents;
    if (!docs || typeof docs !== 'object') {
        return [];
    }
    const uris = Object.keys(docs).sort((a, b) => Number(b === activeUri) - Number(a === activeUri) || a.localeCompare(b));
    const out: FindingItem[] = [];
    for (const uri of uris) {
        const list = (docs as Record<string, unknown>)[uri];
        if (!Array.isArray(list)) {
            continue;
        }
        const items: FindingItem[] = [];
        for (const f of list as Record<string, unknown>[]) {
            if (!f || typeof f.rule !== 'string' || typeof f.message !== 'string') {
                continue;
            }
            const start = (f.range as { start?: unknown } | undefined)?.start;
            const pos = isPosition(start) ? start : undefined;
            const block = typeof f.block === 'string' ? f.block : undefined;
            const where = `${baseName(uri)}${pos ? `:${pos.line + 1}` : ''}`;
            items.push({
                uri,
                rule: f.rule,
                message: f.message,
                severity: typeof f.severity === 'string' ? f.severity : undefined,
                start: pos,
                block,
                label: `${f.rule} ${f.message}`,
                description: block ? `${where}, inserted block` : where,
            });
        }
        items.sort((a, b) => (a.start?.line ?? -1) - (b.start?.line ?? -1) || (a.start?.character ?? 0) - (b.start?.character ?? 0));
        out.push(...items);
    }
    return out;
}
