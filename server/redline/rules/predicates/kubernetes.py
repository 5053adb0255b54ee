"""Predicates for container settings in Kubernetes manifests and docker-compose files.

Both describe containers, and the same misconfiguration classes apply (privileged mode, host
namespaces, host mounts, added capabilities, root users, inline secrets, floating image tags),
so one rule covers both and its predicate first asks which kind of document the match is in
(yaml_model.doc_kind). Queries anchor on the key names; the predicates check where the key sits
(`key_path`) so that, say, a `privileged` key in an unrelated CRD is not reported.
"""

from __future__ import annotations

from redline.findings import Confidence, Fix, TextEdit
from redline.rules.predicates import MatchContext, Verdict, fix, predicate
from redline.rules.predicates.iac_common import is_secret_name, literal_secret, parse_image
from redline.rules.predicates.yaml_model import (
    COMPOSE,
    KUBERNETES,
    dig,
    doc_kind,
    enclosing_mapping,
    get,
    is_false,
    is_true,
    k8s_kind,
    key_path,
    mapping_of,
    pair_key,
    pair_value,
    scalar,
)
from redline.secrets.regex import linear

CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
WORKLOAD_KINDS = {"pod", "deployment", "statefulset", "daemonset", "replicaset", "job", "cronjob",
                  "replicationcontroller", "podtemplate"}


def _kind(ctx: MatchContext, node=None) -> str | None:
    return doc_kind(ctx.file.path, node if node is not None else ctx.node("match"))


def in_container(path: list[str]) -> bool:
    return any(path[i] in CONTAINER_LISTS and i + 1 < len(path) and path[i + 1] == "[]" for i in range(len(path)))


def in_security_context(path: list[str]) -> bool:
    return len(path) >= 2 and path[-2] == "securityContext"


def compose_service_key(path: list[str]) -> bool:
    """services.<name>.<key>"""
    return len(path) == 3 and path[0] == "services"


def _value_verdict(pair, what: str, new: str | None = None, confidence: Confidence | None = None) -> Verdict:
    value = pair_value(pair)
    return Verdict(node=pair, args={"what": what}, confidence=confidence,
                   data={"value": value, "new": new} if new is not None else {})


@fix("yaml.set_value")
def set_value(ctx: MatchContext, verdict: Verdict):
    value, new = verdict.data.get("value"), verdict.data.get("new")
    if value is None or new is None:
        return None
    return Fix(title=f"Set {pair_key(value.parent)}: {new}",
               edits=(TextEdit(ctx.file.span(value.start_byte, value.end_byte), new),), safe=False)


# ------------------------------------------------------------------ RL540 privileged, RL541 escalation


@predicate("k8s.privileged")
def privileged(ctx: MatchContext):
    pair = ctx.node("match")
    kind = _kind(ctx)
    path = key_path(pair)
    value = pair_value(pair)
    if not is_true(value):
        return None
    if kind == KUBERNETES and in_security_context(path) and in_container(path):
        return _value_verdict(pair, "securityContext.privileged: true", "false")
    if kind == COMPOSE and compose_service_key(path):
        return _value_verdict(pair, f"service {path[1]} sets privileged: true", "false")
    return None


@predicate("k8s.privilege_escalation")
def privilege_escalation(ctx: MatchContext):
    pair = ctx.node("match")
    path = key_path(pair)
    if _kind(ctx) != KUBERNETES or not in_security_context(path) or not is_true(pair_value(pair)):
        return None
    return _value_verdict(pair, "allowPrivilegeEscalation: true", "false")


# ------------------------------------------------------------------ RL530 runs as root (YAML)

_ROOT = {"root", "0"}


@predicate("k8s.runs_as_root")
def runs_as_root(ctx: MatchContext):
    pair = ctx.node("match")
    key = pair_key(pair)
    path = key_path(pair)
    value = pair_value(pair)
    kind = _kind(ctx)
    if kind == KUBERNETES and in_security_context(path):
        if key == "runAsUser" and (scalar(value) or "").strip() == "0":
            return _value_verdict(pair, "securityContext.runAsUser: 0", "10001")
        if key == "runAsNonRoot" and is_false(value):
            return _value_verdict(pair, "securityContext.runAsNonRoot: false", "true")
    if kind == COMPOSE and compose_service_key(path) and key == "user":
        user = (scalar(value) or "").strip().split(":", 1)[0].lower()
        if user in _ROOT:
            return _value_verdict(pair, f"service {path[1]} sets user: {scalar(value)}")
    return None


