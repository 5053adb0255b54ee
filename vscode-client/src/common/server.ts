// Find the server, start it with vscode-languageclient, restart it when its settings or the
// Python interpreter change, and report its state. Discovery order: see discovery.ts.
import { ChildProcess, execFile } from 'node:child_process';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
    ConfigurationChangeEvent,
    Disposable,
    EventEmitter,
    Uri,
    workspace,
    WorkspaceFolder,
} from 'vscode';
import {
    CloseAction,
    DidChangeConfigurationNotification,
    ErrorAction,
    ExecuteCommandRequest,
    LanguageClient,
    LanguageClientOptions,
    RevealOutputChannelOn,
    ServerOptions,
    State,
    TransportKind,
} from 'vscode-languageclient/node';
import { CLIENT_ID, COMMANDS, CONFIG_SECTION, documentSelector, EXTENSION_NAME, SERVER_COMMANDS } from './constants';
import { Candidate, describeRejections, discover, Discovery, DiscoveryInputs, FIND_MODULE_CODE, Probes, PYTHON_TAG_CODE } from './discovery';
import { outputChannel, traceError, traceInfo, traceWarn } from './log';
import { activePythonInterpreter } from './python';
import { ClientSettings, droppedKeys, expandPath, readClientSettings, readServerSettings, ServerSettings } from './settings';
import { ServerState } from './status';

/** Client commands that the server may also advertise: the client owns them (and forwards). */
const CLIENT_OWNED_COMMANDS = new Set<string>([
    SERVER_COMMANDS.scanWorkspace,
    COMMANDS.showRule,
    COMMANDS.fixAll,
    COMMANDS.restart,
    COMMANDS.findingsSinceOpen,
]);
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 3 * 60 * 1000;

export const nodeProbes: Probes = {
    async isExecutable(file: string): Promise<boolean> {
        try {
            const st = await fs.stat(file);
            if (!st.isFile()) {
                return false;
            }
            await fs.access(file, process.platform === 'win32' ? fsConstants.F_OK : fsConstants.X_OK);
            return true;
        } catch {
            return false;
        }
    },
    async bundledLibsFor(python: string, libs: string): Promise<string | undefined> {
        // The interpreter's version tag, then bundled/libs/<tag> if the .vsix carries that version.
        const tag = await new Promise<string | undefined>((resolve) => {
            execFile(python, ['-P', '-c', PYTHON_TAG_CODE], { cwd: os.tmpdir(), timeout: 15000, windowsHide: true }, (error, stdout) =>
                resolve(error ? undefined : String(stdout).trim()),
            );
        });
        if (!tag || !/^cp3\d+$/.test(tag)) {
            return undefined;
        }
        const dir = path.join(libs, tag);
        try {
            return (await fs.stat(path.join(dir, 'redline'))).isDirectory() ? dir : undefined;
        } catch {
            return undefined;
        }
    },
    hasRedlineModule(python: string): Promise<boolean> {
        // Run outside the workspace with -P, so that nothing in the workspace is imported.
        return new Promise((resolve) => {
            execFile(python, ['-P', '-c', FIND_MODULE_CODE], { cwd: os.tmpdir(), timeout: 15000, windowsHide: true }, (error) =>
                resolve(!error),
            );
        });
    },
};

/** bundled/libs next to dist/ in a platform-specific .vsix (scripts/bundle-python.py), else undefined. */
async function bundledLibsRoot(): Promise<string | undefined> {
    const libs = path.join(__dirname, '..', 'bundled', 'libs');
    try {
        return (await fs.stat(libs)).isDirectory() ? libs : undefined;
    } catch {
        return undefined;
    }
}

export function firstFolder(): WorkspaceFolder | undefined {
    return workspace.workspaceFolders?.[0];
}

function clientSettings(scope?: WorkspaceFolder | Uri): ClientSettings {
    return readClientSettings(workspace.getConfiguration(CONFIG_SECTION, scope));
}

