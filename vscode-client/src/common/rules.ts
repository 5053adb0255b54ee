// Which rule the user means, for "Show Rule Documentation". Pure: no `vscode` at run time.

export interface RuleDiagnostic {
    source?: string;
    code?: string | number | { value: string | number; target: { toString(): string } };
    message: string;
    range: { contains(position: unknown): boolean };
}

export interface RuleRef {
    code: string;
    /** The documentation link the server put in the diagnostic (codeDescription.href). */
    href?: string;
    message?: string;
}

const CODE = /^RL\d{3}$/;

export function isRuleCode(value: string): boolean {
    return CODE.test(value.trim().toUpperCase());
}

/** The rule code and link of a diagnostic, if it is Redline's. */
export function ruleOf(d: RuleDiagnostic, source: string): RuleRef | undefined {
    if (d.source !== source || d.code === undefined) {
        return undefined;
    }
    if (typeof d.code === 'object') {
        return { code: String(d.code.value), href: d.code.target.toString(), message: d.message };
    }
    return { code: String(d.code), message: d.message };
}

/** The rules of the diagnostics, de-duplicated by code, in order of first appearance. */
export function uniqueRules(diagnostics: readonly RuleDiagnostic[], source: string): RuleRef[] {
    const seen = new Map<string, RuleRef>();
    for (const d of diagnostics) {
        const r = ruleOf(d, source);
        if (r && !seen.has(r.code)) {
            seen.set(r.code, r);
        }
    }
    return [...seen.values()];
}

/** The command argument as a rule: a code string, a diagnostic, or `{ code }`. */
export function ruleFromArgument(arg: unknown, source: string): RuleRef | undefined {
    if (typeof arg === 'string' && isRuleCode(arg)) {
        return { code: arg.trim().toUpperCase() };
    }
    if (arg && typeof arg === 'object') {
        const o = arg as Record<string, unknown>;
        if ('range' in o && 'message' in o) {
            return ruleOf(o as unknown as RuleDiagnostic, source);
        }
        if (typeof o.code === 'string' && isRuleCode(o.code)) {
            return { code: o.code.trim().toUpperCase(), href: typeof o.href === 'string' ? o.href : undefined };
        }
    }
    return undefined;
}
