import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
    candidates,
    discover,
    DiscoveryInputs,
    EXECUTABLE_ARGS,
    installCommand,
    MODULE_ARGS,
    pathLookups,
    Probes,
} from '../../src/common/discovery';

const base: DiscoveryInputs = {
    pathSetting: '',
    interpreterSetting: '',
    pythonExtensionInterpreter: undefined,
    envPath: '/usr/local/bin:/usr/bin',
    platform: 'linux',
};

/** Probes that accept exactly the given executables and interpreters, recording what was asked. */
function probes(executables: string[], pythons: string[]): Probes & { asked: string[] } {
    const asked: string[] = [];
    return {
        asked,
        async isExecutable(file) {
            asked.push(`exe:${file}`);
            return executables.includes(file);
        },
        async hasRedlineModule(python) {
            asked.push(`py:${python}`);
            return pythons.includes(python);
        },
    };
}

describe('candidates', () => {
    it('tries redline.path, redline.interpreter, the Python extension, then PATH', () => {
        const list = candidates({
            ...base,
            pathSetting: '/opt/redline/bin/redline',
            interpreterSetting: '/venv/bin/python',
            pythonExtensionInterpreter: '/ext/bin/python',
        });
        assert.deepEqual(
            list.map((c) => c.kind),
            ['path-setting', 'interpreter-setting', 'python-extension', 'PATH', 'PATH'],
        );
        assert.deepEqual(list[0].args, EXECUTABLE_ARGS);
        assert.deepEqual(list[1].args, MODULE_ARGS);
        assert.equal(list[1].command, '/venv/bin/python');
        assert.equal(list[2].command, '/ext/bin/python');
        assert.deepEqual(
            list.slice(3).map((c) => c.command),
            ['/usr/local/bin/redline', '/usr/bin/redline'],
        );
    });

    it('runs the module as `python -P -m redline lsp` so the workspace is not on sys.path', () => {
        assert.deepEqual(MODULE_ARGS, ['-P', '-m', 'redline', 'lsp']);
    });

    it('leaves out settings that are empty', () => {
        assert.deepEqual(
            candidates(base).map((c) => c.kind),
            ['PATH', 'PATH'],
        );
    });
});

describe('pathLookups', () => {
    it('skips empty PATH entries and keeps PATH order', () => {
        assert.deepEqual(pathLookups(':/a::/b/:', 'linux'), ['/a/redline', '/b/redline']);
    });
    it('uses PATHEXT on Windows', () => {
        assert.deepEqual(pathLookups('C:\\Tools;"C:\\Py\\Scripts"', 'win32', '.EXE;.CMD'), [
            'C:\\Tools\\redline.exe',
            'C:\\Tools\\redline.cmd',
            'C:\\Py\\Scripts\\redline.exe',
            'C:\\Py\\Scripts\\redline.cmd',
        ]);
    });
});

describe('discover', () => {
    it('takes redline.path when it is executable, without probing anything else', async () => {
        const p = probes(['/opt/redline'], ['/venv/bin/python']);
        const d = await discover({ ...base, pathSetting: '/opt/redline', interpreterSetting: '/venv/bin/python' }, p);
        assert.equal(d.found?.kind, 'path-setting');
        assert.deepEqual(p.asked, ['exe:/opt/redline']);
    });

    it('falls through a broken redline.path to the interpreter and says why', async () => {
        const p = probes([], ['/venv/bin/python']);
        const d = await discover({ ...base, pathSetting: '/nope', interpreterSetting: '/venv/bin/python' }, p);
        assert.equal(d.found?.kind, 'interpreter-setting');
        assert.equal(d.found?.command, '/venv/bin/python');
        assert.match(d.rejected[0].reason, /\/nope is not an executable file/);
    });

    it("uses the Python extension's interpreter before PATH", async () => {
        const p = probes(['/usr/bin/redline'], ['/ext/python']);
        const d = await discover({ ...base, pythonExtensionInterpreter: '/ext/python' }, p);
        assert.equal(d.found?.kind, 'python-extension');
        assert.deepEqual(p.asked, ['py:/ext/python']);
    });

    it('skips an interpreter without redline and finds redline on PATH', async () => {
        const p = probes(['/usr/bin/redline'], []);
        const d = await discover({ ...base, pythonExtensionInterpreter: '/ext/python' }, p);
        assert.equal(d.found?.kind, 'PATH');
        assert.equal(d.found?.command, '/usr/bin/redline');
        assert.match(d.rejected[0].reason, /cannot import redline/);
    });

    it('reports every place it looked when nothing works', async () => {
        const d = await discover({ ...base, pathSetting: '/x', interpreterSetting: '/py' }, probes([], []));
        assert.equal(d.found, undefined);
        assert.deepEqual(
            d.rejected.map((r) => r.candidate.kind),
            ['path-setting', 'interpreter-setting', 'python-extension', 'PATH'],
        );
    });
});

