"""pygls' LanguageServerProtocol with three changes.

1. Text synchronization: pygls keeps its own copy of every document and applies each change to it
   before calling our handler (1.3 ms per change on a 10k-line file). Redline keeps one copy, in
   `redline.documents.store`, so the built-in didOpen/didChange/didClose handlers here only call
   ours and never touch pygls' workspace documents (`ls.workspace` still tracks folders).
2. Position encoding: UTF-8 when the client offers it, else UTF-16 (pygls takes the client's first
   preference, which may be UTF-32).
3. Malformed messages: pygls logs a request whose params do not fit the method's type and sends
   no response; here the client gets a JSON-RPC InvalidParams error for that request id.
4. `workspace/executeCommand` hands our command handlers the whole `ExecuteCommandParams`
   (they need `workDoneToken`), not the unpacked arguments.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol, lsp_method

from redline.documents.positions import Encoding

log = logging.getLogger(__name__)


class _Handled:
    """Marker returned by `structure_message` for a message already answered with an error."""

    jsonrpc = "-"


HANDLED = _Handled()


def negotiate_encoding(capabilities: types.ClientCapabilities | None) -> Encoding:
    offered = None
    general = capabilities.general if capabilities is not None else None
    if general is not None and general.position_encodings:
        offered = [str(getattr(e, "value", e)) for e in general.position_encodings]
    return Encoding.negotiate(offered)


class RedlineProtocol(LanguageServerProtocol):
    encoding: Encoding = Encoding.UTF16

    # -------------------------------------------------------------- malformed messages

    def structure_message(self, data: dict[str, Any]):
        try:
            return super().structure_message(data)
        except Exception as exc:  # JsonRpcInvalidParams / JsonRpcInternalError from pygls
            if isinstance(data, dict) and "id" in data and "method" in data:
                method = data.get("method")
                log.warning("malformed %s request %r: %s", method, data.get("id"), exc.__cause__ or exc)
                error = JsonRpcInvalidParams(f"invalid params for {method}: {_reason(exc)}")
                self._send_response(data["id"], error=error.to_response_error())
                return HANDLED
            if isinstance(data, dict) and "method" in data and "jsonrpc" in data:
                log.warning("malformed %s notification ignored: %s", data.get("method"), _reason(exc))
                self._server.log_malformed(data.get("method"), _reason(exc))
                return HANDLED
            raise

    def handle_message(self, message):
        if message is HANDLED:
            return
        return super().handle_message(message)

    def send_raw(self, body: str) -> None:
        """Send a message that is JSON text already (what `_send_data` does after json.dumps)."""
        if self.writer is None:
            log.error("unable to send data: no transport")
            return
        data = body.encode(self.CHARSET)
        if self._include_headers:
            header = f"Content-Length: {len(data)}\r\nContent-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
            data = header.encode("ascii") + data
        res = self.writer.write(data)
        if inspect.isawaitable(res):
            asyncio.ensure_future(res)

    # -------------------------------------------------------------- initialize

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams):
        self.encoding = negotiate_encoding(params.capabilities)
        result = yield from super().lsp_initialize(params)
        result.capabilities.position_encoding = types.PositionEncodingKind(self.encoding.value)
        return result

    # -------------------------------------------------------------- text sync: ours only

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None

    # -------------------------------------------------------------- commands

    @lsp_method(types.WORKSPACE_EXECUTE_COMMAND)
    def lsp_workspace__execute_command(self, params: types.ExecuteCommandParams):
        handler = self.fm.commands.get(params.command)
        if handler is None:
            raise JsonRpcInvalidParams.of(ValueError(f"unknown command {params.command!r}"))
        result = yield handler, (params,), None
        return result


def _reason(exc: BaseException) -> str:
    """What is wrong with the message, e.g. "invalid value for type, expected int @ $.position.line"."""
    cause = exc.__cause__ or exc
    try:
        from cattrs import transform_error

        details = transform_error(cause)
        if details:
            return "; ".join(details[:4])
    except Exception:  # noqa: BLE001 - not a cattrs error
        pass
    return str(cause).splitlines()[0] if str(cause) else type(cause).__name__
