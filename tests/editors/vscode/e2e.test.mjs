// End-to-end: the Redline extension (.vsix) in real VS Code (code-server 4.100.3 = VS Code 1.100.3),
// driven by headless Chromium through playwright-core, against the real `redline lsp`.
//
// A test-only extension (probe/) writes what VS Code's own API knows (languages.getDiagnostics,
// vscode.executeCodeActionProvider) to a JSON-lines file; this driver waits on that file, applies
// the quick fix through the editor's lightbulb menu (Ctrl+.), and saves a screenshot.
//
// Run by `make test-vscode-e2e` (which installs everything first); inputs come from the environment:
//   REDLINE_VSIX, REDLINE_CODE_SERVER, REDLINE_BIN   built/installed by mk/vscode.mk
//   REDLINE_PLATFORM_VSIX                            the linux-x64 .vsix (mk/package.mk), for the
//                                                    second test: it alone, no redline on the machine
//   REDLINE_SCREENSHOT                               where to save the screenshot (default: the temp folder)
//   REDLINE_E2E_KEEP=1                               keep the temp folder (logs, profile) for debugging
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..', '..');
const require = createRequire(path.join(root, 'vscode-client', 'package.json'));
const { chromium } = require('playwright-core');

const VERSION = JSON.parse(readFileSync(path.join(root, 'vscode-client', 'package.json'), 'utf8')).version;
const VSIX = process.env.REDLINE_VSIX ?? path.join(root, 'vscode-client', `redline-${VERSION}.vsix`);
// The platform-specific package that carries Redline and its libraries (mk/package.mk).
const PLATFORM_VSIX = process.env.REDLINE_PLATFORM_VSIX ?? path.join(root, 'vscode-client', `redline-${VERSION}-linux-x64.vsix`);
const CODE_SERVER = process.env.REDLINE_CODE_SERVER ?? path.join(root, '.tools', 'code-server-4.100.3', 'node_modules', '.bin', 'code-server');
const REDLINE = process.env.REDLINE_BIN ?? path.join(root, '.venv', 'bin', 'redline');
const PYTHON = path.join(path.dirname(REDLINE), 'python');
const CHROMIUM = '/usr/bin/chromium';
const VSCE = path.join(root, 'vscode-client', 'node_modules', '@vscode', 'vsce', 'vsce');
const STEP_MS = Number(process.env.REDLINE_E2E_STEP_MS ?? 180_000);
// Requests to anything but loopback go to this closed port and fail at once.
const DEAD_PROXY = 'http://127.0.0.1:9';

const FIX_RULE = 'RL112'; // yaml.load without a safe loader; its quick fix is yaml.safe_load
const VULNERABLE = `import subprocess

import yaml


def load_settings(path):
    with open(path) as f:
        return yaml.load(f, Loader=yaml.Loader)


def archive(name):
    subprocess.run("tar czf backup.tgz " + name, shell=True)
`;

const TWO_UNSAFE_LOADS = `import yaml


def main_config(text):
    return yaml.load(text, Loader=yaml.Loader)


def extra_config(text):
    return yaml.load(text, Loader=yaml.Loader)
`;

// The review lens (issue 18): a file with one finding when opened, and a block pasted into it
// that brings two more (a shell command built by concatenation, an unsafe YAML load).
const PASTE_TARGET = `import hashlib
import subprocess

import yaml


def password_digest(password):
    return hashlib.md5(password.encode()).hexdigest()

`;
const PASTED_BLOCK = `

def run_backup(name):
    subprocess.run("tar czf backup.tgz " + name, shell=True)
    return name


def read_profile(stream):
    profile = yaml.load(stream, Loader=yaml.Loader)
    return profile
`;

/** The test profile: nothing that saves, phones home or distracts. */
const QUIET_PROFILE = {
    'files.refactoring.autoSave': false, // otherwise the quick fix is saved to disk
    'files.autoSave': 'off',
    'chat.disableAIFeatures': true,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'workbench.enableExperiments': false,
    'workbench.settings.enableNaturalLanguageSearch': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.colorTheme': 'Default Dark Modern',
    'security.workspace.trust.enabled': false,
    'git.enabled': false,
    'npm.fetchOnlinePackageInfo': false,
    'json.schemaDownload.enable': false,
    'typescript.disableAutomaticTypeAcquisition': true,
    'http.proxy': DEAD_PROXY,
    'editor.minimap.enabled': false,
    'window.commandCenter': false,
    'breadcrumbs.enabled': false,
};

let tmp;
let page;
let codeServer;
let browser;
const logs = [];

function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

/** The probe's events so far. */
function events(file) {
    if (!existsSync(file)) {
        return [];
    }
    return readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l));
}

