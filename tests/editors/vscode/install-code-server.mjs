#!/usr/bin/env node
// Install code-server (VS Code in a browser) from npm into a gitignored folder, offline apart from
// the npm registry. Idempotent: returns at once when the stamp file exists.
//
//   node install-code-server.mjs <dir> <version>
//
// What has to be handled to install it as root, without downloads from outside the registry:
// - its postinstall refuses to run as root without npm_config_unsafe_perm=true;
// - node-pty runs `npx node-gyp` (npm_config_yes=true), native modules build against the
//   Node headers Debian ships (npm_config_nodedir=/usr, instead of a download from nodejs.org),
//   and the kerberos module needs Debian's libkrb5-dev;
// - @vscode/ripgrep's postinstall downloads ripgrep from GitHub unless
//   $TMPDIR/vscode-ripgrep-cache-<package version>/ripgrep-<tag>-<target>.tar.gz exists: we put
//   Debian's /usr/bin/rg there, as `rg` at the top of the archive (lib/download.js untars it
//   into bin/ and expects bin/rg);
// - argon2 (node-pre-gyp) and kerberos (prebuild-install) try GitHub for prebuilt binaries first:
//   npm_config_build_from_source=true makes them build from source straight away;
// - npm 11 skips dependencies' install scripts unless allowed: code-server needs them all.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const [dirArg, version] = process.argv.slice(2);
if (!dirArg || !version) {
    console.error('usage: install-code-server.mjs <dir> <version>');
    process.exit(2);
}
const dir = path.resolve(dirArg);
const stamp = path.join(dir, '.installed-stamp');
if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === version) {
    process.exit(0);
}

function run(cmd, args, opts = {}) {
    console.log(`+ ${cmd} ${args.join(' ')}`);
    return execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
}

for (const tool of ['/usr/bin/rg', '/usr/include/node/node.h']) {
    if (!existsSync(tool)) {
        console.error(`${tool} is missing: run \`make vscode-system\` (Debian ripgrep and nodejs headers)`);
        process.exit(1);
    }
}
if (process.versions.node.split('.')[0] !== '20') {
    console.error(`code-server ${version} needs Node 20; this is Node ${process.versions.node}`);
    process.exit(1);
}

rmSync(dir, { recursive: true, force: true });
const tmp = path.join(dir, 'tmp');
mkdirSync(tmp, { recursive: true });
writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'redline-test-code-server', private: true, dependencies: { 'code-server': version } }, null, 2),
);
const env = {
    ...process.env,
    TMPDIR: tmp,
    npm_config_unsafe_perm: 'true',
    npm_config_yes: 'true',
    npm_config_nodedir: '/usr',
    npm_config_build_from_source: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_dangerously_allow_all_scripts: 'true',
};

// 1. The package and its own dependencies, without running any install script yet.
run('npm', ['install', '--ignore-scripts', '--no-package-lock'], { cwd: dir, env });

// 2. Which @vscode/ripgrep VS Code pins, and which ripgrep release its postinstall fetches.
const vscodeDir = path.join(dir, 'node_modules', 'code-server', 'lib', 'vscode');
const shrinkwrap = JSON.parse(readFileSync(path.join(vscodeDir, 'npm-shrinkwrap.json'), 'utf8'));
const rgPackageVersion = shrinkwrap.packages['node_modules/@vscode/ripgrep'].version;
const packDir = mkdtempSync(path.join(tmp, 'ripgrep-pack-'));
const tarball = execFileSync('npm', ['pack', `@vscode/ripgrep@${rgPackageVersion}`, '--silent'], { cwd: packDir, env })
    .toString()
    .trim()
    .split('\n')
    .pop();
run('tar', ['xzf', tarball, 'package/lib/postinstall.js'], { cwd: packDir });
const postinstall = readFileSync(path.join(packDir, 'package', 'lib', 'postinstall.js'), 'utf8');
const tag = /const VERSION = '([^']+)'/.exec(postinstall)?.[1];
const target = { x64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-musl' }[os.arch()];
if (!tag || !target || os.platform() !== 'linux') {
    console.error(`cannot tell which ripgrep @vscode/ripgrep ${rgPackageVersion} wants on ${os.platform()}/${os.arch()}`);
    process.exit(1);
}

// 3. Debian's ripgrep in its download cache, laid out like the release archive.
const cache = path.join(tmp, `vscode-ripgrep-cache-${rgPackageVersion}`);
const staging = path.join(packDir, 'rg');
mkdirSync(cache, { recursive: true });
mkdirSync(staging);
copyFileSync('/usr/bin/rg', path.join(staging, 'rg'));
run('tar', ['czf', path.join(cache, `ripgrep-${tag}-${target}.tar.gz`), '-C', staging, 'rg']);

// 4. Every install script now: argon2's, and code-server's postinstall, which installs VS Code's
//    dependencies and builds their native modules.
run('npm', ['rebuild', '--foreground-scripts'], { cwd: dir, env });

// 5. Check the parts the end-to-end test depends on.
for (const file of [
    path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'),
    path.join(vscodeDir, 'node_modules', 'node-pty', 'package.json'),
    path.join(vscodeDir, 'node_modules', 'kerberos', 'package.json'),
]) {
    if (!existsSync(file)) {
        console.error(`code-server install incomplete: ${file} is missing`);
        process.exit(1);
    }
}
run(path.join(dir, 'node_modules', '.bin', 'code-server'), ['--version'], { env });
rmSync(packDir, { recursive: true, force: true });
writeFileSync(stamp, `${version}\n`);
