// Which `redline` to run. Pure apart from the injected probes, so the order is unit-tested.
//
// Order: the `redline.path` setting, the `redline.interpreter` setting, then (platform-specific
// .vsix only, which carries Redline and its libraries in bundled/libs/cpXY) the bundled copy run
// by the Python extension's interpreter or by the first Python 3.11+ on PATH, then the Python
// extension's active interpreter, `redline` on PATH. The first candidate that passes its probe
// wins; every rejected candidate leaves a reason, shown in the output channel and the notification.

export type CandidateKind = 'path-setting' | 'interpreter-setting' | 'bundled' | 'python-extension' | 'PATH';

export interface Candidate {
    kind: CandidateKind;
    /** What the user would recognise: the setting or source it came from. */
    origin: string;
    command: string;
    args: string[];
    /** The interpreter, for candidates that run `python -m redline`. */
    python?: string;
    /** For 'bundled': the folder of the extension's libraries (bundled/libs), then, once the
     * probe has matched the interpreter's version, the folder to put on PYTHONPATH. */
    libs?: string;
}

export interface DiscoveryInputs {
    pathSetting: string;
    interpreterSetting: string;
    /** The Python extension's active interpreter, if the extension is installed and has one. */
    pythonExtensionInterpreter?: string;
    /** The PATH environment variable and platform, to look `redline` up. */
    envPath: string;
    platform: string;
    pathExt?: string;
    /** bundled/libs of a platform-specific .vsix, when the extension carries one. */
    bundledLibs?: string;
}

export interface Probes {
    /** True when `file` exists and can be executed. */
    isExecutable(file: string): Promise<boolean>;
    /** True when `python` can import redline (without running workspace code). */
    hasRedlineModule(python: string): Promise<boolean>;
    /** The folder under `libs` (cpXY) built for `python`'s version, if it is 3.11+ and there is one. */
    bundledLibsFor?(python: string, libs: string): Promise<string | undefined>;
}

export interface Discovery {
    found?: Candidate;
    rejected: { candidate: Candidate | { kind: CandidateKind; origin: string }; reason: string }[];
}

/** `-P`: do not put the working directory (the workspace) on sys.path; Redline needs Python >= 3.11. */
export const MODULE_ARGS = ['-P', '-m', 'redline', 'lsp'];
export const EXECUTABLE_ARGS = ['lsp'];

/** Every place `redline` could be on PATH, in PATH order. */
export function pathLookups(envPath: string, platform: string, pathExt?: string): string[] {
    const windows = platform === 'win32';
    const sep = windows ? ';' : ':';
    const slash = windows ? '\\' : '/';
    const names = windows
        ? (pathExt ?? '.EXE;.CMD;.BAT')
              .split(';')
              .filter((e) => e)
              .map((e) => `redline${e.toLowerCase()}`)
        : ['redline'];
    const out: string[] = [];
    for (const dir of envPath.split(sep)) {
        const d = dir.trim().replace(/^"(.*)"$/, '$1');
        if (!d) {
            continue;
        }
        for (const name of names) {
            out.push(d.endsWith(slash) || d.endsWith('/') ? d + name : d + slash + name);
        }
    }
    return out;
}

/** Python interpreters on PATH for the bundled libraries, in PATH order (the first Python
 * 3.11+ found wins; the probe checks the version). */
export function pythonLookups(envPath: string, platform: string): string[] {
    const windows = platform === 'win32';
    const sep = windows ? ';' : ':';
    const slash = windows ? '\\' : '/';
    const names = windows ? ['python.exe', 'python3.exe'] : ['python3', 'python3.13', 'python3.12', 'python3.11', 'python'];
    const out: string[] = [];
    for (const dir of envPath.split(sep)) {
        const d = dir.trim().replace(/^"(.*)"$/, '$1');
        if (!d) {
            continue;
        }
        for (const name of names) {
            out.push(d.endsWith(slash) || d.endsWith('/') ? d + name : d + slash + name);
        }
    }
    return out;
}

