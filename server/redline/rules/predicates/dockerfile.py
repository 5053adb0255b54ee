"""Predicates and fixes for Dockerfile rules (tree-sitter-dockerfile).

A Dockerfile is a list of instructions; `FROM` starts a stage and only the last stage becomes
the image (earlier ones are build stages). Shell commands in RUN are matched with regular
expressions on the command text with line continuations joined; heredoc bodies are included.
"""

from __future__ import annotations

import re

from redline.findings import Fix, TextEdit
from redline.rules.predicates import MatchContext, Verdict, fix, predicate
from redline.rules.predicates.iac_common import Region, is_secret_name, literal_secret, parse_image, region_in
from redline.secrets.regex import linear

NON_ROOT_USER_FIX = "10001"
_ROOT_USERS = {"root", "0"}


def _text(node) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def instructions(root) -> list:
    return [c for c in root.named_children if c.type.endswith("_instruction")]


def stages(root) -> list[list]:
    """Instructions grouped by stage (each list starts with its FROM)."""
    out: list[list] = []
    for ins in instructions(root):
        if ins.type == "from_instruction":
            out.append([ins])
        elif out:
            out[-1].append(ins)
    return out


def stage_alias(from_ins) -> str | None:
    alias = from_ins.child_by_field_name("as")
    if alias is None:
        alias = next((c for c in from_ins.named_children if c.type == "image_alias"), None)
    return _text(alias).lower() if alias is not None else None


def image_text(from_ins) -> str:
    spec = next((c for c in from_ins.named_children if c.type == "image_spec"), None)
    return _text(spec).strip()


def _user_of(stage: list) -> tuple[object, str] | None:
    users = [i for i in stage if i.type == "user_instruction"]
    if not users:
        return None
    last = users[-1]
    user = last.child_by_field_name("user")
    return last, _text(user).strip().strip("'\"")


_NON_ROOT_IMAGES = linear(r"(nonroot|rootless|^cgr\.dev/chainguard/|/distroless/.*:nonroot)", re.I)


def final_user(root) -> tuple[str, object, str] | None:
    """("no-user", FROM node, image) / ("root", USER node, user) when the image runs as root;
    None when it does not (or we cannot tell)."""
    all_stages = stages(root)
    if not all_stages:
        return None
    by_alias = {stage_alias(s[0]): s for s in all_stages if stage_alias(s[0])}
    stage = all_stages[-1]
    seen = set()
    while True:
        found = _user_of(stage)
        if found is not None:
            node, user = found
            name = user.split(":", 1)[0].strip().lower()
            if "$" in name:
                return None
            return ("root", node, user) if name in _ROOT_USERS else None
        image = image_text(stage[0])
        base = image.split("@")[0].lower()
        if base in by_alias and base not in seen and by_alias[base] is not stage:
            seen.add(base)
            stage = by_alias[base]  # FROM <earlier stage>: inherits that stage's USER
            continue
        if "$" in image or _NON_ROOT_IMAGES.search(image):
            return None
        return "no-user", all_stages[-1][0], image


@predicate("dockerfile.runs_as_root")
def runs_as_root(ctx: MatchContext):
    found = final_user(ctx.node("match"))
    if found is None:
        return None
    kind, node, detail = found
    if kind == "root":
        what = f"the last USER instruction is {detail}"
    else:
        what = "the final stage sets no USER, so the container runs as root"
    return Verdict(node=node, args={"what": what})


@fix("dockerfile.add_user")
def add_user(ctx: MatchContext, verdict: Verdict):
    """Append `USER 10001` at the end of the file (the last USER decides the runtime user)."""
    source = ctx.file.text
    end = len(source)
    prefix = b"" if source.endswith(b"\n") or not source else b"\n"
    text = prefix.decode() + f"USER {NON_ROOT_USER_FIX}\n"
    return Fix(title=f"Run as an unprivileged user (append USER {NON_ROOT_USER_FIX})",
               edits=(TextEdit(ctx.file.span(end, end), text),), safe=False)


