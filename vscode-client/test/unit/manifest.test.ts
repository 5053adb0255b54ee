// package.json and the code agree: activation, document selector, settings, engines.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { COMMANDS, documentSelector, FILE_PATTERNS, LANGUAGE_IDS, SERVER_COMMANDS } from '../../src/common/constants';
import { CLIENT_KEYS, CONFIDENCES, ENGINES, SERVER_KEYS, SEVERITIES } from '../../src/common/settings';

// Compiled to out/test/unit/, so the package root is three levels up.
const root = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const properties: Record<string, { enum?: string[]; properties?: Record<string, unknown> }> =
    manifest.contributes.configuration.properties;

describe('package.json', () => {
    it('keeps engines.vscode at or below 1.100 (the VS Code the end-to-end test runs)', () => {
        const m = /^\^1\.(\d+)\.\d+$/.exec(manifest.engines.vscode);
        assert.ok(m, manifest.engines.vscode);
        assert.ok(Number(m[1]) <= 100);
        assert.equal(manifest.devDependencies['@types/vscode'], '1.100.0');
    });

    it('activates on every language the client sends to the server', () => {
        for (const id of LANGUAGE_IDS) {
            assert.ok(manifest.activationEvents.includes(`onLanguage:${id}`), id);
        }
        const selector = documentSelector();
        for (const id of LANGUAGE_IDS) {
            assert.ok(selector.some((f) => 'language' in f && f.language === id && f.scheme === 'file'), id);
        }
        for (const pattern of FILE_PATTERNS) {
            assert.ok(selector.some((f) => 'pattern' in f && f.pattern === pattern), pattern);
        }
    });

    it('declares every setting the code reads', () => {
        for (const key of [...CLIENT_KEYS, ...SERVER_KEYS]) {
            assert.ok(properties[`redline.${key}`], key);
        }
        assert.deepEqual(properties['redline.minSeverity'].enum, [...SEVERITIES]);
        assert.deepEqual(properties['redline.minConfidence'].enum, [...CONFIDENCES]);
        assert.deepEqual(Object.keys(properties['redline.engines'].properties ?? {}), [...ENGINES]);
    });

    it('contributes every command', () => {
        const declared = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
        assert.deepEqual(declared, [...Object.values(COMMANDS), ...Object.values(SERVER_COMMANDS)].sort());
    });
});