# ------------------------------------------------------------------ RL542 host namespaces

_COMPOSE_HOST_KEYS = {"network_mode": "network", "pid": "PID", "ipc": "IPC", "userns_mode": "user", "uts": "UTS"}


@predicate("k8s.host_namespace")
def host_namespace(ctx: MatchContext):
    pair = ctx.node("match")
    key = pair_key(pair)
    path = key_path(pair)
    value = pair_value(pair)
    kind = _kind(ctx)
    if kind == KUBERNETES:
        if key in ("hostNetwork", "hostPID", "hostIPC") and len(path) >= 2 and path[-2] == "spec" and is_true(value):
            return _value_verdict(pair, f"{key}: true", "false")
        if key == "hostPort" and in_container(path) and (scalar(value) or "0").strip() not in ("0", ""):
            return _value_verdict(pair, f"hostPort: {scalar(value)} binds the port on the node's address",
                                  confidence=Confidence.MEDIUM)
    if kind == COMPOSE and compose_service_key(path) and key in _COMPOSE_HOST_KEYS:
        if (scalar(value) or "").strip().lower() == "host":
            return _value_verdict(pair, f"service {path[1]} shares the host's {_COMPOSE_HOST_KEYS[key]} namespace ({key}: host)")
    return None


# ------------------------------------------------------------------ RL543 host paths, RL550 docker socket

SOCKETS = linear(r"(^|/)(docker|containerd|crio|cri-dockerd|podman)(\.sock)?$|/(docker|containerd|crio)\.sock$|^/var/run/?$|^/run/?$")
SENSITIVE_HOST_PATHS = ("/", "/etc", "/proc", "/sys", "/dev", "/root", "/boot", "/lib/modules", "/var/lib/docker",
                        "/var/lib/kubelet", "/var/lib/containerd", "/var/log", "/home", "/usr", "/bin", "/sbin")


def _norm_path(p: str) -> str:
    p = p.strip().strip("'\"")
    return p.rstrip("/") or "/"


def is_socket_path(p: str) -> bool:
    return bool(SOCKETS.search(_norm_path(p)))


def _compose_volume_source(item) -> tuple[str | None, object]:
    """Host side of a compose volume entry: short form "host:container[:mode]" or long form."""
    m = mapping_of(item)
    if m is not None:
        kind = (scalar(get(m, "type")) or "bind").strip()
        src = get(m, "source")
        return (scalar(src), src) if kind == "bind" and src is not None else (None, None)
    text = scalar(item)
    if text is None or ":" not in text:
        return None, None
    host = text.split(":", 1)[0]
    if not host.startswith(("/", "~", ".", "$")):
        return None, None  # a named volume
    return host, item


def _compose_volume_item(ctx: MatchContext):
    item = ctx.node("item")
    pair = ctx.node("match")
    path = key_path(pair)
    if _kind(ctx) != COMPOSE or not compose_service_key(path):
        return None, None, None
    host, node = _compose_volume_source(item)
    return host, node, path[1]


@predicate("k8s.docker_socket")
def docker_socket(ctx: MatchContext):
    if ctx.node("item") is not None:  # compose volumes entry
        host, node, service = _compose_volume_item(ctx)
        if host and is_socket_path(host):
            return Verdict(node=node, args={"what": f"service {service} mounts {host}"})
        return None
    pair = ctx.node("match")  # Kubernetes hostPath.path
    path = key_path(pair)
    if _kind(ctx) != KUBERNETES or len(path) < 2 or path[-2] != "hostPath":
        return None
    p = scalar(pair_value(pair)) or ""
    if is_socket_path(p):
        return Verdict(node=pair, args={"what": f"hostPath {p}"})
    return None


