// Test-only extension: reads VS Code's own view of Redline's work (languages.getDiagnostics,
// vscode.executeCodeActionProvider) and appends it, as JSON lines, to the file named by the
// `redlineProbe.output` setting. The Playwright driver (../e2e.test.mjs) reads that file and drives
// the UI (the quick fix is applied through the editor's own lightbulb menu, not from here).
'use strict';
const fs = require('node:fs');
const vscode = require('vscode');

const SOURCE = 'redline';
const TIMEOUT_MS = 180000;

function emit(out, event, data) {
    fs.appendFileSync(out, JSON.stringify({ event, time: Date.now(), ...data }) + '\n');
}

function plainRange(r) {
    return { start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } };
}

function plainDiagnostic(d) {
    const code = typeof d.code === 'object' && d.code ? d.code.value : d.code;
    const href = typeof d.code === 'object' && d.code ? String(d.code.target) : undefined;
    return { source: d.source, code: code === undefined ? undefined : String(code), href, message: d.message, severity: d.severity, range: plainRange(d.range) };
}

function redlineDiagnostics(uri) {
    return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

/** Resolve when `predicate()` holds, checking after every diagnostics change. */
function whenDiagnostics(predicate, what) {
    return new Promise((resolve, reject) => {
        const now = predicate();
        if (now) {
            resolve(now);
            return;
        }
        const timer = setTimeout(() => {
            listener.dispose();
            reject(new Error(`timed out waiting for ${what}`));
        }, TIMEOUT_MS);
        const listener = vscode.languages.onDidChangeDiagnostics(() => {
            const value = predicate();
            if (value) {
                clearTimeout(timer);
                listener.dispose();
                resolve(value);
            }
        });
    });
}

/** Wait until the driver creates `<out>.<name>` (it does, once it has done its part). */
function driverSignal(out, name) {
    const file = `${out}.${name}`;
    return new Promise((resolve, reject) => {
        const check = () => {
            if (fs.existsSync(file)) {
                clearTimeout(timer);
                watcher.close();
                resolve();
            }
        };
        const timer = setTimeout(() => {
            watcher.close();
            reject(new Error(`no "${name}" signal from the driver`));
        }, TIMEOUT_MS);
        const watcher = fs.watch(require('node:path').dirname(file), check);
        check();
    });
}

function tabLabels() {
    return vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
}

/** Run "Redline: Show Rule Documentation" for `code` and wait for its preview tab. */
async function showRule(out, code) {
    const shown = new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            listener.dispose();
            reject(new Error(`no tab for ${code}; tabs: ${JSON.stringify(tabLabels())}`));
        }, TIMEOUT_MS);
        const listener = vscode.window.tabGroups.onDidChangeTabs(() => {
            if (tabLabels().some((l) => l.includes(code))) {
                clearTimeout(timer);
                listener.dispose();
                resolve();
            }
        });
    });
    await vscode.commands.executeCommand('redline.showRule', code);
    await shown;
    emit(out, 'ruleShown', { tabs: tabLabels() });
}

/** Open `file`, wait for two `rule` findings, run "Redline: Fix All", wait for the edit. */
async function runFixAll(out, file, rule) {
    const uri = vscode.Uri.file(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
    await whenDiagnostics(() => redlineDiagnostics(uri).filter((d) => plainDiagnostic(d).code === rule).length >= 2, `two ${rule} findings in ${file}`);
    const before = doc.getText();
    const changed = new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            listener.dispose();
            reject(new Error('Fix All changed nothing'));
        }, TIMEOUT_MS);
        const listener = vscode.workspace.onDidChangeTextDocument((e) => {
            if (e.document.uri.toString() === uri.toString() && e.document.getText() !== before) {
                clearTimeout(timer);
                listener.dispose();
                resolve();
            }
        });
    });
    await vscode.commands.executeCommand('redline.fixAll');
    await changed;
    emit(out, 'fixAllApplied', { text: doc.getText(), version: doc.version });
}

