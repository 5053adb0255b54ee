import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
    { ignores: ['out/**', 'dist/**', 'node_modules/**', '*.mjs'] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ['src/**/*.ts', 'test/**/*.ts'],
        rules: {
            '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
            '@typescript-eslint/no-floating-promises': 'off',
            eqeqeq: 'error',
            curly: 'error',
            'no-restricted-imports': [
                'error',
                { paths: [{ name: 'vscode', message: 'Only src/extension.ts and the vscode-facing modules import vscode.' }] },
            ],
        },
    },
    {
        // Modules that talk to VS Code; the pure ones (constants, settings, discovery, status, rules)
        // must stay importable by the unit tests, which run without VS Code.
        files: [
            'src/extension.ts',
            'src/common/commands.ts',
            'src/common/log.ts',
            'src/common/notify.ts',
            'src/common/python.ts',
            'src/common/server.ts',
            'src/common/statusBar.ts',
        ],
        rules: { 'no-restricted-imports': 'off' },
    },
);
