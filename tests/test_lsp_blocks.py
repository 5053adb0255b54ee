"""The review lens for code inserted at once (issue 18): blocks made by one large content change,
mapped through later edits; their findings tagged in Diagnostic.data and the hover; a code lens
with commands to list the findings and to mark the block reviewed; findings since open."""

from __future__ import annotations

import pytest
from lsprotocol import types

from lsp.fixtures import lsp, vscode  # noqa: F401 - fixtures
from lsp.harness import change, diagnostics, initialize, mark, open_doc
from redline.documents.store import Change
from redline.lsp import blocks
from redline.lsp import session as session_mod
from redline.lsp.blocks import Block, Edit
from redline.lsp.handlers import code_lens, commands
from redline.lsp.settings import ServerSettings, parse
from redline.documents.edits import ByteEdit

URI = "file:///w/app.py"
HEAD = "import sqlite3\n\n\nCONSTANT = 1\n"  # the block goes in at line 2
SQL_LINE = 5  # the line of the execute call, counted in BLOCK
BLOCK = "".join(
    [
        "def lookup(conn, name):\n",
        "    # fetch one user by name\n",
        "    cur = conn.cursor()\n",
        "    query_name = name.strip()\n",
        "    limit = 1\n",
        "    cur.execute(f\"SELECT * FROM users WHERE name = '{query_name}' LIMIT {limit}\")\n",
        "    row = cur.fetchone()\n",
        "    if row is None:\n",
        "        return None\n",
        "    return row\n",
        "\n",
        "\n",
        "def count(conn):\n",
        "    cur = conn.cursor()\n",
        "    cur.execute(\"SELECT count(*) FROM users\")\n",
        "    (n,) = cur.fetchone()\n",
        "    return n\n",
        "\n",
        "\n",
        "TOTAL = 0\n",
    ]
)
assert BLOCK.count("\n") == 20


class Sink:
    def __init__(self):
        self.published, self.shown, self.logs, self.refreshes = [], [], [], 0

    def publish(self, uri, version, diagnostics):
        self.published.append((uri, version, diagnostics))

    def log(self, level, message):
        self.logs.append(message)

    def show(self, level, message):
        self.shown.append(message)

    def refresh(self):
        self.refreshes += 1


def _session(**settings) -> tuple[session_mod.Session, Sink]:
    sink = Sink()
    s = session_mod.Session(sink)
    s.configure(ServerSettings(worker_process=False, **settings))
    return s, sink


def _pasted(**settings):
    s, sink = _session(**settings)
    s.open(URI, "python", 1, HEAD)
    s.change(URI, 2, [Change(((2, 0), (2, 0)), BLOCK)])
    return s, sink


def _titles(s) -> list[tuple[int, str]]:
    return [(lens["range"]["start"]["line"], lens["command"]["title"]) for lens in code_lens.lenses(s, URI)]


def _rl101(s) -> dict:
    (d,) = [d for d in s.record(URI).report.diagnostics if d["code"] == "RL101"]
    return d


# ------------------------------------------------------------------ pure block mapping


def test_block_maps_through_edits():
    b = Block("b1", 100, 200)
    assert blocks.map_block(b, ByteEdit(10, 10, 15)) == Block("b1", 105, 205)  # typed above
    assert blocks.map_block(b, ByteEdit(100, 100, 103)) == Block("b1", 103, 203)  # typed at its start
    assert blocks.map_block(b, ByteEdit(200, 200, 210)) == b  # typed at its end: outside
    assert blocks.map_block(b, ByteEdit(250, 260, 250)) == b  # below
    assert blocks.map_block(b, ByteEdit(150, 150, 160)) == Block("b1", 100, 210)  # grows inside
    assert blocks.map_block(b, ByteEdit(150, 170, 150)) == Block("b1", 100, 180)  # shrinks inside
    assert blocks.map_block(b, ByteEdit(90, 110, 95)) == Block("b1", 90, 185)  # cuts its top
    assert blocks.map_block(b, ByteEdit(190, 220, 195)) == Block("b1", 100, 195)  # cuts its bottom
    assert blocks.map_block(b, ByteEdit(100, 200, 100)) is None  # deleted
    assert blocks.map_block(b, ByteEdit(50, 300, 60)) is None  # deleted with more


def test_overlapping_blocks_merge_and_keep_the_oldest_id():
    assert blocks.merge([Block("b3", 150, 260), Block("b1", 100, 200), Block("b2", 300, 400)]) == (
        Block("b1", 100, 260),
        Block("b2", 300, 400),
    )


