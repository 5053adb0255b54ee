// The Python extension's active interpreter, through its published API (@vscode/python-extension).
// Missing extension or no interpreter is not an error: discovery then goes on to PATH.
import { PythonExtension } from '@vscode/python-extension';
import { Disposable, Event, EventEmitter, extensions, Uri } from 'vscode';
import { PYTHON_EXTENSION_ID } from './constants';
import { traceInfo, traceWarn } from './log';

const changed = new EventEmitter<void>();
/** Fires when the user selects another interpreter in the Python extension. */
export const onDidChangePythonInterpreter: Event<void> = changed.event;

async function api(): Promise<PythonExtension | undefined> {
    if (!extensions.getExtension(PYTHON_EXTENSION_ID)) {
        return undefined;
    }
    try {
        return await PythonExtension.api();
    } catch (e) {
        traceWarn(`Python extension API unavailable: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
    }
}

/** Subscribe to interpreter changes (once, at activation). */
export async function watchPythonInterpreter(disposables: Disposable[]): Promise<void> {
    const python = await api();
    if (python) {
        disposables.push(python.environments.onDidChangeActiveEnvironmentPath(() => changed.fire()));
    }
    let present = extensions.getExtension(PYTHON_EXTENSION_ID) !== undefined;
    disposables.push(
        extensions.onDidChange(() => {
            // Only when the Python extension itself was installed, enabled or removed.
            const now = extensions.getExtension(PYTHON_EXTENSION_ID) !== undefined;
            if (now !== present) {
                present = now;
                changed.fire();
            }
        }),
    );
}

/** The path of the active interpreter for `resource`, if the Python extension has one. */
export async function activePythonInterpreter(resource?: Uri): Promise<string | undefined> {
    const python = await api();
    if (!python) {
        return undefined;
    }
    try {
        const envPath = python.environments.getActiveEnvironmentPath(resource);
        const env = await python.environments.resolveEnvironment(envPath);
        const exe = env?.executable.uri?.fsPath;
        if (exe) {
            traceInfo(`Python extension interpreter: ${exe}`);
        }
        return exe;
    } catch (e) {
        traceWarn(`Could not resolve the Python extension's interpreter: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
    }
}