@predicate("k8s.host_path")
def host_path(ctx: MatchContext):
    if ctx.node("item") is not None:
        host, node, service = _compose_volume_item(ctx)
        if host and not is_socket_path(host) and _norm_path(host) in SENSITIVE_HOST_PATHS:
            return Verdict(node=node, args={"what": f"service {service} bind-mounts the host's {_norm_path(host)}"})
        return None
    pair = ctx.node("match")  # Kubernetes volumes[].hostPath
    path = key_path(pair)
    if _kind(ctx) != KUBERNETES or len(path) < 3 or path[-3:-1] != ["volumes", "[]"]:
        return None
    p = scalar(get(mapping_of(pair_value(pair)), "path")) if mapping_of(pair_value(pair)) is not None else None
    if p and is_socket_path(p):
        return None  # RL550 reports container runtime sockets
    shown = p or "a host directory"
    return Verdict(node=pair, args={"what": f"hostPath volume {shown}"},
                   confidence=Confidence.HIGH if p and _norm_path(p) in SENSITIVE_HOST_PATHS else None)


# ------------------------------------------------------------------ RL544 capabilities

DANGEROUS_CAPS = {"ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH", "SYS_RAWIO",
                  "SYS_BOOT", "BPF", "PERFMON", "MAC_ADMIN", "MAC_OVERRIDE", "SYSLOG", "DAC_OVERRIDE", "SETFCAP"}


@predicate("k8s.capabilities")
def capabilities(ctx: MatchContext):
    item = ctx.node("item")
    pair = ctx.node("match")
    path = key_path(pair)
    kind = _kind(ctx)
    cap = (scalar(item) or "").strip().upper().removeprefix("CAP_")
    if cap not in DANGEROUS_CAPS:
        return None
    if kind == KUBERNETES and pair_key(pair) == "add" and len(path) >= 2 and path[-2] == "capabilities":
        return Verdict(node=item, args={"what": f"capabilities.add: {cap}"})
    if kind == COMPOSE and compose_service_key(path) and pair_key(pair) == "cap_add":
        return Verdict(node=item, args={"what": f"service {path[1]} adds {cap}"})
    return None


# ------------------------------------------------------------------ RL545 isolation

SAFE_SYSCTLS = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
                "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports",
                "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}


@predicate("k8s.isolation")
def isolation(ctx: MatchContext):
    pair = ctx.node("match")
    key = pair_key(pair)
    value = pair_value(pair)
    path = key_path(pair)
    kind = _kind(ctx)
    item = ctx.node("item")
    if kind == COMPOSE:
        if key == "security_opt" and item is not None and compose_service_key(path):
            opt = (scalar(item) or "").strip().lower().replace("=", ":")
            if opt.endswith(":unconfined") or opt in ("label:disable", "no-new-privileges:false"):
                return Verdict(node=item, args={"what": f"service {path[1]} sets security_opt {scalar(item)}"})
        return None
    if kind != KUBERNETES:
        return None
    m = mapping_of(value)
    if key in ("seccompProfile", "appArmorProfile") and m is not None:
        t = (scalar(get(m, "type")) or "").strip()
        if t.lower() == "unconfined":
            return Verdict(node=pair, args={"what": f"{key}.type: Unconfined"})
    elif key == "procMount" and (scalar(value) or "").strip().lower() == "unmasked":
        return Verdict(node=pair, args={"what": "procMount: Unmasked exposes the host's /proc paths"})
    elif key == "seLinuxOptions" and m is not None:
        t = (scalar(get(m, "type")) or "").strip()
        if t in ("spc_t", "unconfined_t"):
            return Verdict(node=pair, args={"what": f"seLinuxOptions.type: {t}"})
    elif key == "sysctls" and item is not None:
        name = scalar(get(mapping_of(item), "name")) if mapping_of(item) is not None else None
        if name and name.strip() not in SAFE_SYSCTLS:
            return Verdict(node=item, args={"what": f"sets the unsafe sysctl {name.strip()}"})
    elif key.startswith("container.apparmor.security.beta.kubernetes.io/"):
        if (scalar(value) or "").strip().lower() == "unconfined":
            return Verdict(node=pair, args={"what": f"AppArmor profile unconfined for {key.split('/', 1)[1]}"})
    return None


# ------------------------------------------------------------------ RL546 resource limits