def test_typing_never_makes_a_block_and_a_paste_does():
    text = BLOCK.encode()
    ids = iter(f"b{i}" for i in range(1, 100))
    data, current = b"", ()
    for i, ch in enumerate(text):  # the whole block, one character per change
        new = data + bytes([ch])
        current = blocks.track(current, data, [Edit(ByteEdit(i, i, i + 1), bytes([ch]))], new, 8, lambda: next(ids))
        data = new
    assert current == ()
    pasted = blocks.track((), b"", [Edit(ByteEdit(0, 0, len(text)), text)], text, 8, lambda: "b1")
    assert pasted == (Block("b1", 0, len(text.rstrip())),)  # trailing blank lines are not part of it
    short = b"x = 1\ny = 2\n"
    assert blocks.track((), b"", [Edit(ByteEdit(0, 0, len(short)), short)], short, 8, lambda: "b1") == ()
    one_liner = b"x = " + b"1 + " * 110 + b"1\n"  # over 400 characters on one line
    assert blocks.is_large(one_liner, 8) and not blocks.is_large(b"\n\n\n\n\n\n\n\n\n\n", 8)


def test_whole_document_sync_keystrokes_are_keystrokes():
    """Clients that send the full text on each change: only the difference counts."""
    ids = iter(["b1", "b2"])
    before = HEAD.encode()
    after = before + b"#"
    assert blocks.track((), before, [Edit(ByteEdit(0, len(before), len(after)), after, True)], after, 8, lambda: next(ids)) == ()
    pasted = before + BLOCK.encode()
    (b,) = blocks.track((), before, [Edit(ByteEdit(0, len(before), len(pasted)), pasted, True)], pasted, 8, lambda: next(ids))
    assert (b.start, pasted[b.start : b.end]) == (len(before), BLOCK.rstrip().encode())


def test_a_formatter_rewriting_the_file_makes_no_block_and_keeps_blocks_elsewhere():
    text = (HEAD + BLOCK + "print( 1 )\n").encode()
    ids = iter(["b2", "b3"])
    b = Block("b1", len(HEAD), len(HEAD) + len(BLOCK.rstrip()))
    formatted = text.replace(b"print( 1 )", b"print(1)").replace(b"CONSTANT = 1", b"CONSTANT  =  1")
    # One edit replacing the whole text with the formatted text: two lines differ, one above
    # the block and one below it.
    edit = Edit(ByteEdit(0, len(text), len(formatted)), formatted)
    assert blocks.track((b,), text, [edit], formatted, 8, lambda: next(ids)) == (Block("b1", b.start + 2, b.end + 2),)
    (b,) = blocks.track((b,), text, [edit], formatted, 8, lambda: next(ids))
    # A large new text over a selection does make a block.
    other = BLOCK.replace("lookup", "find").replace("count", "total").replace("users", "people").encode()
    start = formatted.index(b"print(1)")
    replaced = formatted[:start] + other + formatted[start + 8 :]
    new = blocks.track((b,), formatted, [Edit(ByteEdit(start, start + 8, start + len(other)), other)], replaced, 8, lambda: next(ids))
    assert [x.id for x in new] == ["b1", "b2"]


# ------------------------------------------------------------------ the session


def test_paste_makes_a_lens_and_tags_its_finding():
    s, sink = _pasted()
    assert _titles(s) == [(2, "Inserted block: 1 security finding"), (2, "Mark reviewed")]
    d = _rl101(s)
    assert d["range"]["start"]["line"] == 2 + SQL_LINE
    assert d["data"]["inserted"] is True and d["data"]["block"] == s.record(URI).blocks[0].id
    # The published JSON (what the client gets) carries the tag too.
    assert sink.published[-1][1] == 2
    (published,) = [p for p in sink.published[-1][2] if p["code"] == "RL101"]
    assert published["data"]["inserted"] is True


def test_published_json_carries_the_tag():
    import json

    s, _ = _pasted()
    converter = s.record(URI).converter
    (d,) = [d for d in json.loads(converter.json) if d["code"] == "RL101"]
    assert d["data"]["inserted"] is True and d["data"]["block"] == s.record(URI).blocks[0].id


def test_typing_the_same_code_makes_no_block():
    s, _ = _session()
    s.open(URI, "python", 1, HEAD)
    line, col, version = 2, 0, 2
    for ch in BLOCK:
        s.change(URI, version, [Change(((line, col), (line, col)), ch)])
        version += 1
        line, col = (line + 1, 0) if ch == "\n" else (line, col + 1)
    assert not s.record(URI).blocks and _titles(s) == []
    assert "inserted" not in _rl101(s)["data"]


