"""pygls' LanguageServerProtocol with three changes.

1. Text synchronization: pygls keeps its own copy of every document and applies each change to it
   before calling our handler (1.3 ms per change on a 10k-line file). Redline keeps one copy, in
   `redline.documents.store`, so the built-in didOpen/didChange/didClose handlers here only call
   ours and never touch pygls' workspace documents (`ls.workspace` still tracks folders).
2. Position encoding: UTF-8 when the client offers it, else UTF-16 (pygls takes the client's first
   preference, which may be UTF-32).
3. Malformed messages: pygls logs a request whose params do not fit the method's type and sends
   no response; here the client gets a JSON-RPC InvalidParams error for that request id. Strings
   and integers are structured strictly: cattrs would turn `"text": 5` into "5" (or a dict into
   its repr) and `"line": 1.7` into 1, so a malformed change would edit the document silently.
4. `workspace/executeCommand` hands our command handlers the whole `ExecuteCommandParams`
   (they need `workDoneToken`), not the unpacked arguments.
5. Message bodies (`handle_body`, fed by `redline.lsp.reader`): a body that is not JSON, or not a
   JSON object, is answered with a Parse error (-32700, id null) when it could be a request; a
   JSON object that is not a JSON-RPC message gets InvalidRequest (-32600) when it has an id.
6. Lifecycle as the LSP specification says: before `initialize`, requests get
   ServerNotInitialized (-32002) and notifications are dropped (except `exit`); after
   `shutdown`, requests get InvalidRequest (-32600); `exit` stops the read loop and sets
   `exit_code` (0 after shutdown, else 1) instead of pygls' `sys.exit`, which the read loop's
   caller used to swallow. Unknown requests get MethodNotFound (-32601) with or without params
   (pygls answered InvalidParams without them); unknown notifications, `$/` ones included, are
   ignored without a log line.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import sys
from typing import Any

from lsprotocol import types
from pygls.exceptions import (
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcMethodNotFound,
    JsonRpcParseError,
    JsonRpcServerNotInitialized,
)
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


# The hooks serve subclasses too (enums such as DiagnosticSeverity(int, Enum) or str enums):
# those are built from the checked value, as cattrs' own hook does.


def _strict_str(value, cl):
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value if cl is str else cl(value)


def _strict_int(value, cl):
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value if cl is int else cl(value)


def _bool(value, cl) -> bool:
    return value if isinstance(value, bool) else bool(value)  # cattrs' own bool hook


class RedlineProtocol(LanguageServerProtocol):
    encoding: Encoding = Encoding.UTF16
    exit_code: int | None = None  # set by `exit`
    _initialized = False  # an initialize request has arrived

    def __init__(self, server, converter):
        converter.register_structure_hook(str, _strict_str)
        converter.register_structure_hook(int, _strict_int)
        converter.register_structure_hook(bool, _bool)  # else bool, a subclass of int, gets _strict_int
        super().__init__(server, converter)

    # -------------------------------------------------------------- message bodies

    def handle_body(self, body: bytes) -> None:
        """Decode one message body and handle it; never raises (see the module docstring)."""
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, deep nesting
            log.warning("message body is not JSON (%d bytes): %s", len(body), _first_line(exc))
            if _could_be_request(body):
                self._send_error(None, JsonRpcParseError(f"Parse error: {_first_line(exc)}"))
            return
        if not isinstance(data, dict):
            log.warning("message body is JSON but not an object: %s", type(data).__name__)
            self._send_error(None, JsonRpcParseError("Parse error: a message must be a JSON object"))
            return
        problem = _not_a_message(data)
        if problem is not None:
            msg_id = data.get("id")
            log.warning("invalid JSON-RPC message: %s", problem)
            if "id" in data and "result" not in data and "error" not in data:
                valid_id = isinstance(msg_id, (str, int)) and not isinstance(msg_id, bool)
                self._send_error(msg_id if valid_id else None, JsonRpcInvalidRequest(f"Invalid Request: {problem}"))
            return
        try:
            message = self.structure_message(data)
            if isinstance(message, dict):  # pygls returns what it cannot structure unchanged
                log.warning("unhandled message: %s", _first_line(str(data)))
                return
            self.handle_message(message)
        except Exception as exc:  # noqa: BLE001 - one message never ends the server
            log.exception("unable to handle a message")
            self._server._report_server_error(exc, type(exc))

    def _send_error(self, msg_id, error) -> None:
        response = {"jsonrpc": "2.0", "id": msg_id, "error": {"code": error.code, "message": error.message}}
        self._send_data(response)

    # -------------------------------------------------------------- malformed messages

    def structure_message(self, data: dict[str, Any]):
        method = data.get("method")
        if method == types.EXIT and "params" in data:
            data = {k: v for k, v in data.items() if k != "params"}  # exit takes none: never refuse it
        if isinstance(method, str) and "params" not in data and self.get_message_type(method) is None:
            # A method pygls has no type for: its fallback types require `params`, so without
            # them an unknown request would get InvalidParams instead of MethodNotFound.
            data = {**data, "params": None}
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
        method = getattr(message, "method", None)
        if method is None:  # a response to one of our requests
            return super().handle_message(message)
        is_request = hasattr(message, "id")
        if method == types.EXIT:
            return super().handle_message(message)
        if not self._initialized:
            if not is_request:
                log.debug("%s before initialize: dropped", method)
                return
            if method != types.INITIALIZE:
                error = JsonRpcServerNotInitialized(f"{method} before initialize")
                return self._send_response(message.id, error=error.to_response_error())
            self._initialized = True
        elif self._shutdown:
            if is_request:
                error = JsonRpcInvalidRequest(f"{method} after shutdown")
                return self._send_response(message.id, error=error.to_response_error())
            log.debug("%s after shutdown: dropped", method)
            return
        if not self._has_handler(method):
            if is_request:
                log.info("request for unknown method %r", method)
                error = JsonRpcMethodNotFound.of(method)
                return self._send_response(message.id, error=error.to_response_error())
            return  # unknown notifications are ignored (the specification says so for `$/` ones)
        return super().handle_message(message)

    def _has_handler(self, method: str) -> bool:
        fm = self.fm
        return method == types.CANCEL_REQUEST or method in fm.builtin_features or method in fm.features

    @lsp_method(types.EXIT)
    def lsp_exit(self, *args) -> None:
        """Stop reading: `run` returns `exit_code` (pygls calls sys.exit inside the read loop)."""
        self.exit_code = 0 if self._shutdown else 1
        stop = getattr(self._server, "_stop_event", None)
        if stop is None:  # not under Redline's read loop
            sys.exit(self.exit_code)
        stop.set()

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


def _first_line(value) -> str:
    text = str(value)
    return text.splitlines()[0][:200] if text else type(value).__name__


def _could_be_request(body: bytes) -> bool:
    """Whether a body that is not JSON may have been a request: anything except what reads as a
    notification (a method, no id) or as a response (an id and a result or error, no method)."""
    has = {key: f'"{key}"'.encode() in body for key in ("id", "method", "result", "error")}
    if has["method"] and not has["id"]:
        return False
    if has["id"] and not has["method"] and (has["result"] or has["error"]):
        return False
    return True


def _not_a_message(data: dict) -> str | None:
    """Why a JSON object is not a JSON-RPC 2.0 message, or None."""
    if data.get("jsonrpc") != "2.0":
        return f"jsonrpc is {data.get('jsonrpc')!r}, not '2.0'"
    if "method" in data and not isinstance(data["method"], str):
        return "method is not a string"
    if "id" in data and (isinstance(data["id"], bool) or not isinstance(data["id"], (str, int, type(None)))):
        return "id is not a string, a number or null"
    if "method" not in data and "id" not in data:
        return "neither a method nor an id"
    if "method" in data and data.get("id", 0) is None:
        return "a request id may not be null"
    return None


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