@predicate("k8s.resource_limits")
def resource_limits(ctx: MatchContext):
    pair = ctx.node("match")  # containers[].image
    path = key_path(pair)
    if _kind(ctx) != KUBERNETES or not in_container(path) or path[-2] != "[]":
        return None
    if k8s_kind(pair).lower() not in WORKLOAD_KINDS:
        return None
    container = enclosing_mapping(pair)
    limits = dig(container, "resources", "limits")
    lm = mapping_of(limits) if limits is not None else None
    if lm is not None and get(lm, "memory") is not None:
        return None
    name = scalar(get(container, "name")) or scalar(pair_value(pair)) or "container"
    missing = "resources.limits" if lm is None else "resources.limits.memory"
    return Verdict(node=pair, args={"what": f"container {name} has no memory limit ({missing} is not set)"})


# ------------------------------------------------------------------ RL547 ingress-nginx annotations

_NGINX_PREFIX = "nginx.ingress.kubernetes.io/"
_INJECTION_CHARS = linear(r"[\n\r;{}|'\"\\$`]")


@predicate("k8s.nginx_annotation")
def nginx_annotation(ctx: MatchContext):
    pair = ctx.node("match")
    key = pair_key(pair)
    path = key_path(pair)
    if _kind(ctx) != KUBERNETES or path[:2] != ["metadata", "annotations"] or not key.startswith(_NGINX_PREFIX):
        return None
    name = key[len(_NGINX_PREFIX):]
    value = scalar(pair_value(pair)) or ""
    if name.endswith("-snippet"):
        return Verdict(node=pair, args={"what": f"the {name} annotation injects raw nginx configuration"})
    if _INJECTION_CHARS.search(value.strip()):
        return Verdict(node=pair, args={"what": f"the {name} value contains characters that end or alter the nginx directive"})
    return None


# ------------------------------------------------------------------ RL532 secrets (YAML)

_ASSIGN = linear(r"(?m)^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s*(.*)$")


@predicate("k8s.secret_env")
def secret_env(ctx: MatchContext):
    pair = ctx.node("match")
    kind = _kind(ctx)
    path = key_path(pair)
    item = ctx.node("item")
    if item is not None:  # compose `environment:` as a list of KEY=value strings
        if kind != COMPOSE or not compose_service_key(path):
            return None
        name, eq, value = (scalar(item) or "").partition("=")
        if eq and is_secret_name(name.strip()) and literal_secret(value):
            return Verdict(node=item, args={"kind": "Environment variable", "name": name.strip()})
        return None
    if kind == KUBERNETES and pair_key(pair) == "value" and len(path) >= 3 and path[-3:-1] == ["env", "[]"]:
        name = scalar(get(enclosing_mapping(pair), "name")) or ""
        if is_secret_name(name) and literal_secret(scalar(pair_value(pair))):
            return Verdict(node=pair, args={"kind": "Environment variable", "name": name})
        return None
    if kind == KUBERNETES and len(path) == 2 and path[0] == "data" and k8s_kind(pair).lower() == "configmap":
        name, value = pair_key(pair), scalar(pair_value(pair))
        if is_secret_name(name) and literal_secret(value):
            return Verdict(node=pair, args={"kind": "ConfigMap key", "name": name})
        for m in _ASSIGN.finditer(value or ""):
            if is_secret_name(m.group(1)) and literal_secret(m.group(2)):
                return Verdict(node=pair, args={"kind": "ConfigMap entry", "name": m.group(1)})
        return None
    if kind == COMPOSE and len(path) == 4 and path[0] == "services" and path[2] == "environment":
        name = pair_key(pair)
        if is_secret_name(name) and literal_secret(scalar(pair_value(pair))):
            return Verdict(node=pair, args={"kind": "Environment variable", "name": name})
    return None


# ------------------------------------------------------------------ RL531 images (YAML)


@predicate("k8s.unpinned_image")
def unpinned_image(ctx: MatchContext):
    pair = ctx.node("match")
    path = key_path(pair)
    kind = _kind(ctx)
    if kind == KUBERNETES and not (in_container(path) and path[-2] == "[]"):
        return None
    if kind == COMPOSE and not compose_service_key(path):
        return None
    if kind not in (KUBERNETES, COMPOSE):
        return None
    image = scalar(pair_value(pair)) or ""
    ref = parse_image(image)
    if ref is None or ref.unpinned is None:
        return None
    return Verdict(node=pair_value(pair), args={"image": image.strip(), "why": ref.unpinned})