export function serverSettings(scope?: WorkspaceFolder | Uri): ServerSettings {
    const folder = scope instanceof Uri ? workspace.getWorkspaceFolder(scope) : (scope ?? firstFolder());
    const vars = { workspaceFolder: folder?.uri.fsPath, home: os.homedir(), env: process.env };
    const mapped = readServerSettings(workspace.getConfiguration(CONFIG_SECTION, scope), (p) => expandPath(p, vars));
    for (const problem of mapped.problems) {
        traceWarn(problem);
    }
    return mapped.value;
}

function isEnabledFor(uri: Uri): boolean {
    return clientSettings(workspace.getWorkspaceFolder(uri) ?? uri).enable;
}

export interface StateChange {
    state: ServerState;
    detail?: string;
    discovery?: Discovery;
    inputs?: DiscoveryInputs;
}

/**
 * The language client, with two changes to vscode-languageclient's failure handling: its own
 * "couldn't create connection" / "connection closed" notifications are left to the extension's
 * single notification (the details still go to the output channel), and a server that failed to
 * initialize is killed instead of left running (the library cannot stop a client that never ran).
 */
class RedlineLanguageClient extends LanguageClient {
    override error(message: string, data?: unknown, showNotification?: boolean | 'force'): void {
        super.error(message, data, showNotification === 'force' ? false : showNotification);
    }

    override async stop(timeout?: number): Promise<void> {
        try {
            await super.stop(timeout);
        } catch (e) {
            traceWarn(`Stopping the client: ${e instanceof Error ? e.message : String(e)}`);
            this.killServer();
        }
    }

    private get serverProcess(): ChildProcess | undefined {
        return (this as unknown as { _serverProcess?: ChildProcess })._serverProcess;
    }

    /** False once the server process has exited (or was never started). */
    serverAlive(): boolean {
        const p = this.serverProcess;
        return p !== undefined && p.exitCode === null && p.signalCode === null;
    }

    killServer(): void {
        const p = this.serverProcess;
        if (p && p.exitCode === null && !p.killed) {
            p.kill();
        }
    }
}

/** One Redline server for the whole window (it handles every workspace folder). */
export class RedlineServer implements Disposable {
    private client: RedlineLanguageClient | undefined;
    private candidate: Candidate | undefined;
    private readonly disposables: Disposable[] = [];
    private clientDisposables: Disposable[] = [];
    private readonly stateEmitter = new EventEmitter<StateChange>();
    readonly onDidChangeState = this.stateEmitter.event;
    private restarts: number[] = [];
    private queue: Promise<void> = Promise.resolve();
    private current: StateChange = { state: 'stopped' };
    private sent: ServerSettings = {};
    private lastInputs: DiscoveryInputs | undefined;
    /** Set while vscode-languageclient restarts a crashed server (it reports Stopped meanwhile). */
    private restarting = false;

    get state(): StateChange {
        return this.current;
    }

    get languageClient(): LanguageClient | undefined {
        return this.client?.state === State.Running ? this.client : undefined;
    }

    get serverCommand(): Candidate | undefined {
        return this.candidate;
    }

    private setState(change: StateChange): void {
        this.current = change;
        this.stateEmitter.fire(change);
    }

    /** (Re)start; calls are serialised so that two quick restarts never run two servers. */
    restart(reason: string): Promise<void> {
        this.queue = this.queue.then(
            () => this.doRestart(reason),
            () => this.doRestart(reason),
        );
        return this.queue;
    }

    stop(): Promise<void> {
        this.queue = this.queue.then(() => this.doStop());
        return this.queue;
    }

    /** Settings changed: restart for client settings, otherwise push the new configuration. */
    async onConfigurationChanged(e: ConfigurationChangeEvent, needsRestart: boolean): Promise<void> {
        if (!e.affectsConfiguration(CONFIG_SECTION)) {
            return;
        }
        const next = serverSettings(firstFolder());
        if (needsRestart || droppedKeys(this.sent, next).length > 0) {
            await this.restart('settings changed');
        } else if (this.client?.state === State.Running) {
            this.sent = next;
            await this.client.sendNotification(DidChangeConfigurationNotification.type, { settings: { [CONFIG_SECTION]: next } });
        }
    }