describe('installCommand', () => {
    it('installs into the known interpreter, quoted for the shell', () => {
        assert.equal(installCommand("/home/o'neil/py", 'linux', 'redline'), "'/home/o'\\''neil/py' -m pip install --upgrade redline");
        assert.equal(installCommand('C:\\Py\\python.exe', 'win32', 'redline'), '& "C:\\Py\\python.exe" -m pip install --upgrade redline');
    });
    it('falls back to pipx without an interpreter', () => {
        assert.equal(installCommand(undefined, 'linux', 'redline'), 'pipx install redline');
    });
});

describe('bundled libraries (platform-specific .vsix)', () => {
    const bundled: DiscoveryInputs = { ...base, envPath: '/usr/bin', bundledLibs: '/ext/bundled/libs' };

    it('runs the bundled copy with the Python extension interpreter first, then Pythons on PATH, after the explicit settings', () => {
        const list = candidates({ ...bundled, interpreterSetting: '/venv/bin/python', pythonExtensionInterpreter: '/ext/bin/python' });
        assert.deepEqual(
            list.slice(0, 3).map((c) => [c.kind, c.command]),
            [
                ['interpreter-setting', '/venv/bin/python'],
                ['bundled', '/ext/bin/python'],
                ['bundled', '/usr/bin/python3'],
            ],
        );
        assert.deepEqual(list[1].args, MODULE_ARGS);
        assert.equal(list[1].libs, '/ext/bundled/libs');
        assert.ok(list.findIndex((c) => c.kind === 'python-extension') > list.findIndex((c) => c.kind === 'bundled'));
    });

    it('picks the first interpreter whose version has bundled libraries and hands their folder on', async () => {
        const asked: string[] = [];
        const p = {
            ...probes([], []),
            async bundledLibsFor(python: string, libs: string) {
                asked.push(python);
                return python === '/usr/bin/python3.12' ? `${libs}/cp312` : undefined;
            },
        };
        const d = await discover(bundled, p);
        assert.equal(d.found?.kind, 'bundled');
        assert.equal(d.found?.command, '/usr/bin/python3.12');
        assert.equal(d.found?.libs, '/ext/bundled/libs/cp312');
        assert.deepEqual(asked, ['/usr/bin/python3', '/usr/bin/python3.13', '/usr/bin/python3.12']);
    });

    it('falls back to the usual discovery and says why when no interpreter fits', async () => {
        const p = { ...probes(['/usr/bin/redline'], []), bundledLibsFor: async () => undefined };
        const d = await discover(bundled, p);
        assert.equal(d.found?.kind, 'PATH');
        assert.ok(d.rejected.some((r) => r.candidate.kind === 'bundled' && /3\.11\+/.test(r.reason)));
    });

    it('a universal .vsix (no bundled libraries) discovers exactly as before', () => {
        assert.ok(!candidates(base).some((c) => c.kind === 'bundled'));
    });
});
