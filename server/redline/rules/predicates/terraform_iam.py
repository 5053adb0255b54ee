"""IAM checks: wildcard permissions, policies open to everyone, weak account password policies.

AWS policies are read from every form Terraform allows: a JSON string or heredoc, `jsonencode({...})`
and `data "aws_iam_policy_document"` statement blocks. Statements are normalised to
(effect, actions, not_actions, resources, principals, has_condition) and judged the same way
whatever their source. Azure custom roles and Google IAM bindings have their own shapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from redline.findings import Confidence
from redline.rules.predicates.iac_common import line_region
from redline.rules.predicates.terraform_checks import Issue, Module
from redline.rules.predicates.terraform_model import (
    UNKNOWN,
    Attr,
    Block,
    Call,
    as_bool,
    as_list,
    as_number,
    json_value,
    node_text,
    object_key,
)
from redline.secrets.regex import escape, linear


@dataclass
class Statement:
    effect: str
    actions: list
    not_actions: list
    resources: list
    principals: list  # "*" or "AWS:*" style strings; [] when none
    has_condition: bool
    node: object  # where to report


def _strs(value) -> list[str]:
    return [v for v in as_list(value) if isinstance(v, str)]


def _principals(raw) -> list[str]:
    if raw is None or raw is UNKNOWN:
        return []
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, dict):
        out = []
        for kind, ids in raw.items():
            out += [f"{kind}:{i}" for i in _strs(ids)]
        return out
    return []


def _locate(attr: Attr, key: str, must_contain: str = '"*"'):
    """The node or line inside a policy attribute where `key` is set (for the report)."""
    expr = attr.expr
    if expr is None:
        return attr.node
    if isinstance(attr.value, Call):
        stack = [expr]
        while stack:
            n = stack.pop()
            if n.type == "object_elem" and object_key(n) == key:
                val = n.child_by_field_name("val")
                if must_contain.strip('"') in node_text(val):
                    return n
            stack.extend(reversed(n.named_children))
        return attr.node
    rx = linear(rb'"' + escape(key.encode()) + rb'"\s*:\s*(\[[^\]]*\]|\{[^}]*\}|"[^"]*")', re.S)
    for m in rx.finditer(expr.text):
        if must_contain.encode() in m.group(1):
            region = line_region(expr, rx, m.start())
            if region is not None:
                return region
    return attr.node


def json_statements(attr: Attr) -> list[Statement]:
    doc = json_value(attr.value)
    if not isinstance(doc, dict):
        return []
    raw = doc.get("Statement")
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    out = []
    for st in items:
        if not isinstance(st, dict):
            continue
        effect = st.get("Effect", "Allow")
        out.append(Statement(
            effect=effect if isinstance(effect, str) else "Allow",
            actions=_strs(st.get("Action")),
            not_actions=_strs(st.get("NotAction")),
            resources=_strs(st.get("Resource")),
            principals=_principals(st.get("Principal")),
            has_condition=bool(st.get("Condition")),
            node=attr,
        ))
    return out


def document_statements(block: Block) -> list[Statement]:
    out = []
    for st in block.blocks("statement"):
        effect = st.value("effect", "Allow")
        principals = []
        for p in st.blocks("principals"):
            kind = p.value("type", None)
            for ident in _strs(p.value("identifiers", [])):
                principals.append("*" if kind == "*" else f"{kind}:{ident}")
        out.append(Statement(
            effect=effect if isinstance(effect, str) else "Allow",
            actions=_strs(st.value("actions", [])),
            not_actions=_strs(st.value("not_actions", [])),
            resources=_strs(st.value("resources", [])),
            principals=principals,
            has_condition=bool(st.blocks("condition")),
            node=st,
        ))
    return out


def _report_node(st: Statement, key: str, block_attr: str):
    if isinstance(st.node, Attr):
        return _locate(st.node, key)
    attr = st.node.attr(block_attr)
    return attr.node if attr is not None else st.node.head_node


def _wildcard_issues(st: Statement, resource_policy: bool) -> list[Issue]:
    if st.effect.lower() != "allow":
        return []
    full = [a for a in st.actions if a.strip() in ("*", "*:*")]
    if full:
        node = _report_node(st, "Action", "actions")
        return [Issue(node, 'allows every action ("Action": "*")', confidence=Confidence.HIGH)]
    if st.not_actions and not resource_policy:
        node = _report_node(st, "NotAction", "not_actions")
        return [Issue(node, "allows every action except the NotAction list", confidence=Confidence.MEDIUM)]
    if resource_policy:
        return []
    on_everything = "*" in [r.strip() for r in st.resources] or not st.resources
    service_wide = sorted({a for a in st.actions if re.fullmatch(r"[a-z0-9-]+:\*", a.strip())})
    if service_wide and on_everything and not st.has_condition:
        admin = [a for a in service_wide if a.startswith(("iam:", "sts:", "organizations:", "kms:"))]
        node = _report_node(st, "Action", "actions")
        shown = ", ".join(service_wide[:3]) + ("..." if len(service_wide) > 3 else "")
        return [Issue(node, f'allows {shown} on every resource ("Resource": "*")',
                      confidence=Confidence.HIGH if admin else Confidence.MEDIUM)]
    return []


def _public_principal_issues(st: Statement) -> list[Issue]:
    if st.effect.lower() != "allow" or st.has_condition:
        return []
    public = [p for p in st.principals if p.strip() in ("*", "AWS:*", "*:*")]
    if not public:
        return []
    node = _report_node(st, "Principal", "principals") if isinstance(st.node, Attr) else st.node.head_node
    if not isinstance(st.node, Attr):
        p = st.node.block("principals")
        node = p.head_node if p is not None else node
    return [Issue(node, 'grants access to everyone ("Principal": "*") without a Condition')]


# ------------------------------------------------------------------ checks (RL509 / RL510)

_IDENTITY_POLICY_ATTRS = ("policy",)


def identity_policy(block: Block, module: Module) -> list[Issue]:
    """aws_iam_policy / aws_iam_role_policy / user / group policies and inline_policy blocks."""
    attrs = [a for name in _IDENTITY_POLICY_ATTRS if (a := block.attr(name)) is not None]
    attrs += [a for ip in block.blocks("inline_policy") if (a := ip.attr("policy")) is not None]
    return [i for a in attrs for st in json_statements(a) for i in _wildcard_issues(st, resource_policy=False)]


def policy_document(block: Block, module: Module) -> list[Issue]:
    return [i for st in document_statements(block) for i in _wildcard_issues(st, resource_policy=False)]


def resource_policy_wildcards(block: Block, module: Module) -> list[Issue]:
    out = []
    for name in ("policy", "access_policies", "access_policy"):
        a = block.attr(name)
        if a is not None:
            out += [i for st in json_statements(a) for i in _wildcard_issues(st, resource_policy=True)]
    return out


_ADMIN_POLICIES = {"AdministratorAccess": Confidence.HIGH, "IAMFullAccess": Confidence.HIGH,
                   "PowerUserAccess": Confidence.MEDIUM}


def managed_policy_attachment(block: Block, module: Module) -> list[Issue]:
    out = []
    for name in ("policy_arn", "managed_policy_arns"):
        a = block.attr(name)
        if a is None:
            continue
        for arn in _strs(a.value):
            if not arn.startswith("arn:aws:iam::aws:policy/"):
                continue
            policy = arn.rsplit("/", 1)[-1]
            if policy in _ADMIN_POLICIES:
                out.append(Issue(a.node, f"attaches the AWS managed policy {policy}", confidence=_ADMIN_POLICIES[policy]))
            elif policy.endswith("FullAccess"):
                out.append(Issue(a.node, f"attaches {policy} (every action of the service on every resource)",
                                 confidence=Confidence.MEDIUM))
    return out


_AZURE_ESCALATION = ("microsoft.authorization/*", "microsoft.authorization/roledefinitions/write",
                     "microsoft.authorization/roleassignments/write")


def azure_role_definition(block: Block, module: Module) -> list[Issue]:
    out = []
    for perm in block.blocks("permissions"):
        a = perm.attr("actions")
        if a is None:
            continue
        actions = [x.strip().lower() for x in _strs(a.value)]
        if "*" in actions:
            out.append(Issue(a.node, 'grants every action ("*"), like the Owner role', confidence=Confidence.HIGH))
        elif any(x in _AZURE_ESCALATION for x in actions):
            out.append(Issue(a.node, "can create role definitions or assignments (privilege escalation)",
                             confidence=Confidence.HIGH))
    return out


_BASIC_ROLES = {"roles/owner", "roles/editor"}
_IMPERSONATION_ROLES = {"roles/iam.serviceaccountuser", "roles/iam.serviceaccounttokencreator"}
_DEFAULT_SA = linear(r"(-compute@developer\.gserviceaccount\.com|@appspot\.gserviceaccount\.com)$")
_PERSONAL = linear(r"^user:.*@(gmail|googlemail|yahoo|hotmail|outlook|live|aol|icloud|me|proton|protonmail|gmx|mail)\.[a-z.]+$", re.I)


def _members(block: Block) -> list[tuple[Attr, object]]:
    out = []
    for name in ("member", "members"):
        a = block.attr(name)
        if a is not None:
            vals = a.value if isinstance(a.value, list) else [a.value]
            out += [(a, v) for v in vals]
    return out


def google_iam(block: Block, module: Module) -> list[Issue]:
    """google_{project,folder,organization}_iam_{member,binding}."""
    out = []
    role_attr = block.attr("role")
    role = role_attr.value if role_attr is not None else None
    role_l = role.lower() if isinstance(role, str) else ""
    members = _members(block)
    if role_l in _IMPERSONATION_ROLES:
        scope = block.type.split("_")[1]
        out.append(Issue(role_attr.node, f"grants {role} at the {scope} level (can act as every service account in it)",
                         confidence=Confidence.HIGH))
    for attr, m in members:
        text = node_text(attr.expr) if m is UNKNOWN else m
        if not isinstance(text, str):
            continue
        if _DEFAULT_SA.search(text) or "google_compute_default_service_account" in text:
            out.append(Issue(attr.node, "grants a role to a default service account (shared by every VM or App Engine app)"))
        elif role_l in _BASIC_ROLES and isinstance(m, str) and m.startswith("serviceAccount:"):
            out.append(Issue(role_attr.node, f"grants the basic role {role} to a service account", confidence=Confidence.HIGH))
        elif role_l in _BASIC_ROLES and isinstance(m, str) and "${" in m and "serviceAccount:" in m:
            out.append(Issue(role_attr.node, f"grants the basic role {role} to a service account", confidence=Confidence.HIGH))
        elif isinstance(m, str) and _PERSONAL.match(m):
            out.append(Issue(attr.node, f"grants access to a personal account ({m.split(':', 1)[1]})",
                             confidence=Confidence.MEDIUM))
    return out


# ------------------------------------------------------------------ public principals (RL510)


def resource_policy_public(block: Block, module: Module) -> list[Issue]:
    out = []
    for name in ("policy", "access_policies", "access_policy", "assume_role_policy"):
        a = block.attr(name)
        if a is not None:
            out += [i for st in json_statements(a) for i in _public_principal_issues(st)]
    return out


def policy_document_public(block: Block, module: Module) -> list[Issue]:
    return [i for st in document_statements(block) for i in _public_principal_issues(st)]


def lambda_permission(block: Block, module: Module) -> list[Issue]:
    principal = block.attr("principal")
    if principal is None or not isinstance(principal.value, str):
        return []
    p = principal.value.strip()
    if p == "*":
        if block.attr("source_arn") is None and block.attr("source_account") is None \
                and block.attr("principal_org_id") is None:
            return [Issue(principal.node, 'lets anyone invoke the function (principal = "*")')]
        return []
    if p.endswith(".amazonaws.com") and block.attr("source_arn") is None and block.attr("source_account") is None:
        return [Issue(principal.node, f"lets any {p} resource, in any account, invoke the function (no source_arn)",
                      confidence=Confidence.MEDIUM)]
    return []


# ------------------------------------------------------------------ password policy (RL511)

_COMPLEXITY = ("require_lowercase_characters", "require_uppercase_characters", "require_numbers", "require_symbols")


def password_policy(block: Block, module: Module) -> list[Issue]:
    out = []
    length = block.attr("minimum_password_length")
    n = as_number(length.value) if length is not None else None
    if n is not None and n < 14:
        out.append(Issue(length.node, f"minimum_password_length = {int(n)} (use at least 14)"))
    reuse = block.attr("password_reuse_prevention")
    r = as_number(reuse.value) if reuse is not None else None
    if r is not None and r < 5:
        out.append(Issue(reuse.node, f"password_reuse_prevention = {int(r)} (remember at least 5, CIS asks for 24)"))
    age = block.attr("max_password_age")
    a = as_number(age.value) if age is not None else None
    if a is not None and (a > 90 or a == 0):
        out.append(Issue(age.node, f"max_password_age = {int(a)} (90 days or less)"))
    for name in _COMPLEXITY:
        attr = block.attr(name)
        if attr is not None and as_bool(attr.value) is False:
            out.append(Issue(attr.node, f"{name} = false"))
    # A policy that sets none of the length/complexity settings keeps AWS's weak defaults.
    if not out and not any(block.has(k) for k in _COMPLEXITY + ("minimum_password_length",)):
        out.append(Issue(block.head_node, "sets no minimum length and no character requirements (AWS then requires only 6 characters)"))
    return out
