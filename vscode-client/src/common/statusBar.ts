// The status bar item: server state and the counts of Redline's diagnostics in all files.
import { Disposable, languages, StatusBarAlignment, StatusBarItem, ThemeColor, window } from 'vscode';
import { COMMANDS, DIAGNOSTIC_SOURCE } from './constants';
import { countDiagnostics, Counts, ServerState, statusText } from './status';

export function currentCounts(): Counts {
    return countDiagnostics(
        languages.getDiagnostics().map(([, diagnostics]) => diagnostics),
        DIAGNOSTIC_SOURCE,
    );
}

export class StatusBar implements Disposable {
    private readonly item: StatusBarItem;
    private readonly listener: Disposable;
    private state: ServerState = 'starting';
    private detail: string | undefined;
    private pending: ReturnType<typeof setTimeout> | undefined;

    constructor() {
        this.item = window.createStatusBarItem('redline.status', StatusBarAlignment.Right, 100);
        this.item.name = 'Redline';
        this.item.command = COMMANDS.showOutput;
        this.listener = languages.onDidChangeDiagnostics(() => this.schedule());
        this.render();
        this.item.show();
    }

    setState(state: ServerState, detail?: string): void {
        this.state = state;
        this.detail = detail;
        this.render();
    }

    private schedule(): void {
        // Diagnostics arrive in bursts (one notification per file): recount once per burst.
        if (this.pending === undefined) {
            this.pending = setTimeout(() => {
                this.pending = undefined;
                this.render();
            }, 100);
        }
    }

    private render(): void {
        const s = statusText(this.state, currentCounts(), this.detail);
        this.item.text = s.text;
        this.item.tooltip = s.tooltip;
        this.item.backgroundColor = s.warning ? new ThemeColor('statusBarItem.warningBackground') : undefined;
    }

    dispose(): void {
        if (this.pending !== undefined) {
            clearTimeout(this.pending);
        }
        this.listener.dispose();
        this.item.dispose();
    }
}
