import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
    ConfigurationView,
    droppedKeys,
    expandPath,
    explicitValue,
    Inspected,
    needsRestart,
    readClientSettings,
    readServerSettings,
} from '../../src/common/settings';

/** A configuration where `user` holds the user's values and `defaults` the manifest defaults. */
function config(user: Record<string, unknown>, defaults: Record<string, unknown> = {}): ConfigurationView {
    return {
        get<T>(key: string): T | undefined {
            return (key in user ? user[key] : defaults[key]) as T | undefined;
        },
        inspect<T>(key: string): Inspected<T> | undefined {
            return { defaultValue: defaults[key] as T, globalValue: user[key] as T };
        },
    };
}

const DEFAULTS = { enable: true, path: '', interpreter: '', minSeverity: 'hint', select: [], ignore: [], engines: {}, online: false };

describe('readServerSettings', () => {
    it('sends nothing the user did not set, so the project file and server defaults apply', () => {
        const m = readServerSettings(config({}, DEFAULTS));
        assert.deepEqual(m.value, {});
        assert.deepEqual(m.problems, []);
    });

    it('maps every setting to the camelCase key redline.config accepts', () => {
        const m = readServerSettings(
            config({
                select: ['RL1', 'sql-injection'],
                ignore: ['RL201'],
                minSeverity: 'Warning',
                minConfidence: 'medium',
                engines: { bandit: false, 'detect-secrets': true },
                online: true,
            }),
        );
        assert.deepEqual(m.value, {
            select: ['RL1', 'sql-injection'],
            ignore: ['RL201'],
            minSeverity: 'warning',
            minConfidence: 'medium',
            engines: { bandit: false, 'detect-secrets': true },
            online: true,
        });
        assert.deepEqual(m.problems, []);
    });

    it('keeps the valid rest when one value is bad', () => {
        const m = readServerSettings(
            config({ minSeverity: 'loud', engines: { bandit: 'no', nope: true, secrets: false }, select: ['RL101', 7], online: 'yes' }),
        );
        assert.deepEqual(m.value, { engines: { secrets: false }, select: ['RL101'] });
        assert.equal(m.problems.length, 5);
        assert.match(m.problems.join('\n'), /minSeverity: expected one of error, warning, info, hint/);
        assert.match(m.problems.join('\n'), /engines\.nope: unknown engine/);
        assert.match(m.problems.join('\n'), /engines\.bandit: expected true or false/);
        assert.match(m.problems.join('\n'), /online: expected true or false/);
    });

    it("passes the server's own keys, with canonical spelling and expanded paths", () => {
        const m = readServerSettings(
            config({ configurationPreference: 'filesystemfirst', configFile: '~/r.toml', scanWorkspaceOnStartup: true, logLevel: 'DEBUG' }),
            (p) => p.replace('~', '/home/me'),
        );
        assert.deepEqual(m.value, {
            configurationPreference: 'filesystemFirst',
            configFile: '/home/me/r.toml',
            scanWorkspaceOnStartup: true,
            logLevel: 'debug',
        });
        assert.deepEqual(m.problems, []);
    });

    it('passes the review lens settings and refuses a threshold below one line', () => {
        assert.deepEqual(readServerSettings(config({ reviewLens: false, reviewLensMinLines: 20 })).value, {
            reviewLens: false,
            reviewLensMinLines: 20,
        });
        const bad = readServerSettings(config({ reviewLens: 'off', reviewLensMinLines: 0 }));
        assert.deepEqual(bad.value, {});
        assert.equal(bad.problems.length, 2);
        assert.match(bad.problems.join('\n'), /reviewLensMinLines: expected a whole number of at least 1/);
    });

    it('accepts a comma-separated string for select', () => {
        assert.deepEqual(readServerSettings(config({ select: 'RL101, RL102' })).value, { select: ['RL101', 'RL102'] });
    });
});

describe('droppedKeys', () => {
    it('names the keys that were sent before and are unset now', () => {
        assert.deepEqual(droppedKeys({ select: ['RL1'], online: true }, { online: false }), ['select']);
        assert.deepEqual(droppedKeys({}, { online: true }), []);
    });
});

describe('explicitValue', () => {
    it('prefers the folder over the workspace over the user', () => {
        assert.equal(explicitValue({ globalValue: 'a', workspaceValue: 'b', workspaceFolderValue: 'c' }), 'c');
        assert.equal(explicitValue({ globalValue: 'a', workspaceValue: 'b' }), 'b');
        assert.equal(explicitValue({ defaultValue: 'd' }), undefined);
    });
});

describe('readClientSettings', () => {
    it('reads defaults and trims paths', () => {
        assert.deepEqual(readClientSettings(config({ path: '  /x/redline ' }, DEFAULTS)), {
            enable: true,
            path: '/x/redline',
            interpreter: '',
            trace: 'off',
        });
        assert.equal(readClientSettings(config({ enable: false, 'trace.server': 'verbose' })).enable, false);
        assert.equal(readClientSettings(config({ 'trace.server': 'verbose' })).trace, 'verbose');
        assert.equal(readClientSettings(config({ 'trace.server': 'loud' })).trace, 'off');
    });
});

describe('needsRestart', () => {
    it('restarts for client settings only', () => {
        assert.equal(needsRestart((s) => s === 'redline.path'), true);
        assert.equal(needsRestart((s) => s === 'redline.trace.server'), true);
        assert.equal(needsRestart((s) => s === 'redline.select'), false);
    });
});

describe('expandPath', () => {
    const vars = { workspaceFolder: '/ws', home: '/home/me', env: { VENV: '/venvs/a' } };
    it('expands the variables VS Code users write', () => {
        assert.equal(expandPath('${workspaceFolder}/.venv/bin/python', vars), '/ws/.venv/bin/python');
        assert.equal(expandPath('~/bin/redline', vars), '/home/me/bin/redline');
        assert.equal(expandPath('${userHome}/x', vars), '/home/me/x');
        assert.equal(expandPath('${env:VENV}/bin/python', vars), '/venvs/a/bin/python');
        assert.equal(expandPath('${env:MISSING}/python', vars), '/python');
    });
    it('leaves ${workspaceFolder} alone without a folder', () => {
        assert.equal(expandPath('${workspaceFolder}/x', { home: '/h', env: {} }), '${workspaceFolder}/x');
    });
});