/** "Redline: Scan Workspace" reports files nobody opened; "Restart Server" brings the server back. */
async function scanAndRestart(out, unopened, rule, mainFile) {
    const uri = vscode.Uri.file(unopened);
    const before = redlineDiagnostics(uri).map(plainDiagnostic);
    const summary = await vscode.commands.executeCommand('redline.scanWorkspace');
    const found = await whenDiagnostics(() => {
        const ds = redlineDiagnostics(uri);
        return ds.some((d) => plainDiagnostic(d).code === rule) ? ds : undefined;
    }, `a ${rule} finding in ${unopened} after the workspace scan`);
    emit(out, 'scanned', { summary, before, after: found.map(plainDiagnostic), openDocuments: vscode.workspace.textDocuments.map((d) => d.uri.fsPath) });
    await vscode.commands.executeCommand('redline.restart');
    emit(out, 'restarted', {});
    // The driver kills the server process now; the extension must bring it back quietly.
    await driverSignal(out, 'crashed');
    // Only a live server can report a line typed after the crash.
    const main = await vscode.workspace.openTextDocument(vscode.Uri.file(mainFile));
    const line = main.lineCount;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(main.uri, new vscode.Position(line, 0), '\n\ndef run_user_code():\n    return eval(input())\n');
    await vscode.workspace.applyEdit(edit);
    const back = await whenDiagnostics(() => {
        const ds = redlineDiagnostics(main.uri);
        return ds.some((d) => d.range.start.line > line) ? ds : undefined;
    }, 'a diagnostic on a line typed after the server crashed');
    emit(out, 'recovered', { diagnostics: back.map(plainDiagnostic), firstNewLine: line });
}

/** The code lenses VS Code has for `uri` (from every provider), as {title, command, line}. */
async function lensesOf(uri) {
    const lenses = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri)) ?? [];
    return lenses
        .filter((l) => l.command)
        .map((l) => ({ title: l.command.title, command: l.command.command, arguments: l.command.arguments ?? [], line: l.range.start.line }));
}