@predicate("dockerfile.unpinned_image")
def unpinned_image(ctx: MatchContext):
    from_ins = ctx.node("match")
    spec = ctx.node("image")
    text = _text(spec).strip()
    name = text.split("@")[0].split(":")[0].lower()
    if name == "scratch":
        return None
    aliases = {stage_alias(s[0]) for s in stages(from_ins.parent) if s[0].start_byte < from_ins.start_byte}
    if text.lower() in aliases:
        return None
    ref = parse_image(text)
    if ref is None or ref.unpinned is None:
        return None
    return Verdict(args={"image": text, "why": ref.unpinned})


# ------------------------------------------------------------------ secrets in ENV / ARG


@predicate("dockerfile.secret_in_env")
def secret_in_env(ctx: MatchContext):
    name, value = ctx.node("name"), ctx.node("value")
    if name is None or value is None:
        return None
    key = _text(name).strip()
    raw = _text(value).strip()
    if not is_secret_name(key) or not literal_secret(raw):
        return None
    kind = "ARG default" if ctx.node("match").type == "arg_instruction" else "ENV"
    return Verdict(node=ctx.node("pair") or ctx.node("match"), args={"name": key, "kind": kind})


# ------------------------------------------------------------------ RUN commands


_CONTINUATION = linear(rb"\\\r?\n")
# RE2 has no look-around: `(?P<json>...)` marks `| python -m json.tool` (pretty-printing, not
# running the download), which `pipe_to_shell` skips.
_DOWNLOAD_TO_SHELL = linear(
    rb"\b(?:curl|wget)\b[^|;&\n]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+(?:\S+=\S*\s+)*)?"
    rb"(?:/(?:usr/)?(?:local/)?bin/)?(?:ba|da|z|k|fi|tc|c|a)?sh\b"
    rb"|\b(?:curl|wget)\b[^|;&\n]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:python[0-9.]*|perl|ruby|node|php)\b(?P<json>\s+-m\s+json)?"
    rb"|\b(?:ba|z|k)?sh\s+(?:-\S+\s+)*-c\s+[\"']?\$\(\s*(?:curl|wget)\b"
    rb"|\b(?:ba|z|k)?sh\s+<\(\s*(?:curl|wget)\b"
)


def _joined(node) -> tuple[bytes, list[int]]:
    """Node text with line continuations removed, and a map back to original offsets."""
    text = node.text
    out = bytearray()
    offsets: list[int] = []
    i = 0
    for m in _CONTINUATION.finditer(text):
        out += text[i : m.start()]
        offsets += range(i, m.start())
        i = m.end()
    out += text[i:]
    offsets += range(i, len(text))
    return bytes(out), offsets


def _region(node, offsets: list[int], start: int, end: int) -> Region:
    a = offsets[start] if start < len(offsets) else len(node.text)
    b = offsets[end - 1] + 1 if 0 < end <= len(offsets) else a
    return region_in(node, a, b)


@predicate("dockerfile.pipe_to_shell")
def pipe_to_shell(ctx: MatchContext):
    run = ctx.node("match")
    text, offsets = _joined(run)
    m = _DOWNLOAD_TO_SHELL.search(text)
    while m is not None and m.group("json"):
        m = _DOWNLOAD_TO_SHELL.search(text, m.start() + 1)
    if m is None:
        return None
    return Verdict(node=_region(run, offsets, m.start(), m.end()),
                   args={"command": " ".join(m.group(0).decode("utf-8", "replace").split())})


_ADD_URL = linear(r"^(https?|ftp)://", re.I)


