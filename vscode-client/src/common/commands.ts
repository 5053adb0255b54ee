// The extension's commands. Each is a small function of the server controller.
import {
    CodeAction,
    CodeActionKind,
    commands,
    Disposable,
    env,
    EventEmitter,
    languages,
    Position,
    Range,
    Selection,
    TextDocumentContentProvider,
    TextEditorRevealType,
    Uri,
    window,
    workspace,
} from 'vscode';
import { COMMANDS, DIAGNOSTIC_SOURCE, FIX_ALL_KIND, SERVER_COMMANDS } from './constants';
import { FindingItem, sinceOpenItems } from './findings';
import { outputChannel, traceError } from './log';
import { isRuleCode, RuleRef, ruleFromArgument, uniqueRules } from './rules';
import { RedlineServer } from './server';
import { scanSummary } from './status';
import { currentCounts } from './statusBar';

const DOCS_SCHEME = 'redline-rule';
const FIX_ALL_KIND_VALUE = CodeActionKind.Empty.append(FIX_ALL_KIND);

/** Rule documentation the server returned, shown as a read-only Markdown preview. */
class RuleDocs implements TextDocumentContentProvider {
    private readonly docs = new Map<string, string>();
    private readonly changed = new EventEmitter<Uri>();
    readonly onDidChange = this.changed.event;

    set(code: string, markdown: string): Uri {
        const uri = Uri.from({ scheme: DOCS_SCHEME, path: `/${code}.md` });
        this.docs.set(uri.path, markdown);
        this.changed.fire(uri);
        return uri;
    }

    provideTextDocumentContent(uri: Uri): string {
        return this.docs.get(uri.path) ?? '';
    }
}

function markdownOf(result: unknown): string | undefined {
    if (typeof result === 'string' && result.trim()) {
        return result;
    }
    if (result && typeof result === 'object') {
        const o = result as Record<string, unknown>;
        for (const key of ['markdown', 'docs', 'documentation']) {
            if (typeof o[key] === 'string' && (o[key] as string).trim()) {
                return o[key] as string;
            }
        }
    }
    return undefined;
}

async function pickRule(arg: unknown): Promise<RuleRef | undefined> {
    const given = ruleFromArgument(arg, DIAGNOSTIC_SOURCE);
    if (given) {
        return given;
    }
    const editor = window.activeTextEditor;
    if (editor) {
        const here = languages
            .getDiagnostics(editor.document.uri)
            .filter((d) => d.range.contains(editor.selection.active));
        const rules = uniqueRules(here, DIAGNOSTIC_SOURCE);
        if (rules.length === 1) {
            return rules[0];
        }
    }
    const all = uniqueRules(
        languages.getDiagnostics().flatMap(([, ds]) => ds),
        DIAGNOSTIC_SOURCE,
    );
    if (all.length > 0) {
        const picked = await window.showQuickPick(
            all.map((r) => ({ label: r.code, detail: r.message, rule: r })),
            { placeHolder: 'Redline rule to show', matchOnDetail: true },
        );
        return picked?.rule;
    }
    const typed = await window.showInputBox({
        prompt: 'Redline rule code',
        placeHolder: 'RL101',
        validateInput: (v) => (isRuleCode(v) ? undefined : 'A rule code looks like RL101'),
    });
    return typed ? { code: typed.trim().toUpperCase() } : undefined;
}

/** "Findings Since Opened": the server lists the findings of the active document (every open
 * one when there is none, or the server does not have it open) that it did not have when the
 * document was opened; a Quick Pick goes to the one picked. */
async function findingsSinceOpen(server: RedlineServer): Promise<unknown> {
    if (!server.languageClient) {
        void window.showWarningMessage('Redline: the server is not running.');
        return undefined;
    }
    const active = window.activeTextEditor?.document.uri.toString();
    let result: unknown;
    try {
        result = await server.executeServerCommand(COMMANDS.findingsSinceOpen, active ? [active] : []);
    } catch {
        // Not a document the server has open (an output pane, a disabled folder): ask for all.
        try {
            result = await server.executeServerCommand(COMMANDS.findingsSinceOpen, []);
        } catch (e) {
            traceError('Findings since opened', e);
            void window.showErrorMessage(`Redline: ${e instanceof Error ? e.message : String(e)}`);
            return undefined;
        }
    }
    // The server also says what it found (window/showMessage); with findings, offer to go there.
    const items = sinceOpenItems(result, active);
    if (items.length === 0) {
        return result;
    }
    const picked = await window.showQuickPick(
        items.map((item) => ({ label: item.label, description: item.description, item })),
        { placeHolder: `${items.length} finding${items.length === 1 ? '' : 's'} introduced since the file was opened`, matchOnDescription: true },
    );
    if (picked) {
        await reveal(picked.item);
    }
    return result;
}