/** Poll the code lenses of `uri` (lenses have no change event) until `predicate` holds. */
async function whenLenses(uri, predicate, what) {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
        const lenses = await lensesOf(uri);
        if (predicate(lenses)) {
            return lenses;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}; lenses: ${JSON.stringify(lenses)}`);
        }
        await new Promise((r) => setTimeout(r, 250));
    }
}

/**
 * The review lens (issue 18): open `file`, let the driver paste a large block into it (Ctrl+V),
 * then report the lens Redline puts above the block; the driver clicks its two commands and runs
 * "Findings Since Opened" from the command palette.
 */
async function reviewLens(out, file) {
    const uri = vscode.Uri.file(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    // The server has analysed the file as opened (its one finding is there) before the paste.
    const before = await whenDiagnostics(() => {
        const ds = redlineDiagnostics(uri);
        return ds.length > 0 ? ds : undefined;
    }, `the findings of ${file} as opened`);
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    const text = doc.getText();
    const pasted = new Promise((resolve) => {
        const listener = vscode.workspace.onDidChangeTextDocument((e) => {
            if (e.document.uri.toString() === uri.toString() && e.document.getText() !== text) {
                listener.dispose();
                resolve(e.contentChanges.length);
            }
        });
    });
    emit(out, 'readyForPaste', { line: end.line, before: before.map(plainDiagnostic) });
    const changes = await pasted;
    const lenses = await whenLenses(uri, (ls) => ls.some((l) => /^Inserted block: [1-9]\d* security findings?$/.test(l.title)), 'the review lens');
    emit(out, 'lens', { lenses, changes, text: doc.getText(), diagnostics: redlineDiagnostics(uri).map(plainDiagnostic) });
    // The driver clicks "Mark reviewed": the lens must go.
    await driverSignal(out, 'reviewClicked');
    const after = await whenLenses(uri, (ls) => !ls.some((l) => l.title.startsWith('Inserted block')), 'the review lens to go');
    emit(out, 'reviewed', { lenses: after, selection: plainRange(editor.selection) });
}

async function run(out, file, fixRule, ruleToShow, brokenPath, fixAllFile, unopenedFile, pasteFile) {
    const redline = vscode.extensions.getExtension('redline.redline');
    emit(out, 'start', { redlineInstalled: !!redline, vscodeVersion: vscode.version });
    if (!redline) {
        throw new Error('the Redline extension is not installed');
    }
    const uri = vscode.Uri.file(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    emit(out, 'opened', { languageId: doc.languageId, redlineActive: redline.isActive });

    const diagnostics = await whenDiagnostics(() => {
        const ds = redlineDiagnostics(uri);
        return ds.some((d) => plainDiagnostic(d).code === fixRule) ? ds : undefined;
    }, `a ${fixRule} diagnostic from Redline`);
    emit(out, 'diagnostics', {
        diagnostics: diagnostics.map(plainDiagnostic),
        others: vscode.languages.getDiagnostics(uri).filter((d) => d.source !== SOURCE).map(plainDiagnostic),
    });

    const target = diagnostics.find((d) => plainDiagnostic(d).code === fixRule);
    const actions = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, target.range)) ?? [];
    const quickFixes = actions.filter((a) => a.kind && vscode.CodeActionKind.QuickFix.contains(a.kind));
    emit(out, 'codeActions', {
        actions: actions.map((a) => ({
            title: a.title,
            kind: a.kind ? a.kind.value : undefined,
            isPreferred: !!a.isPreferred,
            hasEdit: !!a.edit,
            diagnostics: (a.diagnostics ?? []).map((d) => plainDiagnostic(d).code),
        })),
    });
    const fixAll = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, new vscode.Range(0, 0, 0, 0), 'source.fixAll.redline')) ?? [];
    emit(out, 'fixAllActions', { actions: fixAll.map((a) => ({ title: a.title, kind: a.kind ? a.kind.value : undefined })) });

    const fix = quickFixes.find((a) => a.isPreferred) ?? quickFixes[0];
    if (!fix) {
        throw new Error(`no quick fix for ${fixRule}`);
    }
    // Put the cursor on the finding, as a user would before pressing Ctrl+.
    editor.selection = new vscode.Selection(target.range.start, target.range.start);
    editor.revealRange(target.range, vscode.TextEditorRevealType.InCenter);
    const before = doc.getText();
    const diskBefore = fs.readFileSync(file, 'utf8');

    const changed = new Promise((resolve) => {
        const listener = vscode.workspace.onDidChangeTextDocument((e) => {
            if (e.document.uri.toString() === uri.toString() && e.document.getText() !== before) {
                listener.dispose();
                resolve();
            }
        });
    });
    emit(out, 'readyForQuickFix', { title: fix.title, line: target.range.start.line });
    await changed;
    const after = await whenDiagnostics(() => {
        const ds = redlineDiagnostics(uri);
        // The server republishes for the new version; wait until the fixed finding is gone.
        return ds.some((d) => plainDiagnostic(d).code === fixRule && d.range.start.line === target.range.start.line) ? undefined : ds;
    }, `the ${fixRule} diagnostic to disappear after the quick fix`);
    emit(out, 'fixed', {
        text: doc.getText(),
        isDirty: doc.isDirty,
        diskUnchanged: fs.readFileSync(file, 'utf8') === diskBefore,
        diagnostics: after.map(plainDiagnostic),
        others: vscode.languages.getDiagnostics(uri).filter((d) => d.source !== SOURCE).map(plainDiagnostic),
    });
    if (fixAllFile) {
        await runFixAll(out, fixAllFile, fixRule);
    }
    if (unopenedFile) {
        await scanAndRestart(out, unopenedFile, fixRule, file);
    }
    if (pasteFile) {
        await reviewLens(out, pasteFile);
        await driverSignal(out, 'paletteDone');
    }
    // Last of the editor steps: the driver reads the preview while it stays in front.
    if (ruleToShow) {
        await showRule(out, ruleToShow);
    }
    if (brokenPath) {
        // As if the user pointed the setting somewhere wrong: the extension must say so, once.
        const key = vscode.workspace.getConfiguration('redlineProbe').get('breakSetting') || 'path';
        await vscode.workspace.getConfiguration('redline').update(key, brokenPath, vscode.ConfigurationTarget.Global);
        emit(out, 'serverPathBroken', { key, path: brokenPath });
    }
}

function activate() {
    const config = vscode.workspace.getConfiguration('redlineProbe');
    const out = config.get('output');
    if (!out) {
        return;
    }
    run(out, config.get('file'), config.get('fixRule'), config.get('showRule'), config.get('brokenServerPath'), config.get('fixAllFile'), config.get('unopenedFile'), config.get('pasteFile')).catch((e) => emit(out, 'error', { message: String(e && e.stack ? e.stack : e) }));
}

module.exports = { activate, deactivate() {} };
