// The one notification shown when no server can be found or started.
import { commands, TerminalShellIntegration, window } from 'vscode';
import { PYPI_PACKAGE } from './constants';
import { DiscoveryInputs, installCommand, installTarget } from './discovery';
import { outputChannel, traceInfo } from './log';

const OPEN_SETTINGS = 'Open settings';
const INSTALL = 'Install';
const SHOW_OUTPUT = 'Show output';

/** Open a terminal that installs Redline into the interpreter we know, then restart when it ends. */
async function install(inputs: DiscoveryInputs | undefined, restart: () => Promise<void>): Promise<void> {
    const python = inputs ? installTarget(inputs) : undefined;
    const command = installCommand(python, process.platform, PYPI_PACKAGE);
    traceInfo(`Install: ${command}`);
    const terminal = window.createTerminal({ name: 'Redline: install' });
    terminal.show();
    const integration =
        terminal.shellIntegration ??
        (await new Promise<TerminalShellIntegration | undefined>((resolve) => {
            const timer = setTimeout(() => {
                listener.dispose();
                resolve(undefined);
            }, 5000);
            const listener = window.onDidChangeTerminalShellIntegration((e) => {
                if (e.terminal === terminal) {
                    clearTimeout(timer);
                    listener.dispose();
                    resolve(e.shellIntegration);
                }
            });
        }));
    if (!integration) {
        terminal.sendText(command, true);
        void window.showInformationMessage('Redline: run "Redline: Restart Server" when the installation has finished.');
        return;
    }
    const execution = integration.executeCommand(command);
    const done = window.onDidEndTerminalShellExecution((e) => {
        if (e.execution === execution) {
            done.dispose();
            if (e.exitCode === 0) {
                void restart();
            }
        }
    });
}

export async function notifyNoServer(
    kind: 'not-found' | 'failed',
    detail: string | undefined,
    inputs: DiscoveryInputs | undefined,
    restart: () => Promise<void>,
): Promise<void> {
    const message =
        kind === 'not-found'
            ? 'Redline: no language server found. Set "redline.path" or "redline.interpreter", select a Python interpreter that has Redline, or install it.'
            : `Redline: the language server did not start${detail ? ` (${detail.split('\n')[0]})` : ''}.`;
    const buttons = kind === 'not-found' ? [OPEN_SETTINGS, INSTALL] : [OPEN_SETTINGS, INSTALL, SHOW_OUTPUT];
    const choice = await window.showWarningMessage(message, ...buttons);
    if (choice === OPEN_SETTINGS) {
        await commands.executeCommand('workbench.action.openSettings', '@ext:redline.redline');
    } else if (choice === INSTALL) {
        await install(inputs, restart);
    } else if (choice === SHOW_OUTPUT) {
        outputChannel()?.show(true);
    }
}