async function reveal(item: FindingItem): Promise<void> {
    const editor = await window.showTextDocument(Uri.parse(item.uri), { preview: false });
    if (item.start) {
        const at = new Position(item.start.line, item.start.character);
        editor.selection = new Selection(at, at);
        editor.revealRange(new Range(at, at), TextEditorRevealType.InCenterIfOutsideViewport);
    }
}

export function registerCommands(server: RedlineServer, onRestart: () => void): Disposable[] {
    const docs = new RuleDocs();
    return [
        workspace.registerTextDocumentContentProvider(DOCS_SCHEME, docs),

        commands.registerCommand(COMMANDS.restart, async () => {
            onRestart();
            await server.restart('restart command');
        }),

        commands.registerCommand(COMMANDS.showOutput, () => outputChannel()?.show(true)),

        commands.registerCommand(SERVER_COMMANDS.scanWorkspace, async () => {
            if (!server.languageClient) {
                void window.showWarningMessage('Redline: the server is not running.', 'Show output').then((b) => {
                    if (b) {
                        outputChannel()?.show(true);
                    }
                });
                return undefined;
            }
            try {
                // The server reports its own (cancellable) progress and answers with a summary.
                const result = await server.executeServerCommand(SERVER_COMMANDS.scanWorkspace);
                void window.showInformationMessage(scanSummary(result, currentCounts()));
                return result;
            } catch (e) {
                traceError('Workspace scan failed', e);
                void window.showErrorMessage(`Redline: the workspace scan failed: ${e instanceof Error ? e.message : String(e)}`);
                return undefined;
            }
        }),

        commands.registerCommand(COMMANDS.showRule, async (arg?: unknown) => {
            const rule = await pickRule(arg);
            if (!rule) {
                return;
            }
            // The server answers redline.showRule with the documentation as Markdown (offline).
            let href = rule.href;
            if (server.serverHasCommand(COMMANDS.showRule)) {
                try {
                    const result = await server.executeServerCommand(COMMANDS.showRule, [rule.code]);
                    const markdown = markdownOf(result);
                    if (markdown) {
                        await commands.executeCommand('markdown.showPreview', docs.set(rule.code, markdown));
                        return;
                    }
                    const helpUri = (result as { helpUri?: unknown } | undefined)?.helpUri;
                    href = typeof helpUri === 'string' ? helpUri : href;
                } catch (e) {
                    traceError(`Rule documentation for ${rule.code}`, e);
                }
            }
            if (href) {
                await env.openExternal(Uri.parse(href));
            } else {
                // No documentation URL is configured on the server: the documentation is offline.
                void window.showInformationMessage(`Redline: run \`redline rules ${rule.code}\` for the documentation of ${rule.code}.`);
            }
        }),

        commands.registerCommand(COMMANDS.findingsSinceOpen, () => findingsSinceOpen(server)),

        commands.registerCommand(COMMANDS.fixAll, async () => {
            const editor = window.activeTextEditor;
            if (editor) {
                await fixAll(editor.document.uri);
            }
        }),
    ];
}

/**
 * Apply Redline's "fix all" action to the document at `uri`. It asks the code-action providers
 * for that document directly (resolving the first action, whose edit the server computes on
 * resolve) instead of running `editor.action.codeAction`, which acts on whichever editor has the
 * focus: a lightbulb menu or another panel holding the focus made that a silent no-op.
 */
export async function fixAll(uri: Uri): Promise<boolean> {
    const whole = new Range(0, 0, 0, 0);
    const actions =
        (await commands.executeCommand<CodeAction[]>('vscode.executeCodeActionProvider', uri, whole, FIX_ALL_KIND, 1)) ?? [];
    const action = actions.find((a) => a.kind !== undefined && FIX_ALL_KIND_VALUE.contains(a.kind));
    if (!action) {
        void window.showInformationMessage('Redline: nothing to fix automatically in this file.');
        return false;
    }
    if (action.edit && !(await workspace.applyEdit(action.edit))) {
        void window.showWarningMessage('Redline: the fixes could not be applied (the file changed meanwhile); try again.');
        return false;
    }
    if (action.command) {
        await commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
    }
    return true;
}