def test_an_edit_above_moves_the_lens_and_one_inside_keeps_it():
    s, _ = _pasted()
    s.change(URI, 3, [Change(((0, 0), (0, 0)), "import os\nimport sys\n")])
    assert _titles(s)[0] == (4, "Inserted block: 1 security finding")
    assert _rl101(s)["data"]["inserted"] is True
    s.change(URI, 4, [Change(((5, 0), (5, 0)), "    # checked\n")])  # a line typed inside it
    assert _titles(s)[0] == (4, "Inserted block: 1 security finding")
    (b,) = s.record(URI).blocks
    assert b"# checked" in s.document(URI).data[b.start : b.end]


def test_deleting_the_block_removes_it():
    s, sink = _pasted()
    assert _titles(s)
    s.change(URI, 3, [Change(((2, 0), (22, 0)), "")])
    assert s.document(URI).text == HEAD
    assert not s.record(URI).blocks and _titles(s) == []


def test_fixing_the_finding_updates_the_count():
    s, _ = _pasted()
    line = 2 + SQL_LINE
    text = s.document(URI).text.splitlines()[line]
    s.change(URI, 3, [Change(((line, 0), (line, len(text))), '    cur.execute("SELECT * FROM users WHERE name = ?", (query_name,))')])
    assert _titles(s)[0] == (2, "Inserted block: no security findings")


def test_marking_reviewed_removes_lens_and_tag():
    s, sink = _pasted()
    refreshed = []
    s.lens_refresh = lambda: refreshed.append(True)
    (b,) = s.record(URI).blocks
    before = len(sink.published)
    result = commands.mark_block_reviewed(s, [URI, b.id])
    assert result["reviewed"] is True
    assert _titles(s) == []
    assert "inserted" not in _rl101(s)["data"]
    assert len(sink.published) == before + 1  # the diagnostics again, without the tag
    assert all("inserted" not in d["data"] for d in sink.published[-1][2])
    assert refreshed  # the lens count changed: the client is asked to fetch lenses again
    assert commands.mark_block_reviewed(s, [URI, b.id])["reviewed"] is False


def test_show_block_findings_lists_and_shows_them():
    s, sink = _pasted()
    (b,) = s.record(URI).blocks
    result = commands.show_block_findings(s, [URI, b.id])
    assert [f["rule"] for f in result["findings"]] == ["RL101"]
    assert result["findings"][0]["range"]["start"]["line"] == 2 + SQL_LINE and result["startLine"] == 2
    assert "RL101 line 8" in sink.shown[-1]
    from pygls.exceptions import JsonRpcInvalidParams

    with pytest.raises(JsonRpcInvalidParams):
        commands.show_block_findings(s, [URI, "b999"])


def test_setting_off_makes_no_lenses_and_drops_blocks():
    s, _ = _pasted(review_lens=False)
    assert not s.record(URI).blocks and _titles(s) == [] and "inserted" not in _rl101(s)["data"]
    s, _ = _pasted()
    assert _titles(s)
    s.configure(ServerSettings(worker_process=False, review_lens=False))
    s.config_changed()
    assert _titles(s) == [] and "inserted" not in _rl101(s)["data"]


def test_threshold_setting():
    s, _ = _pasted(review_lens_min_lines=30)
    assert not s.record(URI).blocks
    s, _ = _pasted(review_lens_min_lines=20)
    assert s.record(URI).blocks
    settings, problems = parse({"reviewLens": False, "reviewLensMinLines": 3})
    assert problems == [] and settings.review_lens is False and settings.review_lens_min_lines == 3
    settings, problems = parse({"review-lens": "no", "review_lens_min_lines": 0})
    assert settings.review_lens is True and settings.review_lens_min_lines == 8 and len(problems) == 2


def test_blocks_are_dropped_on_close():
    s, _ = _pasted()
    assert s.record(URI).blocks
    s.close(URI)
    assert s.record(URI) is None  # the record, blocks included, goes with the document
    s.open(URI, "python", 5, HEAD + BLOCK)
    assert not s.record(URI).blocks and _titles(s) == []