@predicate("dockerfile.add_url")
def add_url(ctx: MatchContext):
    ins = ctx.node("match")
    params = [_text(c) for c in ins.named_children if c.type == "param"]
    if any(p.startswith("--checksum") for p in params):
        return None
    paths = [c for c in ins.named_children if c.type == "path"]
    for src in paths[:-1]:
        url = _text(src).strip("'\"")
        if _ADD_URL.match(url):
            return Verdict(node=src, args={"url": url})
    return None


_CHMOD = linear(rb"\bchmod\s+(?:(?:-[A-Za-z]+|--[a-z-]+(?:=\S+)?)\s+)*(?P<mode>[0-7]{3,4}|[ugoa]*[-+=][rwxXst]+(?:,[ugoa]*[-+=][rwxXst]+)*)\s")  # the mode, then a space


def world_writable(mode: str) -> bool:
    if mode.isdigit():
        digits = mode[-3:]
        sticky = len(mode) == 4 and int(mode[0]) & 1
        return bool(int(digits[-1]) & 2) and not sticky
    for clause in mode.split(","):
        m = re.fullmatch(r"([ugoa]*)([-+=])([rwxXst]+)", clause)
        if m and m.group(2) in "+=" and "w" in m.group(3) and (not m.group(1) or set(m.group(1)) & {"o", "a"}):
            if not m.group(1):
                continue  # `chmod +w` honours the umask: not world-writable in practice
            return True
    return False


@predicate("dockerfile.world_writable")
def chmod_world_writable(ctx: MatchContext):
    run = ctx.node("match")
    text, offsets = _joined(run)
    for m in _CHMOD.finditer(text + b" "):
        mode = m.group("mode").decode()
        if world_writable(mode):
            region = _region(run, offsets, m.start("mode"), m.end("mode"))
            return Verdict(node=region, args={"mode": mode}, data={"mode": mode})
    return None


@fix("dockerfile.remove_world_write")
def remove_world_write(ctx: MatchContext, verdict: Verdict):
    mode = verdict.data.get("mode", "")
    if not mode.isdigit():
        return None
    new = mode[:-1] + str(int(mode[-1]) & ~2)
    node = verdict.node
    return Fix(title=f"Use mode {new} (no write permission for others)",
               edits=(TextEdit(ctx.file.span(node.start_byte, node.end_byte), new),), safe=False)


_SUDO = linear(rb"(?:^|[;&|(]\s*|\b(?:then|do|else)\s+|RUN\s+)(?P<sudo>sudo)(?P<flags>(?:\s+-[A-Za-z]+)*)\s+\S")
_SUDO_JSON = linear(rb'\[\s*"(?P<sudo>sudo)"')


@predicate("dockerfile.sudo")
def sudo_in_run(ctx: MatchContext):
    run = ctx.node("match")
    text, offsets = _joined(run)
    m = _SUDO.search(text) or _SUDO_JSON.search(text)
    if m is None:
        return None
    flags = m.groupdict().get("flags") or b""
    fixable = m.re is _SUDO and b"-u" not in flags and b"-g" not in flags
    start, end = m.start("sudo"), (m.end("flags") if flags else m.end("sudo"))
    # Remove the word and the following space(s) as well.
    while fixable and end < len(text) and text[end : end + 1] in (b" ", b"\t"):
        end += 1
    return Verdict(node=_region(run, offsets, m.start("sudo"), m.end("sudo")),
                   data={"remove": _region(run, offsets, start, end) if fixable else None})


@fix("dockerfile.remove_sudo")
def remove_sudo(ctx: MatchContext, verdict: Verdict):
    region = verdict.data.get("remove")
    if region is None:
        return None
    return Fix(title="Remove sudo (RUN already runs as the current USER)",
               edits=(TextEdit(ctx.file.span(region.start_byte, region.end_byte), ""),), safe=False)


@predicate("dockerfile.ssh_port")
def ssh_port(ctx: MatchContext):
    port = _text(ctx.node("port")).strip().lower()
    number = port.split("/")[0]
    if number == "22" and not port.endswith("/udp"):
        return Verdict()
    return None
