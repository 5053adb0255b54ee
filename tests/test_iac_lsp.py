"""IaC findings in the editor: diagnostics for Terraform, Dockerfile and workflow documents opened
with the editors' language ids, and the quick fix applied through a code action."""

from __future__ import annotations

import pytest
from lsprotocol import types

from lsp.fixtures import vscode  # noqa: F401 - fixture
from lsp.harness import apply_edits, change, codes, diagnostics, edits_of, initialize, open_doc

pytestmark = pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")

WORKFLOW = (
    "on: issues\njobs:\n  triage:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - run: echo \"${{ github.event.issue.title }}\"\n"
)
TERRAFORM = 'resource "aws_ebs_volume" "v" {\n  size = 10\n}\n'
DOCKERFILE = "FROM debian:12\nRUN chmod 777 /srv\nUSER 10001\n"


async def _fix(client, uri, diag):
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag]),
        )
    )
    return next(a for a in actions if a.kind == types.CodeActionKind.QuickFix and not a.title.startswith("Suppress"))


@pytest.mark.parametrize(
    "name,language_id,text,code,expected",
    [
        (".github/workflows/triage.yml", "github-actions-workflow", WORKFLOW, "RL560", 'run: echo "${ISSUE_TITLE}"'),
        ("main.tf", "terraform", TERRAFORM, "RL503", "  encrypted = true\n"),
        ("Dockerfile", "dockerfile", DOCKERFILE, "RL535", "chmod 775 /srv"),
    ],
)
async def test_iac_diagnostic_and_quick_fix(vscode, tmp_path, name, language_id, text, code, expected):  # noqa: F811
    await initialize(vscode, "visual-studio-code", tmp_path)
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    uri = open_doc(vscode, path, text, language_id=language_id)
    diags = [d for d in await diagnostics(vscode, uri, 1) if d.code == code]
    assert diags, f"no {code} diagnostic"
    d = diags[0]
    assert d.source == "redline" and d.code == code
    assert d.code_description is None or d.code_description.href.endswith(f"{code}.md")  # only with a docs URL
    action = await _fix(vscode, uri, d)
    edits, _version = edits_of(action.edit, uri)
    fixed = apply_edits(text, edits)
    assert expected in fixed
    change(vscode, uri, 2, fixed)
    assert code not in codes(await diagnostics(vscode, uri, 2))
