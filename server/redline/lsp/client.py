"""What the client can do, read once from its `ClientCapabilities` (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types


def _get(obj, *path, default=None):
    for name in path:
        if obj is None:
            return default
        obj = getattr(obj, name, None)
    return default if obj is None else obj


@dataclass(frozen=True)
class ClientFeatures:
    pull_diagnostics: bool = False  # textDocument/diagnostic: then we never push for open files
    diagnostic_refresh: bool = False  # workspace/diagnostic/refresh
    related_information: bool = True
    document_changes: bool = False  # WorkspaceEdit.documentChanges
    code_action_resolve: bool = False  # codeAction/resolve may fill in `edit`
    code_action_literals: bool = True
    work_done_progress: bool = False  # window/workDoneProgress/create
    configuration: bool = False  # workspace/configuration
    watched_files_registration: bool = False  # dynamic registration of didChangeWatchedFiles
    relative_patterns: bool = False
    markdown_hover: bool = True
    show_document: bool = False

    @classmethod
    def of(cls, caps: types.ClientCapabilities | None) -> "ClientFeatures":
        td = _get(caps, "text_document")
        ws = _get(caps, "workspace")
        hover_formats = _get(td, "hover", "content_format", default=[]) or []
        resolve_props = _get(td, "code_action", "resolve_support", "properties", default=[]) or []
        return cls(
            pull_diagnostics=_get(td, "diagnostic") is not None,
            diagnostic_refresh=bool(_get(ws, "diagnostics", "refresh_support", default=False)),
            related_information=bool(_get(td, "publish_diagnostics", "related_information", default=True)),
            document_changes=bool(_get(ws, "workspace_edit", "document_changes", default=False)),
            code_action_resolve="edit" in resolve_props,
            code_action_literals=_get(td, "code_action", "code_action_literal_support") is not None,
            work_done_progress=bool(_get(caps, "window", "work_done_progress", default=False)),
            configuration=bool(_get(ws, "configuration", default=False)),
            watched_files_registration=bool(_get(ws, "did_change_watched_files", "dynamic_registration", default=False)),
            relative_patterns=bool(_get(ws, "did_change_watched_files", "relative_pattern_support", default=False)),
            markdown_hover=(not hover_formats) or types.MarkupKind.Markdown in hover_formats,
            show_document=bool(_get(caps, "window", "show_document", "support", default=False)),
        )