/** The candidates in the order they are tried (PATH comes as one entry per directory). */
export function candidates(inputs: DiscoveryInputs): Candidate[] {
    const out: Candidate[] = [];
    if (inputs.pathSetting) {
        out.push({ kind: 'path-setting', origin: 'redline.path setting', command: inputs.pathSetting, args: EXECUTABLE_ARGS });
    }
    if (inputs.interpreterSetting) {
        const python = inputs.interpreterSetting;
        out.push({ kind: 'interpreter-setting', origin: 'redline.interpreter setting', command: python, args: MODULE_ARGS, python });
    }
    if (inputs.bundledLibs) {
        const libs = inputs.bundledLibs;
        const pythons = inputs.pythonExtensionInterpreter ? [inputs.pythonExtensionInterpreter] : [];
        pythons.push(...pythonLookups(inputs.envPath, inputs.platform));
        pythons.forEach((python, i) => {
            const origin =
                i === 0 && inputs.pythonExtensionInterpreter
                    ? "bundled Redline with the Python extension's interpreter"
                    : `bundled Redline with ${python}`;
            out.push({ kind: 'bundled', origin, command: python, args: MODULE_ARGS, python, libs });
        });
    }
    if (inputs.pythonExtensionInterpreter) {
        const python = inputs.pythonExtensionInterpreter;
        out.push({ kind: 'python-extension', origin: "Python extension's interpreter", command: python, args: MODULE_ARGS, python });
    }
    for (const file of pathLookups(inputs.envPath, inputs.platform, inputs.pathExt)) {
        out.push({ kind: 'PATH', origin: 'PATH', command: file, args: EXECUTABLE_ARGS });
    }
    return out;
}

/** Try the candidates in order; the first that passes its probe is the server. */
export async function discover(inputs: DiscoveryInputs, probes: Probes): Promise<Discovery> {
    const rejected: Discovery['rejected'] = [];
    let pathTried = false;
    let bundledTried = false;
    for (const candidate of candidates(inputs)) {
        if (candidate.kind === 'bundled' && candidate.python && candidate.libs) {
            const dir = probes.bundledLibsFor ? await probes.bundledLibsFor(candidate.python, candidate.libs) : undefined;
            if (dir) {
                return { found: { ...candidate, libs: dir }, rejected };
            }
            bundledTried = true;
            continue;
        }
        if (bundledTried) {
            // Every bundled candidate failed: say so once, before the usual discovery goes on.
            rejected.push({
                candidate: { kind: 'bundled', origin: 'bundled Redline' },
                reason: 'no Python 3.11+ interpreter matching the bundled libraries (Python extension or PATH)',
            });
            bundledTried = false;
        }
        if (candidate.python) {
            if (await probes.hasRedlineModule(candidate.python)) {
                return { found: candidate, rejected };
            }
            rejected.push({ candidate, reason: `${candidate.python} cannot import redline (or is not Python >= 3.11)` });
        } else if (await probes.isExecutable(candidate.command)) {
            return { found: candidate, rejected };
        } else if (candidate.kind === 'path-setting') {
            rejected.push({ candidate, reason: `${candidate.command} is not an executable file` });
        } else {
            pathTried = true;
        }
    }
    if (bundledTried) {
        rejected.push({ candidate: { kind: 'bundled', origin: 'bundled Redline' }, reason: 'no Python 3.11+ interpreter matching the bundled libraries' });
    }
    if (!inputs.pythonExtensionInterpreter) {
        rejected.push({ candidate: { kind: 'python-extension', origin: "Python extension's interpreter" }, reason: 'no Python extension or no interpreter selected' });
    }
    if (pathTried || !inputs.envPath) {
        rejected.push({ candidate: { kind: 'PATH', origin: 'PATH' }, reason: 'no redline executable on PATH' });
    }
    return { rejected };
}

/** One line per rejected candidate, for the output channel and the notification's detail. */
export function describeRejections(d: Discovery): string[] {
    return d.rejected.map((r) => `${r.candidate.origin}: ${r.reason}`);
}

/** The interpreter to offer "Install" into: the explicit setting, else the Python extension's. */
export function installTarget(inputs: DiscoveryInputs): string | undefined {
    return inputs.interpreterSetting || inputs.pythonExtensionInterpreter || undefined;
}

/** The shell command the "Install" button runs in a terminal. */
export function installCommand(python: string | undefined, platform: string, pkg: string): string {
    if (!python) {
        return `pipx install ${pkg}`;
    }
    const quoted = platform === 'win32' ? `& "${python}"` : `'${python.replace(/'/g, "'\\''")}'`;
    return `${quoted} -m pip install --upgrade ${pkg}`;
}

/** Python one-liner run by `bundledLibsFor`: prints the interpreter's tag (cp311) if it is 3.11+. */
export const PYTHON_TAG_CODE = 'import sys; v = sys.version_info; sys.exit(1) if v < (3, 11) else print(f"cp{v[0]}{v[1]}")';

/** Python one-liner run by `hasRedlineModule`: finds the package without importing it. */
export const FIND_MODULE_CODE =
    'import sys, importlib.util; sys.exit(0 if sys.version_info >= (3, 11) and importlib.util.find_spec("redline") else 1)';
