// Names and the file types Redline handles. Pure data: no `vscode` import, so unit tests load it.

export const EXTENSION_NAME = 'Redline';
export const CLIENT_ID = 'redline';
export const CONFIG_SECTION = 'redline';
export const DIAGNOSTIC_SOURCE = 'redline';
export const PYTHON_EXTENSION_ID = 'ms-python.python';
export const PYPI_PACKAGE = 'redline';
export const FIX_ALL_KIND = 'source.fixAll.redline';

/** Server-side commands (workspace/executeCommand); vscode-languageclient registers them. */
export const SERVER_COMMANDS = {
    scanWorkspace: 'redline.scanWorkspace',
} as const;

/** Client-side commands contributed in package.json. */
export const COMMANDS = {
    restart: 'redline.restart',
    showRule: 'redline.showRule',
    fixAll: 'redline.fixAll',
    showOutput: 'redline.showOutput',
    /** Forwarded to the server's command of the same name with the active document. */
    findingsSinceOpen: 'redline.findingsSinceOpen',
} as const;

export const CONTEXT_SERVER_RUNNING = 'redline.serverRunning';

/** VS Code language ids Redline analyses (see server/redline/languages.py LANGUAGE_IDS). */
export const LANGUAGE_IDS: readonly string[] = [
    'python',
    'javascript',
    'javascriptreact',
    'typescript',
    'typescriptreact',
    'go',
    'java',
    'terraform',
    'terraform-vars',
    'hcl',
    'yaml',
    'github-actions-workflow',
    'dockercompose',
    'json',
    'jsonc',
    'toml',
    'dockerfile',
    'shellscript',
    'sh',
    'bash',
    'plaintext',
    'ini',
    'properties',
    'dotenv',
    'pip-requirements',
    'go.mod',
    'gomod',
    'xml',
    // Templates (the templates engine: Jinja/Django, EJS, Handlebars/Mustache, Vue, Svelte).
    'html',
    'jinja',
    'jinja-html',
    'django-html',
    'ejs',
    'html-ejs',
    'handlebars',
    'mustache',
    'vue',
    'svelte',
    // Source files without a grammar, read as text so the secrets engines see them.
    'c',
    'cpp',
    'csharp',
    'objective-c',
    'objective-cpp',
    'swift',
    'kotlin',
    'scala',
    'groovy',
    'dart',
    'php',
    'ruby',
    'perl',
    'lua',
    'powershell',
    'sql',
    'apex',
    'fsharp',
    'vb',
];

/**
 * Manifests and secrets files that VS Code may give an unrelated language id (or none, without the
 * matching language extension); they are selected by name as well.
 */
export const FILE_PATTERNS: readonly string[] = [
    '**/requirements*.txt',
    '**/constraints*.txt',
    '**/go.mod',
    '**/Dockerfile',
    '**/Dockerfile.*',
    '**/*.Dockerfile',
    '**/Containerfile',
    '**/.env',
    '**/.env.*',
    '**/*.env',
    '**/Pipfile',
    '**/*.tf',
    '**/*.tfvars',
    '**/*.hcl',
    '**/.npmrc',
    '**/.pypirc',
    '**/.netrc',
    '**/.git-credentials',
];

export type DocumentFilter = { readonly scheme: string; readonly language: string } | { readonly scheme: string; readonly pattern: string };

/** The language client's document selector: every language and file pattern, on disk and unsaved. */
export function documentSelector(): DocumentFilter[] {
    const out: DocumentFilter[] = [];
    for (const scheme of ['file', 'untitled']) {
        for (const language of LANGUAGE_IDS) {
            out.push({ scheme, language });
        }
    }
    for (const pattern of FILE_PATTERNS) {
        out.push({ scheme: 'file', pattern });
    }
    return out;
}
