"""The server's index of which open documents read which other files (issue 14, the editor part):
a Java class's method called from an open document is summarised in its own file, so when that
file changes (saved in the editor, or changed on disk and reported by the client's file watcher)
the open documents that call it are re-checked and re-published."""

from __future__ import annotations

from lsprotocol import types

from lsp.fixtures import vscode  # noqa: F401 - fixture
from lsp.harness import capabilities, codes, initialize, mark, open_doc, published
from redline.workspace import ReadIndex

PAYMENTS = (
    "package org.acme.billing;\n"
    "import java.sql.*;\n"
    "import javax.servlet.http.*;\n"
    "import org.acme.common.Inputs;\n"
    "public class Refunds extends HttpServlet {\n"
    "  protected void doPost(HttpServletRequest request, HttpServletResponse response) throws Exception {\n"
    "    Connection db = DriverManager.getConnection(\"jdbc:h2:mem:x\");\n"
    "    String order = new Inputs(request).order();\n"
    "    db.createStatement().execute(\"DELETE FROM refunds WHERE order_id = \" + order);\n"
    "  }\n"
    "}\n"
)


def inputs(body: str) -> str:
    return (
        "package org.acme.common;\n"
        "import javax.servlet.http.HttpServletRequest;\n"
        "public class Inputs {\n"
        "  private final HttpServletRequest request;\n"
        "  public Inputs(HttpServletRequest request) { this.request = request; }\n"
        f"  public String order() {{ {body} }}\n"
        "}\n"
    )


CONSTANT = 'return "42";'
FROM_REQUEST = 'return request.getParameter("order");'


def project(tmp_path):
    src = tmp_path / "src" / "main" / "java"
    helper = src / "org/acme/common/Inputs.java"
    helper.parent.mkdir(parents=True)
    helper.write_text(inputs(CONSTANT))
    servlet = src / "org/acme/billing/Refunds.java"
    servlet.parent.mkdir(parents=True)
    servlet.write_text(PAYMENTS)
    return helper, servlet


def has_rl101(p) -> bool:
    return "RL101" in codes(p.diagnostics)


async def test_a_helper_class_changed_on_disk_rechecks_its_callers(vscode, tmp_path):  # noqa: F811
    helper, servlet = project(tmp_path)
    await initialize(vscode, "visual-studio-code", tmp_path, caps=capabilities("visual-studio-code", pull=False))
    uri = open_doc(vscode, servlet, PAYMENTS, language_id="java")
    first = await published(vscode, uri, 1)
    assert not has_rl101(first), "the helper returns a constant: nothing reaches the SQL text"
    # The helper now returns request data: the caller's SQL statement is injectable.
    since = mark(vscode)
    helper.write_text(inputs(FROM_REQUEST))
    vscode.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=helper.as_uri(), type=types.FileChangeType.Changed)]))
    after = await published(vscode, uri, 1, since=since, pred=has_rl101)
    [finding] = [d for d in after.diagnostics if d.code == "RL101"]
    assert finding.range.start.line == 8
    # And back: the finding goes.
    since = mark(vscode)
    helper.write_text(inputs(CONSTANT))
    vscode.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=helper.as_uri(), type=types.FileChangeType.Changed)]))
    await published(vscode, uri, 1, since=since, pred=lambda p: not has_rl101(p))


async def test_saving_an_open_helper_rechecks_the_open_callers(vscode, tmp_path):  # noqa: F811
    helper, servlet = project(tmp_path)
    await initialize(vscode, "visual-studio-code", tmp_path, caps=capabilities("visual-studio-code", pull=False))
    uri = open_doc(vscode, servlet, PAYMENTS, language_id="java")
    assert not has_rl101(await published(vscode, uri, 1))
    helper_uri = open_doc(vscode, helper, inputs(CONSTANT), language_id="java")
    await published(vscode, helper_uri, 1)
    since = mark(vscode)
    vscode.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=helper_uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=inputs(FROM_REQUEST))]))
    helper.write_text(inputs(FROM_REQUEST))  # what the editor does on save
    vscode.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(helper_uri)))
    await published(vscode, uri, 1, since=since, pred=has_rl101)


async def test_the_server_asks_to_watch_java_classes(vscode, tmp_path):  # noqa: F811
    await initialize(vscode, "visual-studio-code", tmp_path)
    registered = await vscode.recorder.wait_for(lambda m, p: m == types.CLIENT_REGISTER_CAPABILITY)
    globs = set()
    for r in registered.registrations:
        options = r.register_options
        watchers = options["watchers"] if isinstance(options, dict) else options.watchers
        globs |= {w["globPattern"] if isinstance(w, dict) else w.glob_pattern for w in watchers}
    assert "**/*.java" in globs and "**/redline.toml" in globs


def test_the_index_knows_who_read_a_file(tmp_path):
    a, b, c = (str(tmp_path / n) for n in ("A.java", "B.java", "C.java"))
    index = ReadIndex()
    index.note(a, [b], replace=True)
    index.note(c, [], replace=True)
    assert index.readers_of([b]) == {a} and index.readers_of([c]) == set()
    index.note(a, [c], replace=False)  # an incremental analysis adds what it read
    assert index.readers_of([b]) == {a} and index.readers_of([c]) == {a}
    index.note(a, [c], replace=True)  # a full one says everything
    assert index.readers_of([b]) == set()
    assert index.readers_of([a, c]) == set()  # a changed file is not its own dependent
    index.forget(a)
    assert index.readers_of([c]) == set()