    /** Run a command on the server (workspace/executeCommand). */
    async executeServerCommand(command: string, args: unknown[] = []): Promise<unknown> {
        const client = this.languageClient;
        if (!client) {
            throw new Error('the Redline server is not running');
        }
        return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
    }

    /** True when the server advertises `command` in executeCommandProvider. */
    serverHasCommand(command: string): boolean {
        return this.client?.initializeResult?.capabilities.executeCommandProvider?.commands.includes(command) ?? false;
    }

    private async doStop(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        this.candidate = undefined;
        this.clientDisposables.forEach((d) => d.dispose());
        this.clientDisposables = [];
        if (client) {
            if (client.needsStop()) {
                await client.stop(5000);
            }
            client.killServer();
            await client.dispose().catch(() => undefined);
        }
    }

    private async discoveryInputs(folder: WorkspaceFolder | undefined): Promise<DiscoveryInputs> {
        const s = clientSettings(folder);
        const vars = { workspaceFolder: folder?.uri.fsPath, home: os.homedir(), env: process.env };
        return {
            pathSetting: s.path ? expandPath(s.path, vars) : '',
            interpreterSetting: s.interpreter ? expandPath(s.interpreter, vars) : '',
            pythonExtensionInterpreter: await activePythonInterpreter(folder?.uri),
            envPath: process.env.PATH ?? '',
            platform: process.platform,
            pathExt: process.env.PATHEXT,
            bundledLibs: await bundledLibsRoot(),
        };
    }

    private async doRestart(reason: string): Promise<void> {
        await this.doStop();
        const folder = firstFolder();
        if (!clientSettings(folder).enable) {
            traceInfo('Redline is disabled (redline.enable is false).');
            this.setState({ state: 'disabled' });
            return;
        }
        this.setState({ state: 'starting' });
        traceInfo(`Starting the server (${reason}).`);
        const inputs = await this.discoveryInputs(folder);
        this.lastInputs = inputs;
        const discovery = await discover(inputs, nodeProbes);
        for (const line of describeRejections(discovery)) {
            traceInfo(`  not used: ${line}`);
        }
        if (!discovery.found) {
            traceError('No Redline server found. Set redline.path or redline.interpreter, or install redline.');
            this.setState({ state: 'not-found', detail: describeRejections(discovery).join('\n'), discovery, inputs });
            return;
        }
        const candidate = discovery.found;
        traceInfo(`Server: ${[candidate.command, ...candidate.args].join(' ')} (from ${candidate.origin})`);
        const client = this.createClient(candidate, folder);
        this.client = client;
        this.candidate = candidate;
        this.clientDisposables.push(
            client.onDidChangeState((e) => {
                if (e.newState === State.Running) {
                    this.restarting = false;
                    this.setState({ state: 'running', detail: `${candidate.command} (${candidate.origin})` });
                } else if (e.newState === State.Stopped && this.client === client) {
                    // Not stopped by us: doStop forgets the client first.
                    if (this.restarting && e.oldState === State.Running) {
                        this.setState({ state: 'starting' }); // crashed; the client starts it again
                    } else if (this.current.state !== 'failed') {
                        this.restarting = false; // died for good, or the restart itself failed
                        this.setState({ state: 'failed', detail: 'the server stopped; see the Redline output', inputs: this.lastInputs });
                    }
                }
            }),
        );
        try {
            await client.start();
        } catch (e) {
            const message = e instanceof Error ? e.message : String(e);
            traceError('The server did not start', e);
            client.killServer();
            this.setState({ state: 'failed', detail: message, discovery, inputs });
        }
    }

