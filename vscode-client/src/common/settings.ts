// Extension settings: read them (through a minimal view of WorkspaceConfiguration, so that this
// module needs no `vscode` at run time) and map them to the keys the server's
// `redline.config.from_mapping` accepts (camelCase, normalised there).

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type Confidence = 'high' | 'medium' | 'low';
export type Trace = 'off' | 'messages' | 'verbose';

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'hint'];
export const CONFIDENCES: readonly Confidence[] = ['high', 'medium', 'low'];
export const ENGINES: readonly string[] = ['redline', 'secrets', 'bandit', 'detect-secrets', 'dependencies', 'registry'];

/** Settings only the client uses; changing one of them restarts the server. */
export const CLIENT_KEYS = ['enable', 'path', 'interpreter', 'trace.server'] as const;
/** Settings the server reads (initializationOptions and workspace/configuration). */
export const SERVER_KEYS = [
    'select',
    'ignore',
    'minSeverity',
    'minConfidence',
    'engines',
    'online',
    'configurationPreference',
    'configFile',
    'scanWorkspaceOnStartup',
    'logLevel',
    'reviewLens',
    'reviewLensMinLines',
] as const;
export const PREFERENCES = ['editorFirst', 'filesystemFirst', 'editorOnly'] as const;
export const LOG_LEVELS = ['error', 'warning', 'info', 'debug'] as const;

/** What `WorkspaceConfiguration.inspect` returns, reduced to what we use. */
export interface Inspected<T> {
    defaultValue?: T;
    globalValue?: T;
    workspaceValue?: T;
    workspaceFolderValue?: T;
}

/** The part of `vscode.WorkspaceConfiguration` this module needs. */
export interface ConfigurationView {
    get<T>(key: string): T | undefined;
    inspect<T>(key: string): Inspected<T> | undefined;
}

export interface ClientSettings {
    enable: boolean;
    path: string;
    interpreter: string;
    trace: Trace;
}

/** Only what the user set explicitly; the server keeps its own defaults and project file for the rest. */
export interface ServerSettings {
    select?: string[];
    ignore?: string[];
    minSeverity?: Severity;
    minConfidence?: Confidence;
    engines?: Record<string, boolean>;
    online?: boolean;
    configurationPreference?: (typeof PREFERENCES)[number];
    configFile?: string;
    scanWorkspaceOnStartup?: boolean;
    logLevel?: (typeof LOG_LEVELS)[number];
    reviewLens?: boolean;
    reviewLensMinLines?: number;
}

export interface Mapped<T> {
    value: T;
    problems: string[];
}

/** The value the user set at the most specific level (folder, workspace, user), or undefined. */
export function explicitValue<T>(inspected: Inspected<T> | undefined): T | undefined {
    if (!inspected) {
        return undefined;
    }
    return inspected.workspaceFolderValue ?? inspected.workspaceValue ?? inspected.globalValue;
}

export function readClientSettings(config: ConfigurationView): ClientSettings {
    const str = (key: string): string => {
        const v = config.get<unknown>(key);
        return typeof v === 'string' ? v.trim() : '';
    };
    const trace = config.get<unknown>('trace.server');
    return {
        enable: config.get<unknown>('enable') !== false,
        path: str('path'),
        interpreter: str('interpreter'),
        trace: trace === 'messages' || trace === 'verbose' ? trace : 'off',
    };
}

function stringList(key: string, value: unknown, problems: string[]): string[] | undefined {
    if (typeof value === 'string') {
        value = value.split(/[\s,]+/);
    }
    if (!Array.isArray(value)) {
        problems.push(`redline.${key}: expected a list of rule codes or names; ignored`);
        return undefined;
    }
    const out: string[] = [];
    for (const item of value) {
        if (typeof item === 'string' && item.trim()) {
            out.push(item.trim());
        } else if (typeof item !== 'string') {
            problems.push(`redline.${key}: ${JSON.stringify(item)} is not a rule code or name; ignored`);
        }
    }
    return out;
}

function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[], problems: string[]): T | undefined {
    const found = typeof value === 'string' ? allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase()) : undefined;
    if (found !== undefined) {
        return found;
    }
    problems.push(`redline.${key}: expected one of ${allowed.join(', ')}; ignored`);
    return undefined;
}

