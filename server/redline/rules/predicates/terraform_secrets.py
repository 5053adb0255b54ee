"""Credentials written into Terraform resource arguments that are not named like secrets.

The secrets engine finds keys, tokens and `password = "..."` assignments in any file (provider
blocks and variable defaults included). These checks add what only Terraform's schema tells us:
`plaintext_value` of a GitHub Actions secret, a raw disk encryption key, a password baked into
instance user data (possibly base64-encoded), or a secret environment variable inside an ECS
container definition. Findings point at the line that holds the secret.
"""

from __future__ import annotations

import json
import re

from redline.findings import Confidence
from redline.rules.predicates.iac_common import (
    decode_base64_text,
    is_secret_name,
    line_region,
    literal_secret,
    script_secret,
)
from redline.rules.predicates.terraform_checks import Issue, Module, attrs_at
from redline.rules.predicates.terraform_model import Attr, Block, Call, Template, json_value


def literal_attribute(*paths: str, what: str):
    """A literal (non-reference) value in an argument that only ever holds a secret."""

    def check(block: Block, module: Module) -> list[Issue]:
        out = []
        for path in paths:
            for attr in attrs_at(block, path):
                v = attr.value
                if isinstance(v, str) and v.strip():
                    out.append(Issue(attr.node, f"{path} holds {what} in plain text", confidence=Confidence.HIGH))
        return out

    return check


def _script_issue(attr: Attr, label: str) -> list[Issue]:
    v = attr.value
    text = v.text if isinstance(v, Template) else v
    if not isinstance(text, str):
        return []
    expr = attr.expr
    m = script_secret(expr.text)
    if m is not None:
        region = line_region(expr, re.compile(re.escape(m.group(0))))
        return [Issue(region or attr.node, f"{label} contains a credential ({_name(m)})", confidence=Confidence.HIGH)]
    decoded = decode_base64_text(text)
    if decoded is not None and script_secret(decoded) is not None:
        return [Issue(attr.node, f"{label} is base64 that decodes to a script with a credential ({_name(script_secret(decoded))})",
                      confidence=Confidence.HIGH)]
    return []


def _name(m: re.Match) -> str:
    try:
        return m.group("name").decode()
    except (IndexError, AttributeError):
        return "an AWS access key"


def script_attributes(*paths: str):
    """user_data / custom_data / startup scripts that embed a credential."""

    def check(block: Block, module: Module) -> list[Issue]:
        out = []
        for path in paths:
            for attr in attrs_at(block, path):
                out += _script_issue(attr, path)
        meta = block.attr("metadata")
        if meta is not None and isinstance(meta.value, dict):
            script = meta.value.get("startup-script")
            if isinstance(script, str) and script_secret(script.encode()):
                out.append(Issue(meta.node, "metadata startup-script contains a credential", confidence=Confidence.HIGH))
        return out[:1]

    return check


def ecs_container_definitions(block: Block, module: Module) -> list[Issue]:
    attr = block.attr("container_definitions")
    if attr is None:
        return []
    doc = json_value(attr.value)
    if not isinstance(doc, list):
        return []
    for container in doc:
        if not isinstance(container, dict):
            continue
        for env in container.get("environment") or []:
            if not isinstance(env, dict):
                continue
            name, value = env.get("name"), env.get("value")
            if isinstance(name, str) and isinstance(value, str) and is_secret_name(name) and literal_secret(value):
                where = attr.node
                if isinstance(attr.value, Call):
                    where = attr.node
                else:
                    region = line_region(attr.expr, re.compile(re.escape(json.dumps(name)).encode()))
                    where = region or attr.node
                return [Issue(where, f"container environment variable {name} is set to a literal value "
                                     "(use the task definition's `secrets` with Secrets Manager or SSM)",
                              confidence=Confidence.HIGH)]
    return []