    private createClient(candidate: Candidate, folder: WorkspaceFolder | undefined): RedlineLanguageClient {
        const serverOptions: ServerOptions = {
            command: candidate.command,
            args: candidate.args,
            transport: TransportKind.stdio,
            // Not the workspace folder: `python -c`/`-m` put the working directory first on sys.path,
            // and the workspace is unreviewed code. The server finds everything through URIs. And
            // PYTHONSAFEPATH=1 so that no Python process in the server's tree adds it at all (the
            // server also sees to that itself: docs/editors.md, "Launching safely").
            options: {
                cwd: os.homedir(),
                env: {
                    ...process.env,
                    PYTHONUNBUFFERED: '1',
                    PYTHONSAFEPATH: '1',
                    // A platform-specific .vsix: Redline and its libraries come from the extension.
                    ...(candidate.kind === 'bundled' && candidate.libs ? { PYTHONPATH: candidate.libs, PYTHONNOUSERSITE: '1' } : {}),
                },
            },
        };
        const channel = outputChannel();
        // eslint-disable-next-line prefer-const -- the error handler below needs the client it belongs to
        let client: RedlineLanguageClient;
        const clientOptions: LanguageClientOptions = {
            documentSelector: documentSelector(),
            outputChannel: channel,
            traceOutputChannel: channel,
            revealOutputChannelOn: RevealOutputChannelOn.Never,
            initializationOptions: (this.sent = serverSettings(folder)),
            initializationFailedHandler: (error) => {
                traceError('Initialization failed', error);
                return false;
            },
            errorHandler: {
                // Writes fail in a burst when the server dies; `closed` then decides about a restart.
                // A live server that keeps sending garbage is shut down.
                error: (_error, _message, count) => ({
                    action: !client.serverAlive() || (count ?? 0) <= 5 ? ErrorAction.Continue : ErrorAction.Shutdown,
                    handled: true,
                }),
                closed: () => {
                    const now = Date.now();
                    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
                    this.restarts.push(now);
                    if (this.restarts.length <= MAX_RESTARTS) {
                        traceWarn(`The server stopped unexpectedly; restarting (${this.restarts.length}/${MAX_RESTARTS}).`);
                        this.restarting = true;
                        return { action: CloseAction.Restart, handled: true };
                    }
                    const detail = `The server stopped ${MAX_RESTARTS + 1} times in ${RESTART_WINDOW_MS / 60000} minutes; see the Redline output.`;
                    traceError(detail);
                    this.restarting = false;
                    this.setState({ state: 'failed', detail, inputs: this.lastInputs });
                    return { action: CloseAction.DoNotRestart, handled: true };
                },
            },
            middleware: {
                workspace: {
                    // Answer workspace/configuration for "redline" with the server's keys only.
                    configuration: async (params, token, next) => {
                        const answers = await next(params, token);
                        if (!Array.isArray(answers)) {
                            return answers;
                        }
                        return params.items.map((item, i) => {
                            if (item.section !== CONFIG_SECTION) {
                                return answers[i];
                            }
                            const scope = item.scopeUri ? Uri.parse(item.scopeUri) : undefined;
                            return serverSettings(scope);
                        });
                    },
                },
                didOpen: (document, next) => (isEnabledFor(document.uri) ? next(document) : Promise.resolve()),
                didChange: (event, next) => (isEnabledFor(event.document.uri) ? next(event) : Promise.resolve()),
                didClose: (document, next) => (isEnabledFor(document.uri) ? next(document) : Promise.resolve()),
                didSave: (document, next) => (isEnabledFor(document.uri) ? next(document) : Promise.resolve()),
            },
        };
        client = new RedlineLanguageClient(CLIENT_ID, EXTENSION_NAME, serverOptions, clientOptions);
        keepClientCommands(client);
        return client;
    }

    dispose(): void {
        void this.doStop();
        this.disposables.forEach((d) => d.dispose());
        this.stateEmitter.dispose();
    }
}

/**
 * vscode-languageclient registers a VS Code command for every command the server advertises.
 * Commands the extension defines itself (and forwards to the server when it has them) must not be
 * registered twice, or starting the client fails.
 */
function keepClientCommands(client: LanguageClient): void {
    const feature = client.getFeature(ExecuteCommandRequest.method);
    const register = feature.register.bind(feature);
    feature.register = (data) => {
        const commands = (data.registerOptions.commands ?? []).filter((c) => !CLIENT_OWNED_COMMANDS.has(c));
        register({ ...data, registerOptions: { ...data.registerOptions, commands } });
    };
}
