// The "Redline" output channel: the extension's log, the server's stderr and the LSP trace.
import { Disposable, LogOutputChannel, window } from 'vscode';
import { EXTENSION_NAME } from './constants';

let channel: LogOutputChannel | undefined;

export function createLog(): LogOutputChannel & Disposable {
    channel = window.createOutputChannel(EXTENSION_NAME, { log: true });
    return channel;
}

export function outputChannel(): LogOutputChannel | undefined {
    return channel;
}

export function traceInfo(message: string): void {
    channel?.info(message);
}

export function traceWarn(message: string): void {
    channel?.warn(message);
}

export function traceError(message: string, error?: unknown): void {
    channel?.error(error === undefined ? message : `${message}: ${error instanceof Error ? error.message : String(error)}`);
}
