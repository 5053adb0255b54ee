// Copies the third-party data notices of the Python package (advisory data, popular-package
// lists) next to the manifest so that the .vsix carries them beside LICENSE (.vscodeignore
// lets them in). Run by `npm run package`.
import { copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const data = join(here, '..', 'server', 'redline', 'data');
for (const name of ['NOTICE-advisories.md', 'LICENSE-Apache-2.0.txt']) {
    copyFileSync(join(data, name), join(here, name));
}