/** Resolve with the first probe event named `name`; fail on a probe error or after STEP_MS. */
function waitForEvent(file, name) {
    const dir = path.dirname(file);
    return new Promise((resolve, reject) => {
        let watcher;
        const check = () => {
            const all = events(file);
            const error = all.find((e) => e.event === 'error');
            const found = all.find((e) => e.event === name);
            if (error || found) {
                clearTimeout(timer);
                watcher.close();
                if (error) {
                    reject(new Error(`probe: ${error.message}`));
                } else {
                    resolve(found);
                }
            }
        };
        const timer = setTimeout(() => {
            watcher.close();
            reject(new Error(`no "${name}" event from the probe within ${STEP_MS / 1000} s; events: ${JSON.stringify(events(file).map((e) => e.event))}\n${logs.join('').slice(-4000)}`));
        }, STEP_MS);
        watcher = watch(dir, check);
        check();
    });
}

/** Pids of the processes below `pid` (from /proc), whose command line matches `pattern`. */
function descendants(pid, pattern) {
    const children = new Map();
    for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) {
            continue;
        }
        try {
            const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
            const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
            children.set(Number(entry), ppid);
        } catch {
            // gone meanwhile
        }
    }
    const below = (p) => {
        for (let q = children.get(p); q !== undefined; q = children.get(q)) {
            if (q === pid) {
                return true;
            }
        }
        return false;
    };
    return [...children.keys()].filter((p) => {
        if (!below(p)) {
            return false;
        }
        try {
            return pattern.test(readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' '));
        } catch {
            return false;
        }
    });
}

/** The editor's keyboard input: a native EditContext div in VS Code 1.100 (a textarea before). */
function editorInput() {
    return page.locator('.editor-instance .monaco-editor .native-edit-context, .editor-instance .monaco-editor textarea.inputarea').first();
}

/** VS Code's environment: a fresh HOME, no `redline` on PATH, every proxy and the gallery closed. */
function isolatedEnv(home) {
    const pathWithoutRedline = (process.env.PATH ?? '')
        .split(path.delimiter)
        .filter((d) => d && !existsSync(path.join(d, 'redline')))
        .join(path.delimiter);
    return {
        PATH: pathWithoutRedline,
        HOME: home,
        TMPDIR: tmp,
        LANG: 'C.UTF-8',
        XDG_CONFIG_HOME: path.join(home, '.config'),
        XDG_DATA_HOME: path.join(home, '.local', 'share'),
        XDG_CACHE_HOME: path.join(home, '.cache'),
        HTTP_PROXY: DEAD_PROXY,
        HTTPS_PROXY: DEAD_PROXY,
        NO_PROXY: '127.0.0.1,localhost',
        // No extension gallery: every gallery URL points at the closed loopback port.
        EXTENSIONS_GALLERY: JSON.stringify({
            serviceUrl: `${DEAD_PROXY}/gallery`,
            itemUrl: `${DEAD_PROXY}/item`,
            resourceUrlTemplate: `${DEAD_PROXY}/{publisher}/{name}/{version}/{path}`,
        }),
    };
}

/** code-server on a loopback port, for `workspace`, with `common` (user data and extensions). */
async function startCodeServer(dir, common, env, workspace, port) {
    writeFileSync(path.join(dir, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
    codeServer = spawn(
        CODE_SERVER,
        [
            '--config', path.join(dir, 'config.yaml'),
            ...common,
            '--disable-telemetry',
            '--disable-update-check',
            '--disable-workspace-trust',
            '--disable-getting-started-override',
            '--disable-proxy',
            '--ignore-last-opened',
            workspace,
        ],
        { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    const proc = codeServer;
    proc.stdout.on('data', (d) => logs.push(String(d)));
    proc.stderr.on('data', (d) => logs.push(String(d)));
    await new Promise((resolve, reject) => {
        const onData = () => {
            if (logs.join('').includes(`HTTP server listening on http://127.0.0.1:${port}`)) {
                resolve();
            }
        };
        proc.stdout.on('data', onData);
        proc.once('exit', (code) => reject(new Error(`code-server exited with ${code}:\n${logs.join('')}`)));
        onData();
    });
}

/** Headless Chromium on VS Code's page for `workspace`. */
async function openVsCode(port, workspace) {
    browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
            '--no-sandbox',
            '--disable-gpu',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--disable-quic',
            `--proxy-server=${DEAD_PROXY}`,
        ],
    });
    // The clipboard, for the paste of the review-lens step.
    const context = await browser.newContext({ viewport: { width: 1100, height: 560 }, permissions: ['clipboard-read', 'clipboard-write'] });
    page = await context.newPage();
    page.on('console', (m) => {
        if (m.type() === 'error') {
            logs.push(`[browser] ${m.text()}\n`);
        }
    });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: STEP_MS });
}

/** Close the browser and stop code-server with everything it started. */
async function shutdown() {
    await browser?.close().catch(() => undefined);
    browser = undefined;
    page = undefined;
    const proc = codeServer;
    codeServer = undefined;
    if (proc) {
        // code-server leads its own process group: the extension host, the Redline server and
        // its workers go with it.
        const exited = proc.exitCode === null ? once(proc, 'exit') : Promise.resolve();
        for (const signal of ['SIGTERM', 'SIGKILL']) {
            try {
                process.kill(-proc.pid, signal);
            } catch {
                // the group is gone already
            }
            if (signal === 'SIGTERM') {
                await exited;
            }
        }
    }
}

