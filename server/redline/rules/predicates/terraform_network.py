"""Firewall and security-group rules that open administrative or database ports to the internet.

Every provider spells "allow inbound TCP 22 from anywhere" differently; each function below
reads one resource type into (sources, protocol, ports) and `_exposed` decides. A rule is
reported when its source is the whole internet (0.0.0.0/0, ::/0, *, Internet, Any) and its
ports include a sensitive port (SSH, RDP, databases, container and cluster APIs) or every port.
Public HTTP/HTTPS is not reported: that is what web servers are for. Egress is not reported:
unrestricted egress is the default almost everywhere and flagging it would be noise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from redline.rules.predicates.terraform_checks import Issue, Module
from redline.rules.predicates.terraform_model import UNKNOWN, Attr, Block, as_bool, as_list, as_number

SENSITIVE_PORTS: dict[int, str] = {
    20: "FTP", 21: "FTP", 22: "SSH", 23: "Telnet", 135: "MS RPC", 137: "NetBIOS", 138: "NetBIOS",
    139: "NetBIOS", 161: "SNMP", 389: "LDAP", 445: "SMB", 636: "LDAPS", 873: "rsync", 1433: "SQL Server",
    1434: "SQL Server", 1521: "Oracle", 2049: "NFS", 2181: "ZooKeeper", 2375: "Docker API",
    2376: "Docker API", 2379: "etcd", 2380: "etcd", 3306: "MySQL", 3389: "RDP",
    5432: "PostgreSQL", 5601: "Kibana", 5900: "VNC", 5984: "CouchDB", 5985: "WinRM", 5986: "WinRM",
    6379: "Redis", 6443: "Kubernetes API", 9042: "Cassandra", 9092: "Kafka", 9200: "Elasticsearch",
    9300: "Elasticsearch", 10250: "kubelet", 11211: "Memcached", 27017: "MongoDB", 27018: "MongoDB",
    27019: "MongoDB",
}
# Over UDP only these are worth reporting (amplification and file/name services).
SENSITIVE_UDP_PORTS = {137, 138, 161, 389, 2049, 11211}
ALL_PORTS = [(0, 65535)]
_PUBLIC = {"0.0.0.0/0", "::/0", "*", "0.0.0.0", "internet", "any", "0/0", "::0/0"}
_NO_PORTS = {"icmp", "icmpv6", "1", "58", "ipv6-icmp"}
_ANY_PROTOCOL = {"-1", "all", "*", "any", "-1.0"}


def is_public(source) -> bool:
    return isinstance(source, str) and source.strip().lower() in _PUBLIC


def _port_range(text) -> list[tuple[int, int]] | None:
    """"22" / "20-21" / "*" / "all" / 22 -> ranges; None when unknown."""
    if isinstance(text, bool) or text is UNKNOWN or text is None:
        return None
    if isinstance(text, (int, float)):
        return [(int(text), int(text))]
    if not isinstance(text, str):
        return None
    s = text.strip().lower()
    if s in ("*", "all", "any", ""):
        return ALL_PORTS
    m = re.fullmatch(r"(\d+)\s*-\s*(\d+)", s)
    if m:
        return [(int(m.group(1)), int(m.group(2)))]
    if s.isdigit():
        return [(int(s), int(s))]
    return None


def _ranges(values) -> list[tuple[int, int]] | None:
    out: list[tuple[int, int]] = []
    for v in values:
        r = _port_range(v)
        if r is None:
            return None
        out.extend(r)
    return out


def _from_to(block: Block, lo: str, hi: str) -> list[tuple[int, int]] | None:
    """Ports from from_port/to_port; every port when both are absent; None when unknown."""
    a, b = block.attr(lo), block.attr(hi)
    if a is None and b is None:
        return ALL_PORTS
    low = as_number(a.value) if a is not None else None
    high = as_number(b.value) if b is not None else low
    if low is None:
        low = high
    if low is None or high is None:
        return None
    low, high = int(low), int(high)
    if low <= 0 and high <= 0:  # 0/0 or -1/-1 with protocol -1: everything
        return ALL_PORTS
    if low < 0:
        low = 0
    if high < 0:
        high = 65535
    return [(low, high)]


def describe_exposure(ranges: list[tuple[int, int]], udp: bool = False) -> str | None:
    """"SSH (22), RDP (3389)" or "every port"; None when no sensitive port is included."""
    if any(lo <= 1 and hi >= 65535 for lo, hi in ranges):
        return "every port"
    names: list[str] = []
    for port, service in sorted(SENSITIVE_PORTS.items()):
        if udp and port not in SENSITIVE_UDP_PORTS:
            continue
        if any(lo <= port <= hi for lo, hi in ranges):
            label = f"{service} ({port})"
            if label not in names:
                names.append(label)
    if not names:
        return None
    return ", ".join(names[:4]) + (" and more" if len(names) > 4 else "")


@dataclass(frozen=True)
class Ports:
    ranges: list
    udp: bool = False


def _protocol_ranges(protocol, ranges) -> Ports | None:
    p = str(protocol).strip().lower() if isinstance(protocol, (str, int)) and not isinstance(protocol, bool) else ""
    if p in _NO_PORTS:
        return None
    if p in _ANY_PROTOCOL:
        return Ports(ALL_PORTS)
    if ranges is None:
        return None
    return Ports(ranges, udp=p in ("udp", "17"))


def _issue(attr_or_block, source: str, ports: Ports | None, block: Block) -> list[Issue]:
    if ports is None:
        return []
    exposed = describe_exposure(ports.ranges, ports.udp)
    if exposed is None:
        return []
    node = attr_or_block.node if isinstance(attr_or_block, (Attr, Block)) else attr_or_block
    return [Issue(node, f"{exposed} open to {source}")]


def _public_source(block: Block, *names: str) -> tuple[Attr, str] | None:
    for name in names:
        attr = block.attr(name)
        if attr is None:
            continue
        for v in as_list(attr.value):
            if is_public(v):
                return attr, v
    return None


def _is_ingress_block(b: Block, key: str, ingress_values: tuple[str, ...], default: bool) -> bool:
    v = b.value(key, None)
    if v is None:
        return default
    return isinstance(v, str) and v.strip().lower() in ingress_values


# ------------------------------------------------------------------ providers


def aws_security_group(block: Block, module: Module) -> list[Issue]:
    out = []
    for ing in block.blocks("ingress"):
        src = _public_source(ing, "cidr_blocks", "ipv6_cidr_blocks")
        if src:
            ranges = _protocol_ranges(ing.value("protocol", None), _from_to(ing, "from_port", "to_port"))
            out += _issue(src[0], src[1], ranges, block)
    return out


def aws_security_group_rule(block: Block, module: Module) -> list[Issue]:
    if not _is_ingress_block(block, "type", ("ingress",), default=False):
        return []
    src = _public_source(block, "cidr_blocks", "ipv6_cidr_blocks")
    if not src:
        return []
    ranges = _protocol_ranges(block.value("protocol", None), _from_to(block, "from_port", "to_port"))
    return _issue(src[0], src[1], ranges, block)


def aws_vpc_security_group_ingress_rule(block: Block, module: Module) -> list[Issue]:
    src = _public_source(block, "cidr_ipv4", "cidr_ipv6")
    if not src:
        return []
    ranges = _protocol_ranges(block.value("ip_protocol", None), _from_to(block, "from_port", "to_port"))
    return _issue(src[0], src[1], ranges, block)


def _nacl_entry(entry: Block, block: Block, action_key: str) -> list[Issue]:
    action = entry.value(action_key, None)
    if not (isinstance(action, str) and action.strip().lower() == "allow"):
        return []
    src = _public_source(entry, "cidr_block", "ipv6_cidr_block")
    if not src:
        return []
    ranges = _protocol_ranges(entry.value("protocol", None), _from_to(entry, "from_port", "to_port"))
    return _issue(src[0], src[1], ranges, block)


def aws_network_acl_rule(block: Block, module: Module) -> list[Issue]:
    if as_bool(block.value("egress", False)) is not False:
        return []
    return _nacl_entry(block, block, "rule_action")


def aws_network_acl(block: Block, module: Module) -> list[Issue]:
    return [i for ing in block.blocks("ingress") for i in _nacl_entry(ing, block, "action")]


def google_compute_firewall(block: Block, module: Module) -> list[Issue]:
    direction = block.value("direction", "INGRESS")
    if not (isinstance(direction, str) and direction.upper() == "INGRESS"):
        return []
    if as_bool(block.value("disabled", False)) is True:
        return []
    src = _public_source(block, "source_ranges")
    if not src:
        return []
    out = []
    for allow in block.blocks("allow"):
        ports = allow.attr("ports")
        ranges = ALL_PORTS if ports is None else (_ranges(as_list(ports.value)) if ports.value is not UNKNOWN else None)
        out += _issue(src[0], src[1], _protocol_ranges(allow.value("protocol", None), ranges), block)
    return out[:1]


def _azure_rule(rule: Block, block: Block) -> list[Issue]:
    direction = rule.value("direction", "Inbound")
    access = rule.value("access", "Allow")
    if not (isinstance(direction, str) and direction.lower() == "inbound"):
        return []
    if not (isinstance(access, str) and access.lower() == "allow"):
        return []
    src = _public_source(rule, "source_address_prefix", "source_address_prefixes")
    if not src:
        return []
    single, many = rule.attr("destination_port_range"), rule.attr("destination_port_ranges")
    if single is None and many is None:
        ranges = ALL_PORTS
    else:
        values = as_list(single.value) if single is not None else []
        values += as_list(many.value) if many is not None else []
        ranges = _ranges(values) if values else None
    return _issue(src[0], src[1], _protocol_ranges(rule.value("protocol", None), ranges), block)


def azurerm_network_security_rule(block: Block, module: Module) -> list[Issue]:
    return _azure_rule(block, block)


def azurerm_network_security_group(block: Block, module: Module) -> list[Issue]:
    return [i for r in block.blocks("security_rule") for i in _azure_rule(r, block)]


def digitalocean_firewall(block: Block, module: Module) -> list[Issue]:
    out = []
    for rule in block.blocks("inbound_rule"):
        src = _public_source(rule, "source_addresses")
        if not src:
            continue
        port = rule.attr("port_range")
        ranges = ALL_PORTS if port is None else _port_range(port.value)
        out += _issue(src[0], src[1], _protocol_ranges(rule.value("protocol", None), ranges), block)
    return out


def openstack_networking_secgroup_rule_v2(block: Block, module: Module) -> list[Issue]:
    if not _is_ingress_block(block, "direction", ("ingress",), default=False):
        return []
    src = _public_source(block, "remote_ip_prefix")
    if not src:
        return []
    ranges = _protocol_ranges(block.value("protocol", None), _from_to(block, "port_range_min", "port_range_max"))
    return _issue(src[0], src[1], ranges, block)


def openstack_compute_secgroup_v2(block: Block, module: Module) -> list[Issue]:
    out = []
    for rule in block.blocks("rule"):
        src = _public_source(rule, "cidr")
        if src:
            ranges = _protocol_ranges(rule.value("ip_protocol", None), _from_to(rule, "from_port", "to_port"))
            out += _issue(src[0], src[1], ranges, block)
    return out


def openstack_fw_rule(block: Block, module: Module) -> list[Issue]:
    action = block.value("action", None)
    if not (isinstance(action, str) and action.lower() == "allow"):
        return []
    if as_bool(block.value("enabled", True)) is False:
        return []
    source = block.attr("source_ip_address")
    if source is not None and not is_public(source.value):
        return []
    port = block.attr("destination_port")
    ranges = ALL_PORTS if port is None else _port_range(port.value)
    where = source if source is not None else block
    what = source.value if source is not None else "any source (no source_ip_address)"
    issues = _issue(where.node if source is not None else block.head_node, what,
                    _protocol_ranges(block.value("protocol", None), ranges), block)
    return issues


def nifcloud_security_group_rule(block: Block, module: Module) -> list[Issue]:
    if not _is_ingress_block(block, "type", ("in",), default=True):
        return []
    src = _public_source(block, "cidr_ip")
    if not src:
        return []
    ranges = _protocol_ranges(block.value("protocol", None), _from_to(block, "from_port", "to_port"))
    return _issue(src[0], src[1], ranges, block)


def nifcloud_service_security_group(block: Block, module: Module) -> list[Issue]:
    """DB and NAS security groups: any public rule exposes the database or file service."""
    out = []
    for rule in block.blocks("rule"):
        src = _public_source(rule, "cidr_ip")
        if src:
            out.append(Issue(src[0].node, f"the {block.type.split('_')[1].upper()} service open to {src[1]}"))
    return out


CHECKS = {
    "aws_security_group": [aws_security_group],
    "aws_default_security_group": [aws_security_group],
    "aws_security_group_rule": [aws_security_group_rule],
    "aws_vpc_security_group_ingress_rule": [aws_vpc_security_group_ingress_rule],
    "aws_network_acl_rule": [aws_network_acl_rule],
    "aws_network_acl": [aws_network_acl],
    "aws_default_network_acl": [aws_network_acl],
    "google_compute_firewall": [google_compute_firewall],
    "azurerm_network_security_rule": [azurerm_network_security_rule],
    "azurerm_network_security_group": [azurerm_network_security_group],
    "digitalocean_firewall": [digitalocean_firewall],
    "openstack_networking_secgroup_rule_v2": [openstack_networking_secgroup_rule_v2],
    "openstack_compute_secgroup_v2": [openstack_compute_secgroup_v2],
    "openstack_fw_rule_v1": [openstack_fw_rule],
    "openstack_fw_rule_v2": [openstack_fw_rule],
    "nifcloud_security_group_rule": [nifcloud_security_group_rule],
    "nifcloud_db_security_group": [nifcloud_service_security_group],
    "nifcloud_nas_security_group": [nifcloud_service_security_group],
}