def test_findings_since_open():
    s, sink = _session()
    s.open(URI, "python", 1, "import os\n\n\ndef run(cmd):\n    os.system('ls ' + cmd)\n")
    assert commands.findings_since_open(s, [URI]) == {"documents": {URI: []}, "count": 0}
    s.change(URI, 2, [Change(((5, 0), (5, 0)), "\n\ndef other(cmd):\n    os.system('rm ' + cmd)\n")])  # typed: no block
    s.change(URI, 3, [Change(((0, 0), (0, 0)), "import sqlite3\n\n\n" + BLOCK)])  # pasted
    result = commands.findings_since_open(s, [])
    found = result["documents"][URI]
    assert sorted(f["rule"] for f in found) == ["RL101", "RL102"] and result["count"] == 2
    by_rule = {f["rule"]: f for f in found}
    assert by_rule["RL102"]["range"]["start"]["line"] > by_rule["RL101"]["range"]["start"]["line"]
    assert "block" in by_rule["RL101"] and "block" not in by_rule["RL102"]  # only the pasted one
    assert "2 findings since opened" in sink.shown[-1]


# ------------------------------------------------------------------ over the protocol


async def test_lens_hover_and_commands_over_lsp(lsp, tmp_path):  # noqa: F811
    vscode = lsp  # VS Code's capabilities, then Neovim's (no workspace/codeLens/refresh)
    result = await initialize(vscode, lsp.client_name, tmp_path)
    assert result.capabilities.code_lens_provider is not None
    commands_offered = result.capabilities.execute_command_provider.commands
    assert {"redline.showBlockFindings", "redline.markBlockReviewed", "redline.findingsSinceOpen"} <= set(commands_offered)
    uri = open_doc(vscode, tmp_path / "app.py", HEAD)
    await diagnostics(vscode, uri, 1)
    since = mark(vscode)
    change(vscode, uri, 2, [((2, 0), (2, 0), BLOCK)])
    (d,) = [d for d in await diagnostics(vscode, uri, 2, since) if d.code == "RL101"]
    assert d.data["inserted"] is True
    doc = types.TextDocumentIdentifier(uri=uri)
    lenses = await vscode.text_document_code_lens_async(types.CodeLensParams(text_document=doc))
    assert [(lens.range.start.line, lens.command.title) for lens in lenses] == [
        (2, "Inserted block: 1 security finding"),
        (2, "Mark reviewed"),
    ]
    hover = await vscode.text_document_hover_async(
        types.HoverParams(text_document=doc, position=types.Position(d.range.start.line, d.range.start.character + 2))
    )
    assert "In a block inserted at once — review before commit" in hover.contents.value
    show = lenses[0].command
    listed = await vscode.workspace_execute_command_async(types.ExecuteCommandParams(command=show.command, arguments=show.arguments))
    assert [f["rule"] for f in listed["findings"]] == ["RL101"]
    assert [(p.uri, p.selection.start.line) for p in vscode.shown_documents] == [(uri, d.range.start.line)]  # located
    reviewed = lenses[1].command
    since = mark(vscode)
    await vscode.workspace_execute_command_async(types.ExecuteCommandParams(command=reviewed.command, arguments=reviewed.arguments))
    assert list(await vscode.text_document_code_lens_async(types.CodeLensParams(text_document=doc)) or []) == []
    (d,) = [d for d in await diagnostics(vscode, uri, 2, since) if d.code == "RL101"]
    assert "inserted" not in d.data
    # The lens count changed without an edit: refreshed where the client supports it.
    refreshes = vscode.recorder.of(types.WORKSPACE_CODE_LENS_REFRESH)  # the harness answers and records it
    assert bool(refreshes) == (lsp.client_name == "visual-studio-code")
    hover = await vscode.text_document_hover_async(
        types.HoverParams(text_document=doc, position=types.Position(d.range.start.line, d.range.start.character + 2))
    )
    assert "inserted at once" not in hover.contents.value
    since_open = await vscode.workspace_execute_command_async(
        types.ExecuteCommandParams(command="redline.findingsSinceOpen", arguments=[uri])
    )
    assert [f["rule"] for f in since_open["documents"][uri]] == ["RL101"]


def test_documented_and_declared_for_vs_code():
    import json

    from lsp.harness import ROOT

    editors = (ROOT / "docs" / "editors.md").read_text()
    for name in (code_lens.SHOW_BLOCK_FINDINGS, code_lens.MARK_BLOCK_REVIEWED, commands.FINDINGS_SINCE_OPEN):
        assert f"`{name}`" in editors
    assert "`reviewLens`" in editors and "`reviewLensMinLines`" in editors
    properties = json.loads((ROOT / "vscode-client" / "package.json").read_text())["contributes"]["configuration"]["properties"]
    assert properties["redline.reviewLens"]["default"] is ServerSettings().review_lens
    assert properties["redline.reviewLensMinLines"]["default"] == ServerSettings().review_lens_min_lines