function run(cmd, args, env) {
    return execFileSync(cmd, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

before(() => {
    for (const [what, file] of [
        ['the .vsix (make vsix)', VSIX],
        ['code-server (make code-server)', CODE_SERVER],
        ['redline (make install)', REDLINE],
        ['chromium (make vscode-system)', CHROMIUM],
    ]) {
        assert.ok(existsSync(file), `${what} is missing: ${file}`);
    }
    tmp = mkdtempSync(path.join(os.tmpdir(), 'redline-vscode-e2e-'));
});

after(async () => {
    await shutdown();
    if (tmp && process.env.REDLINE_E2E_KEEP !== '1') {
        try {
            rmSync(tmp, { recursive: true, force: true, maxRetries: 5 });
        } catch (e) {
            console.log(`could not remove ${tmp}: ${e.message}`);
        }
    } else if (tmp) {
        console.log(`kept ${tmp}`);
    }
});

/** The Redline output channel and the extension host log, for failure messages. */
function vscodeLogs(userData, tail = 6000) {
    const out = [];
    const walk = (dir) => {
        for (const name of existsSync(dir) ? readdirSync(dir) : []) {
            const p = path.join(dir, name);
            if (statSync(p).isDirectory()) {
                walk(p);
            } else if (/Redline\.log$|exthost\.log$|remoteexthost\.log$/.test(name)) {
                out.push(`--- ${path.relative(userData, p)}\n${readFileSync(p, 'utf8').slice(-tail)}`);
            }
        }
    };
    walk(path.join(userData, 'logs'));
    return out.join('\n');
}

/** `step(name, fn)`: a subtest of `t`. Steps depend on each other: after the first failure the
 * rest are skipped, not timed out; a failure saves a screenshot and prints VS Code's logs. */
function stepper(t, userData, tag) {
    let failed = false;
    return (name, fn) =>
        t.test(name, async (st) => {
            if (failed) {
                st.skip('an earlier step failed');
                return;
            }
            try {
                await fn(st);
            } catch (e) {
                failed = true;
                await page?.screenshot({ path: path.join(tmp, `failure-${tag}.png`) }).catch(() => undefined);
                console.log(vscodeLogs(userData));
                console.log(logs.join('').slice(-4000));
                throw e;
            }
        });
}

test('Redline in VS Code: diagnostics, code actions, a quick fix and the review lens', { timeout: 15 * 60_000 }, async (t) => {
    const step = stepper(t, path.join(tmp, 'user-data'), 'universal');
    const home = path.join(tmp, 'home');
    const userData = path.join(tmp, 'user-data');
    const extensions = path.join(tmp, 'extensions');
    const workspace = path.join(tmp, 'workspace');
    const probeOut = path.join(tmp, 'probe.jsonl');
    const file = path.join(workspace, 'settings_loader.py');
    for (const d of [home, path.join(userData, 'User'), extensions, workspace]) {
        mkdirSync(d, { recursive: true });
    }
    writeFileSync(file, VULNERABLE);
    const fixAllFile = path.join(workspace, 'configs.py');
    writeFileSync(fixAllFile, TWO_UNSAFE_LOADS);
    const pasteFile = path.join(workspace, 'pasted.py');
    writeFileSync(pasteFile, PASTE_TARGET);
    const unopenedFile = path.join(workspace, 'lib', 'legacy.py');
    mkdirSync(path.dirname(unopenedFile));
    writeFileSync(unopenedFile, TWO_UNSAFE_LOADS);

    // The test profile: nothing that saves, phones home or distracts.
    const settings = {
        // The server as most Python users run it: `<python> -P -m redline lsp` from their venv.
        'redline.interpreter': PYTHON,
        'redlineProbe.output': probeOut,
        'redlineProbe.file': file,
        'redlineProbe.fixRule': FIX_RULE,
        'redlineProbe.showRule': 'RL102',
        'redlineProbe.fixAllFile': fixAllFile,
        'redlineProbe.unopenedFile': unopenedFile,
        'redlineProbe.pasteFile': pasteFile,
        'redlineProbe.brokenServerPath': path.join(tmp, 'no-such-dir', 'python'),
        'redlineProbe.breakSetting': 'interpreter',
        ...QUIET_PROFILE,
    };
    writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

    const port = await freePort();
    // No `redline` on VS Code's PATH: the server must come from redline.interpreter (and the last
    // step breaks that to see the "no server" notification).
    const env = isolatedEnv(home);
    const common = ['--user-data-dir', userData, '--extensions-dir', extensions];

    await step('the .vsix packs only the bundle and the manifest files', () => {
        const names = JSON.parse(
            execFileSync(PYTHON, ['-c', 'import json, sys, zipfile; print(json.dumps(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))', VSIX], {
                encoding: 'utf8',
            }),
        );
        assert.deepEqual(names, [
            '[Content_Types].xml',
            'extension.vsixmanifest',
            // the advisory data's licence and notices travel with the extension (issue 17)
            'extension/LICENSE-Apache-2.0.txt',
            'extension/LICENSE.txt',
            'extension/NOTICE-advisories.md',
            'extension/changelog.md',
            'extension/dist/extension.js',
            'extension/package.json',
            'extension/readme.md',
        ]);
    });

    await step('the .vsix and the probe install with code-server --install-extension', () => {
        const probeVsix = path.join(tmp, 'probe.vsix');
        const probeDir = path.join(tmp, 'probe');
        mkdirSync(probeDir);
        for (const name of ['package.json', 'extension.js', 'README.md', 'LICENSE']) {
            copyFileSync(path.join(here, 'probe', name), path.join(probeDir, name));
        }
        execFileSync(process.execPath, [VSCE, 'package', '--no-dependencies', '--allow-missing-repository', '--out', probeVsix], {
            cwd: probeDir,
            stdio: 'ignore',
        });
        for (const vsix of [VSIX, probeVsix]) {
            run(CODE_SERVER, [...common, '--install-extension', vsix, '--force'], env);
        }
        const listed = run(CODE_SERVER, [...common, '--list-extensions', '--show-versions'], env);
        assert.match(listed, new RegExp(`^redline\\.redline@${VERSION.replace(/\./g, '\\.')}$`, 'm'));
        assert.match(listed, /^redline-tests\.redline-e2e-probe@/m);
    });

    await step('code-server starts on loopback', () => startCodeServer(tmp, common, env, workspace, port));

    await step('VS Code loads in headless Chromium', () => openVsCode(port, workspace));

    let diagnostics;
    await step("Redline's diagnostics reach VS Code", async () => {
        const start = await waitForEvent(probeOut, 'start');
        assert.equal(start.vscodeVersion, '1.100.3');
        const opened = await waitForEvent(probeOut, 'opened');
        assert.equal(opened.languageId, 'python');
        const first = await waitForEvent(probeOut, 'diagnostics');
        assert.match(vscodeLogs(userData, Infinity), /Server: \S+python -P -m redline lsp \(from redline\.interpreter setting\)/);
        diagnostics = first.diagnostics;
        // Opening the file to the first Redline diagnostic, server start included (bench/results/vscode.md).
        console.log(`timing: open-to-first-diagnostic-ms=${first.time - opened.time}`);
        const yamlLoad = diagnostics.find((d) => d.code === FIX_RULE);
        assert.ok(yamlLoad, JSON.stringify(diagnostics));
        assert.equal(yamlLoad.source, 'redline');
        assert.equal(yamlLoad.range.start.line, 7);
        assert.match(yamlLoad.message, /safe_load/);
        // No documentation URL is configured (REDLINE_DOCS_URL or [project.urls]): no link is made up.
        assert.equal(yamlLoad.href, undefined, 'no placeholder documentation link');
        const shell = diagnostics.find((d) => d.code === 'RL102');
        assert.ok(shell, `the shell=True command injection is reported too: ${JSON.stringify(diagnostics)}`);
        assert.equal(shell.range.start.line, 11);
    });

    let quickFix;
    await step('code actions: the quick fix, a suppression, and fix-all', async () => {
        const { actions } = await waitForEvent(probeOut, 'codeActions');
        // Requested for the finding's range: every quick fix there is about this finding.
        const fixes = actions.filter((a) => a.kind === 'quickfix');
        quickFix = fixes.find((a) => a.isPreferred);
        assert.ok(quickFix, `a preferred quick fix for ${FIX_RULE}: ${JSON.stringify(actions)}`);
        assert.match(quickFix.title, /safe_load/);
        assert.ok(fixes.some((a) => /suppress/i.test(a.title) && a.title.includes(FIX_RULE)), `a suppression action: ${JSON.stringify(actions)}`);
        const fixAll = (await waitForEvent(probeOut, 'fixAllActions')).actions;
        assert.ok(fixAll.some((a) => a.kind === 'source.fixAll.redline'), JSON.stringify(fixAll));
    });

    await step('the status bar shows the counts', async () => {
        // At least the two errors above (slower engines may add findings later, never remove these).
        const errors = diagnostics.filter((d) => d.severity === 0).length;
        assert.ok(errors >= 2, JSON.stringify(diagnostics));
        const item = page.locator('[id="redline.redline.redline.status"]');
        await item.waitFor({ timeout: STEP_MS });
        await page.waitForFunction(
            (min) => {
                const text = document.querySelector('[id="redline.redline.redline.status"]')?.textContent ?? '';
                const numbers = (text.match(/\d+/g) ?? []).map(Number);
                return numbers.length >= 2 && numbers[0] >= min;
            },
            errors,
            { timeout: STEP_MS },
        );
    });

    await step('the quick fix applies from the lightbulb menu', async () => {
        const ready = await waitForEvent(probeOut, 'readyForQuickFix');
        assert.equal(ready.title, quickFix.title);
        // VS Code 1.100 takes keyboard input in a native EditContext div (or a textarea before it).
        const input = page.locator('.editor-instance .monaco-editor .native-edit-context, .editor-instance .monaco-editor textarea.inputarea').first();
        const item = page.locator('.action-widget .monaco-list-row', { hasText: quickFix.title }).first();
        // The probe put the cursor on the finding. A key press can land before the editor has the
        // focus: press again (after Escape) until the menu shows.
        for (let attempt = 1; ; attempt++) {
            await input.focus();
            await page.keyboard.press('Control+.');
            try {
                await item.waitFor({ timeout: attempt < 5 ? 5000 : STEP_MS });
                break;
            } catch (e) {
                if (attempt >= 5) {
                    throw e;
                }
                await page.keyboard.press('Escape');
            }
        }
        const shot = process.env.REDLINE_SCREENSHOT ?? path.join(tmp, 'vscode.png');
        mkdirSync(path.dirname(shot), { recursive: true });
        await page.screenshot({ path: shot });
        // The menu opens with the preferred fix focused; Enter applies it (as a user would).
        await page.locator('.action-widget .monaco-list-row.focused', { hasText: quickFix.title }).waitFor({ timeout: STEP_MS });
        await page.keyboard.press('Enter');
        const fixed = await waitForEvent(probeOut, 'fixed');
        console.log(`timing: quick-fix-to-updated-diagnostics-ms=${fixed.time - ready.time}`);
        assert.match(fixed.text, /return yaml\.safe_load\(f\)/);
        assert.doesNotMatch(fixed.text, /yaml\.load\(/);
        assert.equal(fixed.isDirty, true, 'the fix is in the editor, not saved (files.refactoring.autoSave is off)');
        assert.equal(fixed.diskUnchanged, true);
        assert.ok(!fixed.diagnostics.some((d) => d.code === FIX_RULE), JSON.stringify(fixed.diagnostics));
        assert.ok(fixed.diagnostics.some((d) => d.code === 'RL102'), 'the other finding stays');
        // The status bar follows: errors, warnings and the rest, as VS Code has them now.
        const count = (pred) => fixed.diagnostics.filter(pred).length;
        const expected = [count((d) => d.severity === 0), count((d) => d.severity === 1)];
        if (count((d) => d.severity >= 2)) {
            expected.push(count((d) => d.severity >= 2));
        }
        await page.waitForFunction(
            (want) => {
                const text = document.querySelector('[id="redline.redline.redline.status"]')?.textContent ?? '';
                return JSON.stringify((text.match(/\d+/g) ?? []).map(Number)) === JSON.stringify(want);
            },
            expected,
            { timeout: STEP_MS },
        );
    });

    await step('"Fix All" applies every safe fix of a file', async () => {
        const { text } = await waitForEvent(probeOut, 'fixAllApplied');
        assert.equal(text.match(/yaml\.safe_load\(text\)/g)?.length, 2, text);
        assert.doesNotMatch(text, /yaml\.load\(/);
    });

    await step('"Scan Workspace" reports a file nobody opened; "Restart Server" restarts', async () => {
        const scanned = await waitForEvent(probeOut, 'scanned');
        assert.ok(!scanned.openDocuments.includes(unopenedFile));
        assert.deepEqual(scanned.before, []);
        assert.equal(scanned.after.filter((d) => d.code === FIX_RULE).length, 2, JSON.stringify(scanned.after));
        assert.ok(scanned.summary.files >= 1, JSON.stringify(scanned.summary));
        assert.equal(scanned.summary.cancelled, false);
        await page.locator('.notification-toast', { hasText: /Redline: scanned \d+ files?/ }).waitFor({ timeout: STEP_MS });
        await waitForEvent(probeOut, 'restarted');
        const starts = vscodeLogs(userData, Infinity).match(/Starting the server \((activation|restart command)\)/g) ?? [];
        assert.deepEqual(starts, ['Starting the server (activation)', 'Starting the server (restart command)']);
    });

    await step('a server that crashes is restarted without a notification', async () => {
        // The test started code-server; the Redline server is its descendant: kill that one process.
        const servers = descendants(codeServer.pid, / -m redline lsp/);
        assert.equal(servers.length, 1, `Redline server processes: ${servers}`);
        process.kill(servers[0], 'SIGKILL');
        writeFileSync(`${probeOut}.crashed`, '');
        const recovered = await waitForEvent(probeOut, 'recovered');
        const typed = recovered.diagnostics.filter((d) => d.range.start.line > recovered.firstNewLine);
        assert.ok(typed.some((d) => d.code === 'RL103'), JSON.stringify(recovered.diagnostics));
        assert.match(vscodeLogs(userData, Infinity), /The server stopped unexpectedly; restarting \(1\/3\)/);
        const after = descendants(codeServer.pid, / -m redline lsp/);
        assert.equal(after.length, 1);
        assert.notEqual(after[0], servers[0]);
        assert.equal(await page.locator('.notification-toast', { hasText: /Redline: .*(language server|the server)/ }).count(), 0);
        await page.waitForFunction(
            () => /\d/.test(document.querySelector('[id="redline.redline.redline.status"]')?.textContent ?? ''),
            undefined,
            { timeout: STEP_MS },
        );
    });

    let lens;
    await step('a pasted block gets a review lens: "Inserted block: N security findings"', async () => {
        const ready = await waitForEvent(probeOut, 'readyForPaste');
        // As opened: the md5 finding (line 8), nothing below it.
        assert.ok(ready.before.some((d) => d.range.start.line === 7) && ready.before.every((d) => d.range.start.line <= 8), JSON.stringify(ready.before));
        // A real paste: the block goes to the browser's clipboard, Ctrl+V puts it in the editor.
        await page.evaluate((text) => navigator.clipboard.writeText(text), PASTED_BLOCK);
        await editorInput().focus();
        await page.keyboard.press('Control+End');
        await page.keyboard.press('Control+V');
        const seen = await waitForEvent(probeOut, 'lens');
        assert.equal(seen.changes, 1, 'the paste reached the document as one change');
        assert.ok(seen.text.startsWith(PASTE_TARGET) && seen.text.includes(PASTED_BLOCK.trim()), seen.text);
        lens = seen.lenses.find((l) => l.title.startsWith('Inserted block'));
        assert.equal(lens.command, 'redline.showBlockFindings');
        // The block starts at the pasted code's first line (`def run_backup`), not at the blank lines.
        assert.equal(lens.line, seen.text.split('\n').indexOf('def run_backup(name):'));
        const review = seen.lenses.find((l) => l.title === 'Mark reviewed');
        assert.equal(review?.command, 'redline.markBlockReviewed', JSON.stringify(seen.lenses));
        assert.equal(review.line, lens.line);
        // The count is the findings in the block: both weaknesses it brought, not the md5 above it.
        const inBlock = seen.diagnostics.filter((d) => d.range.start.line >= lens.line);
        assert.ok(inBlock.some((d) => d.code === 'RL102') && inBlock.some((d) => d.code === FIX_RULE), JSON.stringify(inBlock));
        assert.equal(lens.title, `Inserted block: ${inBlock.length} security findings`);
        // And VS Code draws it above the block.
        await page.locator('.codelens-decoration', { hasText: lens.title }).first().waitFor({ timeout: STEP_MS });
        // From the driver's paste to the lens in VS Code's code-lens provider (bench/results/editors.md).
        console.log(`lens: ${lens.title}; timing: paste-to-lens-ms=${seen.time - ready.time}`);
    });

    await step('the lens lists the block\'s findings, and "Mark reviewed" removes it', async () => {
        await page.locator('.codelens-decoration a', { hasText: lens.title }).first().click();
        const toast = page.locator('.notification-toast', { hasText: 'block inserted at once' });
        await toast.waitFor({ timeout: STEP_MS });
        const shown = await toast.first().innerText();
        assert.match(shown, /pasted\.py lines \d+-\d+/);
        assert.match(shown, /RL102 line \d+/);
        assert.match(shown, new RegExp(`${FIX_RULE} line \\d+`));
        assert.doesNotMatch(shown, /md5/i, 'the finding above the block is not in it');
        await page.locator('.codelens-decoration a', { hasText: 'Mark reviewed' }).first().click();
        writeFileSync(`${probeOut}.reviewClicked`, '');
        const reviewed = await waitForEvent(probeOut, 'reviewed');
        assert.ok(!reviewed.lenses.some((l) => l.title.startsWith('Inserted block')), JSON.stringify(reviewed.lenses));
        // "Inserted block" put the cursor on the block's first finding (window/showDocument).
        assert.ok(reviewed.selection.start.line > lens.line, JSON.stringify(reviewed.selection));
        await page.locator('.codelens-decoration', { hasText: 'Inserted block' }).first().waitFor({ state: 'detached', timeout: STEP_MS });
    });

    await step('"Findings Introduced Since the File Was Opened" in the command palette', async () => {
        await editorInput().focus();
        await page.keyboard.press('F1');
        const box = page.locator('.quick-input-widget .quick-input-box input');
        await box.waitFor({ timeout: STEP_MS });
        await box.fill('>Redline: Show Findings Introduced Since the File Was Opened');
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Findings Introduced Since the File Was Opened' }).first().waitFor({ timeout: STEP_MS });
        await page.keyboard.press('Enter');
        // A Quick Pick of the findings the paste brought (each with file:line); the md5 finding,
        // there when the file was opened, is not one of them.
        await page.locator('.quick-input-list .monaco-list-row', { hasText: FIX_RULE }).first().waitFor({ timeout: STEP_MS });
        const rows = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
        assert.ok(rows.some((r) => /RL102/.test(r) && /pasted\.py:\d+/.test(r)), JSON.stringify(rows));
        assert.ok(rows.some((r) => r.includes(FIX_RULE) && /pasted\.py:\d+/.test(r)), JSON.stringify(rows));
        assert.ok(!rows.some((r) => /md5|MD5/.test(r)), JSON.stringify(rows));
        await page.keyboard.press('Escape');
        writeFileSync(`${probeOut}.paletteDone`, '');
    });

    await step('"Show Rule Documentation" opens the rule\'s documentation from the server', async () => {
        const shown = await waitForEvent(probeOut, 'ruleShown');
        assert.ok(shown.tabs.some((l) => /RL102/.test(l)), JSON.stringify(shown.tabs));
        // The Markdown preview is a webview: find the frame that renders the server's text.
        await page.waitForFunction(() => document.querySelectorAll('iframe').length > 0, undefined, { timeout: STEP_MS });
        const deadline = Date.now() + STEP_MS;
        const rendered = (t) => /CWE-78/.test(t);
        let text = '';
        while (!rendered(text) && Date.now() < deadline) {
            for (const frame of page.frames().filter((f) => f !== page.mainFrame())) {
                text = await frame.locator('body').innerText({ timeout: 1000 }).catch(() => '');
                if (rendered(text)) {
                    break;
                }
            }
            if (!rendered(text)) {
                await page.waitForEvent('framenavigated', { timeout: 5000 }).catch(() => undefined);
            }
        }
        assert.match(text, /RL102/);
        assert.match(text, /CWE-78/);
        assert.match(text, /Fix:/);
    });

    await step('without a server, one notification offers "Open settings" and "Install"', async () => {
        await waitForEvent(probeOut, 'serverPathBroken');
        const toast = page.locator('.notification-toast', { hasText: 'Redline: no language server found' });
        await toast.waitFor({ timeout: STEP_MS });
        // One notification about the server (the scan's summary may still be showing beside it).
        assert.equal(await page.locator('.notification-toast', { hasText: /Redline: .*(language server|the server)/ }).count(), 1);
        for (const label of ['Open settings', 'Install']) {
            assert.equal(await toast.getByRole('button', { name: label }).count(), 1, label);
        }
        await page.locator('.statusbar-item', { hasText: 'Redline: no server' }).waitFor({ timeout: STEP_MS });
        await toast.getByRole('button', { name: 'Open settings' }).click();
        // The settings editor opens, filtered to Redline's settings.
        await page.locator('.settings-editor').waitFor({ timeout: STEP_MS });
        await page.locator('.settings-editor', { hasText: 'Run Redline on the files of this workspace folder.' }).waitFor({ timeout: STEP_MS });
        const query = await page.locator('.settings-editor .suggest-input-container').first().textContent();
        assert.match(query ?? '', /@ext:redline\.redline/);
    });
});

/** The first `python3` (or `python`) on `envPath`, as the extension's discovery looks. */
function firstPython(envPath) {
    for (const dir of envPath.split(path.delimiter)) {
        for (const name of ['python3', 'python']) {
            if (dir && existsSync(path.join(dir, name))) {
                return path.join(dir, name);
            }
        }
    }
    return undefined;
}

test(
    'the linux-x64 .vsix alone, with no redline anywhere: bundled Redline shows diagnostics and applies a quick fix',
    { timeout: 12 * 60_000, skip: process.platform !== 'linux' || process.arch !== 'x64' ? 'the bundled libraries are linux-x64 ones' : false },
    async (t) => {
        await shutdown(); // one VS Code at a time
        const dir = path.join(tmp, 'bundled');
        const home = path.join(dir, 'home');
        const userData = path.join(dir, 'user-data');
        const extensions = path.join(dir, 'extensions');
        const workspace = path.join(dir, 'workspace');
        const file = path.join(workspace, 'settings_loader.py');
        for (const d of [home, path.join(userData, 'User'), extensions, workspace]) {
            mkdirSync(d, { recursive: true });
        }
        writeFileSync(file, VULNERABLE);
        // No Redline setting at all: a user who installed the extension and nothing else.
        writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(QUIET_PROFILE, null, 2));
        const env = isolatedEnv(home);
        const common = ['--user-data-dir', userData, '--extensions-dir', extensions];
        const step = stepper(t, userData, 'bundled');
        const port = await freePort();

        await step('no redline on the machine as VS Code sees it', () => {
            assert.ok(existsSync(PLATFORM_VSIX), `the linux-x64 .vsix is missing (make vsix-linux-x64): ${PLATFORM_VSIX}`);
            assert.ok(!env.PATH.split(path.delimiter).some((d) => existsSync(path.join(d, 'redline'))), env.PATH);
            assert.equal(env.PYTHONPATH, undefined);
            // The Python 3.11+ the extension will find first cannot import redline by itself.
            const python = firstPython(env.PATH);
            assert.ok(python, `no python3 on ${env.PATH}`);
            const probe = spawnSync(python, ['-c', 'import sys; assert sys.version_info >= (3, 11); import redline'], { env, cwd: home, encoding: 'utf8' });
            assert.notEqual(probe.status, 0, `${python} imports redline without the extension`);
            assert.match(probe.stderr, /No module named 'redline'/);
        });

        await step('only the linux-x64 .vsix is installed', () => {
            run(CODE_SERVER, [...common, '--install-extension', PLATFORM_VSIX, '--force'], env);
            const listed = run(CODE_SERVER, [...common, '--list-extensions', '--show-versions'], env).trim().split('\n');
            assert.deepEqual(listed, [`redline.redline@${VERSION}`]);
            const installed = readdirSync(extensions).filter((n) => n.startsWith('redline.'));
            assert.deepEqual(installed, [`redline.redline-${VERSION}`]);
            // It is the platform package: its libraries for each Python came with it.
            const libs = readdirSync(path.join(extensions, installed[0], 'bundled', 'libs')).sort();
            assert.deepEqual(libs, ['cp311', 'cp312', 'cp313']);
        });

        await step('code-server starts on loopback', () => startCodeServer(dir, common, env, workspace, port));
        await step('VS Code loads in headless Chromium', () => openVsCode(port, workspace));

        const palette = async (text) => {
            await page.keyboard.press('F1');
            const box = page.locator('.quick-input-widget .quick-input-box input');
            await box.waitFor({ timeout: STEP_MS });
            await box.fill(text);
        };

        await step('the file opens and Redline\'s diagnostics show in the Problems panel', async () => {
            const opened = Date.now(); // the server starts with the first Python file: included
            await palette('settings_loader.py');
            await page.locator('.quick-input-list .monaco-list-row', { hasText: 'settings_loader.py' }).first().waitFor({ timeout: STEP_MS });
            await page.keyboard.press('Enter');
            await page.locator('.tab', { hasText: 'settings_loader.py' }).waitFor({ timeout: STEP_MS });
            await palette('>View: Focus Problems');
            await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Focus Problems' }).first().waitFor({ timeout: STEP_MS });
            await page.keyboard.press('Enter');
            await page.locator('.markers-panel .monaco-list-row', { hasText: FIX_RULE }).first().waitFor({ timeout: STEP_MS });
            await page.locator('.markers-panel .monaco-list-row', { hasText: 'RL102' }).first().waitFor({ timeout: STEP_MS });
            console.log(`timing: bundled-open-to-problems-ms=${Date.now() - opened}`);
        });

        await step('the server is the bundled Redline, run by the first Python on PATH', () => {
            const log = vscodeLogs(userData, Infinity);
            assert.match(log, /Server: \S+ -P -m redline lsp \(from bundled Redline with \S+\)/);
            const servers = descendants(codeServer.pid, / -m redline lsp/);
            assert.equal(servers.length, 1, `Redline server processes: ${servers}`);
            const environ = readFileSync(`/proc/${servers[0]}/environ`, 'utf8').split('\0');
            const libs = path.join(extensions, `redline.redline-${VERSION}`, 'bundled', 'libs');
            const pythonPath = environ.find((e) => e.startsWith('PYTHONPATH='))?.slice('PYTHONPATH='.length);
            assert.match(pythonPath ?? '', new RegExp(`^${libs.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/cp3(11|12|13)$`));
            // Its compiled libraries (tree-sitter, re2) are the extension's: mapped from that folder.
            const maps = readFileSync(`/proc/${servers[0]}/maps`, 'utf8');
            const native = [...new Set(maps.split('\n').map((l) => l.split(/\s+/)[5]).filter((f) => f && /\.so$/.test(f) && /(tree_sitter|re2)/.test(f)))];
            assert.ok(native.length >= 2, `compiled libraries mapped: ${native}`);
            for (const f of native) {
                assert.ok(f.startsWith(pythonPath + '/'), `${f} is not from the extension`);
            }
        });

        await step('the quick fix applies from the lightbulb menu', async () => {
            await palette(':8:16'); // on yaml.load
            await page.keyboard.press('Enter');
            const item = page.locator('.action-widget .monaco-list-row', { hasText: 'safe_load' }).first();
            for (let attempt = 1; ; attempt++) {
                await editorInput().focus();
                await page.keyboard.press('Control+.');
                try {
                    await item.waitFor({ timeout: attempt < 5 ? 5000 : STEP_MS });
                    break;
                } catch (e) {
                    if (attempt >= 5) {
                        throw e;
                    }
                    await page.keyboard.press('Escape');
                }
            }
            await page.locator('.action-widget .monaco-list-row.focused', { hasText: 'safe_load' }).waitFor({ timeout: STEP_MS });
            await page.keyboard.press('Enter');
            await page.waitForFunction(() => /yaml\.safe_load\(f\)/.test(document.querySelector('.editor-instance .view-lines')?.textContent ?? ''), undefined, { timeout: STEP_MS });
            // The finding goes from the Problems panel; the other one stays.
            await page.locator('.markers-panel .monaco-list-row', { hasText: FIX_RULE }).first().waitFor({ state: 'detached', timeout: STEP_MS });
            assert.ok((await page.locator('.markers-panel .monaco-list-row', { hasText: 'RL102' }).count()) >= 1);
            assert.equal(readFileSync(file, 'utf8'), VULNERABLE, 'the fix is in the editor, not saved');
        });
    },
);