function engineSwitches(value: unknown, problems: string[]): Record<string, boolean> | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push('redline.engines: expected an object like { "bandit": false }; ignored');
        return undefined;
    }
    const out: Record<string, boolean> = {};
    for (const [name, on] of Object.entries(value as Record<string, unknown>)) {
        if (!ENGINES.includes(name)) {
            problems.push(`redline.engines.${name}: unknown engine (known: ${ENGINES.join(', ')}); ignored`);
        } else if (typeof on !== 'boolean') {
            problems.push(`redline.engines.${name}: expected true or false; ignored`);
        } else {
            out[name] = on;
        }
    }
    return out;
}

/**
 * The server settings of one scope: only keys the user set explicitly, validated key by key (a bad
 * value is reported in `problems` and left out, the valid rest is kept).
 */
export function readServerSettings(config: ConfigurationView, expand: (path: string) => string = (p) => p): Mapped<ServerSettings> {
    const problems: string[] = [];
    const out: ServerSettings = {};
    const set = (key: (typeof SERVER_KEYS)[number]): unknown => explicitValue(config.inspect<unknown>(key));

    const select = set('select');
    if (select !== undefined) {
        const v = stringList('select', select, problems);
        if (v !== undefined && v.length > 0) {
            out.select = v;
        }
    }
    const ignore = set('ignore');
    if (ignore !== undefined) {
        const v = stringList('ignore', ignore, problems);
        if (v !== undefined && v.length > 0) {
            out.ignore = v;
        }
    }
    const minSeverity = set('minSeverity');
    if (minSeverity !== undefined) {
        const v = oneOf('minSeverity', minSeverity, SEVERITIES, problems);
        if (v) {
            out.minSeverity = v;
        }
    }
    const minConfidence = set('minConfidence');
    if (minConfidence !== undefined) {
        const v = oneOf('minConfidence', minConfidence, CONFIDENCES, problems);
        if (v) {
            out.minConfidence = v;
        }
    }
    const engines = set('engines');
    if (engines !== undefined) {
        const v = engineSwitches(engines, problems);
        if (v && Object.keys(v).length > 0) {
            out.engines = v;
        }
    }
    for (const key of ['online', 'scanWorkspaceOnStartup', 'reviewLens'] as const) {
        const v = set(key);
        if (v !== undefined) {
            if (typeof v === 'boolean') {
                out[key] = v;
            } else {
                problems.push(`redline.${key}: expected true or false; ignored`);
            }
        }
    }
    const preference = set('configurationPreference');
    if (preference !== undefined) {
        const v = oneOf('configurationPreference', preference, PREFERENCES, problems);
        if (v) {
            out.configurationPreference = v;
        }
    }
    const logLevel = set('logLevel');
    if (logLevel !== undefined) {
        const v = oneOf('logLevel', logLevel, LOG_LEVELS, problems);
        if (v) {
            out.logLevel = v;
        }
    }
    const minLines = set('reviewLensMinLines');
    if (minLines !== undefined) {
        if (typeof minLines === 'number' && Number.isInteger(minLines) && minLines >= 1) {
            out.reviewLensMinLines = minLines;
        } else {
            problems.push('redline.reviewLensMinLines: expected a whole number of at least 1; ignored');
        }
    }
    const configFile = set('configFile');
    if (configFile !== undefined) {
        if (typeof configFile !== 'string') {
            problems.push('redline.configFile: expected a path; ignored');
        } else if (configFile.trim()) {
            out.configFile = expand(configFile);
        }
    }
    return { value: out, problems };
}

/**
 * Keys sent before and absent now: the server keeps values it was started with for some keys, so
 * dropping one needs a restart rather than a didChangeConfiguration.
 */
export function droppedKeys(before: ServerSettings, after: ServerSettings): string[] {
    return Object.keys(before).filter((k) => !(k in after));
}

/** True when a change of these settings needs a new server process (not just new configuration). */
export function needsRestart(affects: (section: string) => boolean): boolean {
    return CLIENT_KEYS.some((key) => affects(`redline.${key}`));
}

/** Expand `${workspaceFolder}`, `${userHome}`, `${env:NAME}` and a leading `~` in a path setting. */
export function expandPath(
    value: string,
    vars: { workspaceFolder?: string; home: string; env: Record<string, string | undefined> },
): string {
    let out = value.trim();
    if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) {
        out = vars.home + out.slice(1);
    }
    return out.replace(/\$\{(workspaceFolder|userHome|env:([A-Za-z_][A-Za-z0-9_]*))\}/g, (whole, name: string, envName?: string) => {
        if (name === 'userHome') {
            return vars.home;
        }
        if (name === 'workspaceFolder') {
            return vars.workspaceFolder ?? whole;
        }
        return envName ? (vars.env[envName] ?? '') : whole;
    });
}
