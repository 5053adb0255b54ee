// Wiring only: the log, the status bar, the commands, and the listeners that restart the server.
import { commands, ExtensionContext, workspace } from 'vscode';
import { registerCommands } from './common/commands';
import { CONFIG_SECTION, CONTEXT_SERVER_RUNNING } from './common/constants';
import { createLog, traceInfo } from './common/log';
import { notifyNoServer } from './common/notify';
import { onDidChangePythonInterpreter, watchPythonInterpreter } from './common/python';
import { RedlineServer } from './common/server';
import { needsRestart } from './common/settings';
import { StatusBar } from './common/statusBar';

let server: RedlineServer | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
    const log = createLog();
    const status = new StatusBar();
    server = new RedlineServer();
    const s = server;
    let notified = false;
    context.subscriptions.push(log, status, s);
    traceInfo(`Redline ${context.extension.packageJSON.version as string} activated.`);

    context.subscriptions.push(
        s.onDidChangeState((change) => {
            status.setState(change.state, change.detail);
            void commands.executeCommand('setContext', CONTEXT_SERVER_RUNNING, change.state === 'running');
            if (change.state === 'running') {
                notified = false; // a later failure gets its own notification
            } else if ((change.state === 'not-found' || change.state === 'failed') && !notified) {
                notified = true; // one notification, until the server runs again or the user restarts it
                void notifyNoServer(change.state, change.detail, change.inputs, () => s.restart('installed'));
            }
        }),
        ...registerCommands(s, () => {
            notified = false;
        }),
        workspace.onDidChangeConfiguration((e) => {
            if (e.affectsConfiguration(CONFIG_SECTION)) {
                void s.onConfigurationChanged(e, needsRestart((section) => e.affectsConfiguration(section)));
            }
        }),
        onDidChangePythonInterpreter(() => {
            // Only matters when the server comes from the Python extension's interpreter or was not found.
            const kind = s.serverCommand?.kind;
            if (kind === undefined || kind === 'python-extension') {
                void s.restart('Python interpreter changed');
            }
        }),
    );
    // Do not hold up activation (and the editor) while the server starts.
    void watchPythonInterpreter(context.subscriptions).then(() => s.restart('activation'));
}

export async function deactivate(): Promise<void> {
    await server?.stop();
}
