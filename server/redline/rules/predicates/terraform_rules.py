"""What each Terraform rule checks, per resource type (the data behind terraform.toml).

`TABLES[rule name][resource type]` lists the checks run on a block of that type ("data.x" for
data sources). terraform.toml's query for the rule lists the same types; a test keeps the two
in step. When to flag a *missing* setting is a judgement recorded here and in docs/iac.md: only
where the provider default is unsafe and the consequence is exposure (no encryption, public
access, plaintext transport, credentials reachable by SSRF). Observability and hardening
settings are flagged only when the file explicitly turns them off.
"""

from __future__ import annotations

from redline.findings import Confidence
from redline.rules.predicates import terraform_iam as iam
from redline.rules.predicates import terraform_network as network
from redline.rules.predicates import terraform_secrets as secrets
from redline.rules.predicates.iac_common import line_region
from redline.rules.predicates.terraform_checks import (
    FALSE,
    TRUE,
    Check,
    Edit,
    Issue,
    Module,
    add_edit,
    attrs_at,
    block_missing,
    eq,
    is_,
    non_empty_literal,
    unset_or,
    value_is,
    value_not,
    when,
)
from redline.rules.predicates.terraform_model import UNKNOWN, Block, as_bool, as_list, json_value, object_key

LOW, MEDIUM, HIGH = Confidence.LOW, Confidence.MEDIUM, Confidence.HIGH


# ------------------------------------------------------------------ RL501 public-cloud-storage

_PUBLIC_ACLS = eq("public-read", "public-read-write", "authenticated-read", "website")
_PUBLIC_MEMBERS = ("allusers", "allauthenticatedusers")


def _gcs_public_members(block: Block, module: Module) -> list[Issue]:
    out = []
    for name in ("member", "members", "role_entity", "default_acl"):
        a = block.attr(name)
        if a is None:
            continue
        for v in as_list(a.value):
            if isinstance(v, str) and any(p in v.lower() for p in _PUBLIC_MEMBERS):
                out.append(Issue(a.node, f"grants access to {v} (anyone on the internet)"))
                break
    return out


def _gcs_predefined_acl(block: Block, module: Module) -> list[Issue]:
    a = block.attr("predefined_acl")
    if a is not None and isinstance(a.value, str) and a.value in ("publicRead", "publicReadWrite", "authenticatedRead"):
        return [Issue(a.node, f"predefined_acl = {a.value}")]
    return []


def _bigquery_public(block: Block, module: Module) -> list[Issue]:
    out = []
    for acc in block.blocks("access"):
        a = acc.attr("special_group") or acc.attr("iam_member")
        if a is not None and isinstance(a.value, str) and a.value.lower() in _PUBLIC_MEMBERS:
            out.append(Issue(a.node, f"dataset access granted to {a.value}"))
    return out


PUBLIC_STORAGE: dict[str, list[Check]] = {
    "aws_s3_bucket": [is_("acl", _PUBLIC_ACLS, fix='"private"', why="anyone can read the objects")],
    "aws_s3_bucket_acl": [is_("acl", _PUBLIC_ACLS, fix='"private"'),
                          is_("access_control_policy.grant.grantee.uri",
                              lambda v: isinstance(v, str) and v.endswith(("/global/AllUsers", "/global/AuthenticatedUsers")))],
    "aws_s3_object": [is_("acl", _PUBLIC_ACLS, fix='"private"')],
    "aws_s3_bucket_object": [is_("acl", _PUBLIC_ACLS, fix='"private"')],
    "google_storage_bucket_iam_member": [_gcs_public_members],
    "google_storage_bucket_iam_binding": [_gcs_public_members],
    "google_storage_bucket_access_control": [is_("entity", eq("allUsers", "allAuthenticatedUsers"))],
    "google_storage_object_access_control": [is_("entity", eq("allUsers", "allAuthenticatedUsers"))],
    "google_storage_default_object_access_control": [is_("entity", eq("allUsers", "allAuthenticatedUsers"))],
    "google_storage_bucket_acl": [_gcs_public_members, _gcs_predefined_acl],
    "google_storage_default_object_acl": [_gcs_public_members],
    "google_storage_bucket": [is_("uniform_bucket_level_access", FALSE, fix="true", confidence=LOW,
                                  why="per-object ACLs can make single objects public")],
    "google_bigquery_dataset": [_bigquery_public],
    "google_bigquery_dataset_iam_member": [_gcs_public_members],
    "google_bigquery_dataset_iam_binding": [_gcs_public_members],
    "digitalocean_spaces_bucket": [is_("acl", eq("public-read"), fix='"private"')],
    "digitalocean_spaces_bucket_object": [is_("acl", eq("public-read"), fix='"private"')],
    "azurerm_storage_container": [is_("container_access_type", eq("blob", "container"), fix='"private"',
                                      why="anonymous read access")],
    "azurerm_storage_account": [is_("allow_blob_public_access", TRUE, fix="false"),
                                is_("allow_nested_items_to_be_public", TRUE, fix="false")],
}


# ------------------------------------------------------------------ RL502 s3-public-access-block-disabled

_PAB_SETTINGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")


def _public_access_block(block: Block, module: Module) -> list[Issue]:
    out = []
    for name in _PAB_SETTINGS:
        a = block.attr(name)
        if a is not None and as_bool(a.value) is False:
            out.append(Issue(a.node, f"{name} = false", (Edit("set", "true", attr=a),)))
    if out:
        return out
    if not any(block.has(name) for name in _PAB_SETTINGS):
        edits = tuple(add_edit(block, name, "true") for name in _PAB_SETTINGS)
        return [Issue(block.head_node, "blocks nothing: all four settings default to false", edits)]
    return []


PUBLIC_ACCESS_BLOCK: dict[str, list[Check]] = {
    "aws_s3_bucket_public_access_block": [_public_access_block],
    "aws_s3_account_public_access_block": [_public_access_block],
}


# ------------------------------------------------------------------ RL503 storage-encryption-disabled

_athena_wg_encryption = block_missing("configuration.result_configuration.encryption_configuration",
                                      default="query results are stored unencrypted")


def _emr_config(flag: str, what: str) -> Check:
    def check(block: Block, module: Module) -> list[Issue]:
        a = block.attr("configuration")
        if a is None:
            return []
        doc = json_value(a.value)
        enc = doc.get("EncryptionConfiguration") if isinstance(doc, dict) else None
        if isinstance(enc, dict) and as_bool(enc.get(flag)) is False:
            region = line_region(a.expr, flag.encode())
            return [Issue(region or a.node, f"{flag} is false ({what})")]
        return []

    return check


ENCRYPTION_AT_REST: dict[str, list[Check]] = {
    "aws_ebs_volume": [unset_or("encrypted", FALSE, default="EBS volumes are unencrypted unless the account enables encryption by default",
                                fix="true", unless=("kms_key_id", "snapshot_id"), missing_confidence=MEDIUM)],
    "aws_instance": [is_("root_block_device.encrypted", FALSE, fix="true"),
                     is_("ebs_block_device.encrypted", FALSE, fix="true")],
    "aws_launch_configuration": [is_("root_block_device.encrypted", FALSE, fix="true"),
                                 is_("ebs_block_device.encrypted", FALSE, fix="true")],
    "aws_launch_template": [is_("block_device_mappings.ebs.encrypted", FALSE, fix='"true"')],
    "aws_db_instance": [unset_or("storage_encrypted", FALSE, default="RDS instances are unencrypted by default", fix="true",
                                 unless=("kms_key_id", "replicate_source_db", "snapshot_identifier"))],
    "aws_rds_cluster": [when(value_not("engine_mode", "serverless"),
                             unset_or("storage_encrypted", FALSE, default="provisioned Aurora clusters are unencrypted by default",
                                      fix="true", unless=("kms_key_id", "replication_source_identifier", "snapshot_identifier",
                                                          "global_cluster_identifier")))],
    "aws_docdb_cluster": [unset_or("storage_encrypted", FALSE, default="DocumentDB clusters are unencrypted by default",
                                   fix="true", unless=("kms_key_id", "snapshot_identifier"))],
    "aws_neptune_cluster": [unset_or("storage_encrypted", FALSE, default="Neptune clusters are unencrypted by default",
                                     fix="true", unless=("kms_key_arn", "snapshot_identifier", "replication_source_identifier"))],
    "aws_redshift_cluster": [unset_or("encrypted", FALSE, fix="true", unless=("kms_key_id", "snapshot_identifier"),
                                      default="unencrypted by default before AWS provider 6", missing_confidence=LOW)],
    "aws_efs_file_system": [unset_or("encrypted", FALSE, default="EFS file systems are unencrypted by default", fix="true",
                                     unless=("kms_key_id",))],
    "aws_sns_topic": [unset_or("kms_master_key_id", eq(""), default="SNS topics are not encrypted by default",
                               fix='"alias/aws/sns"')],
    "aws_sqs_queue": [is_("sqs_managed_sse_enabled", FALSE, unless=("kms_master_key_id",), fix="true")],
    "aws_kinesis_stream": [unset_or("encryption_type", eq("NONE"), default="Kinesis streams are unencrypted by default",
                                    fix='"KMS"\n  kms_key_id = "alias/aws/kinesis"')],
    "aws_kinesis_firehose_delivery_stream": [is_("server_side_encryption.enabled", FALSE, fix="true")],
    "aws_elasticache_replication_group": [is_("at_rest_encryption_enabled", FALSE, fix="true")],
    "aws_elasticsearch_domain": [is_("encrypt_at_rest.enabled", FALSE, fix="true")],
    "aws_opensearch_domain": [is_("encrypt_at_rest.enabled", FALSE, fix="true")],
    "aws_dax_cluster": [unset_or("server_side_encryption.enabled", FALSE, default="DAX clusters are unencrypted by default",
                                 fix="true")],
    "aws_athena_database": [block_missing("encryption_configuration", default="query results are stored unencrypted")],
    "aws_athena_workgroup": [_athena_wg_encryption,
                             is_("configuration.enforce_workgroup_configuration", FALSE, fix="true",
                                 why="clients can turn encryption off")],
    "aws_codebuild_project": [is_("artifacts.encryption_disabled", TRUE, fix="false"),
                              is_("secondary_artifacts.encryption_disabled", TRUE, fix="false")],
    "aws_workspaces_workspace": [unset_or("root_volume_encryption_enabled", FALSE, default="unencrypted by default", fix="true"),
                                 unset_or("user_volume_encryption_enabled", FALSE, default="unencrypted by default", fix="true")],
    "aws_emr_security_configuration": [_emr_config("EnableAtRestEncryption", "EMR data at rest is unencrypted")],
    "aws_api_gateway_method_settings": [when(lambda b: any(as_bool(s.value("caching_enabled", None)) for s in b.blocks("settings")),
                                             is_("settings.cache_data_encrypted", FALSE, fix="true"))],
    "azurerm_managed_disk": [is_("encryption_settings.enabled", FALSE, fix="true")],
    "azurerm_data_lake_store": [is_("encryption_state", eq("Disabled"), fix='"Enabled"')],
}


# ------------------------------------------------------------------ RL504 plaintext-transport-allowed

def _lb_listener_http(block: Block, module: Module) -> list[Issue]:
    a = block.attr("protocol")
    if a is None or not isinstance(a.value, str) or a.value.upper() != "HTTP":
        return []
    for action in block.blocks("default_action"):
        t = action.value("type", None)
        if isinstance(t, str) and t.lower() == "redirect":
            proto = action.block("redirect")
            p = proto.value("protocol", None) if proto is not None else None
            if p is None or p is UNKNOWN or (isinstance(p, str) and p.upper() == "HTTPS"):
                return []
    return [Issue(a.node, 'protocol = "HTTP" without a redirect to HTTPS')]


def _do_lb(block: Block, module: Module) -> list[Issue]:
    if as_bool(block.value("redirect_http_to_https", False)) is True:
        return []
    out = []
    for rule in block.blocks("forwarding_rule"):
        a = rule.attr("entry_protocol")
        if a is not None and isinstance(a.value, str) and a.value.lower() == "http":
            out.append(Issue(a.node, 'entry_protocol = "http" and redirect_http_to_https is off'))
    return out


def _ecs_efs_transit(block: Block, module: Module) -> list[Issue]:
    out = []
    for vol in block.blocks("volume"):
        for efs in vol.blocks("efs_volume_configuration"):
            a = efs.attr("transit_encryption")
            if a is None:
                        out.append(Issue(efs.head_node, "efs_volume_configuration has no transit_encryption (NFS in plaintext)",
                                 (add_edit(efs, "transit_encryption", '"ENABLED"'),)))
            elif isinstance(a.value, str) and a.value.upper() == "DISABLED":
                    out.append(Issue(a.node, 'transit_encryption = "DISABLED"', (Edit("set", '"ENABLED"', attr=a),)))
    return out


_WEB_APPS = ("azurerm_app_service", "azurerm_function_app", "azurerm_linux_web_app", "azurerm_windows_web_app",
             "azurerm_linux_function_app", "azurerm_windows_function_app", "azurerm_app_service_slot",
             "azurerm_linux_web_app_slot", "azurerm_windows_web_app_slot")

_web_app_transport = [is_("https_only", FALSE, fix="true", why="the app also serves plain HTTP"),
                      is_("site_config.ftps_state", eq("AllAllowed"), fix='"FtpsOnly"', why="FTP sends credentials in plaintext")]

PLAINTEXT_TRANSPORT: dict[str, list[Check]] = {
    "aws_cloudfront_distribution": [is_("default_cache_behavior.viewer_protocol_policy", eq("allow-all"), fix='"redirect-to-https"'),
                                    is_("ordered_cache_behavior.viewer_protocol_policy", eq("allow-all"), fix='"redirect-to-https"')],
    "aws_lb_listener": [_lb_listener_http],
    "aws_alb_listener": [_lb_listener_http],
    "aws_elb": [is_("listener.lb_protocol", eq("http"), why="the load balancer accepts plain HTTP")],
    "aws_elasticsearch_domain": [is_("domain_endpoint_options.enforce_https", FALSE, fix="true"),
                                 is_("node_to_node_encryption.enabled", FALSE, fix="true")],
    "aws_opensearch_domain": [is_("domain_endpoint_options.enforce_https", FALSE, fix="true"),
                              is_("node_to_node_encryption.enabled", FALSE, fix="true")],
    "aws_elasticache_replication_group": [is_("transit_encryption_enabled", FALSE, fix="true")],
    "aws_msk_cluster": [is_("encryption_info.encryption_in_transit.client_broker", eq("PLAINTEXT", "TLS_PLAINTEXT"), fix='"TLS"'),
                        is_("encryption_info.encryption_in_transit.in_cluster", FALSE, fix="true")],
    "aws_ecs_task_definition": [_ecs_efs_transit],
    "aws_emr_security_configuration": [_emr_config("EnableInTransitEncryption", "EMR traffic is unencrypted")],
    "azurerm_storage_account": [is_("enable_https_traffic_only", FALSE, fix="true"),
                                is_("https_traffic_only_enabled", FALSE, fix="true")],
    **{t: _web_app_transport for t in _WEB_APPS},
    "azurerm_postgresql_server": [is_("ssl_enforcement_enabled", FALSE, fix="true"),
                                  is_("ssl_enforcement", eq("Disabled"), fix='"Enabled"')],
    "azurerm_mysql_server": [is_("ssl_enforcement_enabled", FALSE, fix="true"),
                             is_("ssl_enforcement", eq("Disabled"), fix='"Enabled"')],
    "azurerm_mariadb_server": [is_("ssl_enforcement_enabled", FALSE, fix="true")],
    "azurerm_redis_cache": [is_("enable_non_ssl_port", TRUE, fix="false"), is_("non_ssl_port_enabled", TRUE, fix="false")],
    "google_sql_database_instance": [is_("settings.ip_configuration.require_ssl", FALSE, fix="true"),
                                     is_("settings.ip_configuration.ssl_mode", eq("ALLOW_UNENCRYPTED_AND_ENCRYPTED"),
                                         fix='"ENCRYPTED_ONLY"')],
    "digitalocean_loadbalancer": [_do_lb],
}


# ------------------------------------------------------------------ RL505 outdated-tls-policy

_OLD_CLOUDFRONT = eq("SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016", "TLSv1.0")


def _cloudfront_tls(block: Block, module: Module) -> list[Issue]:
    out = []
    for vc in block.blocks("viewer_certificate"):
        if as_bool(vc.value("cloudfront_default_certificate", False)) is True:
            continue  # the default *.cloudfront.net certificate; the setting does not apply
        a = vc.attr("minimum_protocol_version")
        if a is None:
            if vc.has("acm_certificate_arn") or vc.has("iam_certificate_id") or vc.attr("cloudfront_default_certificate"):
                out.append(Issue(vc.head_node, "minimum_protocol_version is not set (defaults to TLSv1)",
                                 (add_edit(vc, "minimum_protocol_version", '"TLSv1.2_2021"'),)))
        elif _OLD_CLOUDFRONT(a.value):
            out.append(Issue(a.node, f"minimum_protocol_version = {a.text}", (Edit("set", '"TLSv1.2_2021"', attr=a),)))
    return out


def _old_elb_policy(v) -> bool:
    if not isinstance(v, str) or not v.strip():
        return False
    s = v.upper()
    return not ("TLS13" in s or "TLS-1-2" in s or "FS-1-2" in s)


_OLD_AZURE_TLS = eq("1.0", "1.1", "TLS1_0", "TLS1_1", "TLSEnforcementDisabled", "Disabled")

_web_app_tls = [is_("site_config.min_tls_version", _OLD_AZURE_TLS, fix='"1.2"'),
                is_("site_config.minimum_tls_version", _OLD_AZURE_TLS, fix='"1.2"')]

OUTDATED_TLS: dict[str, list[Check]] = {
    "aws_cloudfront_distribution": [_cloudfront_tls],
    "aws_lb_listener": [is_("ssl_policy", _old_elb_policy, fix='"ELBSecurityPolicy-TLS13-1-2-2021-06"', why="allows TLS 1.0/1.1")],
    "aws_alb_listener": [is_("ssl_policy", _old_elb_policy, fix='"ELBSecurityPolicy-TLS13-1-2-2021-06"', why="allows TLS 1.0/1.1")],
    "aws_api_gateway_domain_name": [is_("security_policy", eq("TLS_1_0"), fix='"TLS_1_2"')],
    "aws_elasticsearch_domain": [is_("domain_endpoint_options.tls_security_policy", eq("Policy-Min-TLS-1-0-2019-07"),
                                     fix='"Policy-Min-TLS-1-2-2019-07"')],
    "aws_opensearch_domain": [is_("domain_endpoint_options.tls_security_policy", eq("Policy-Min-TLS-1-0-2019-07"),
                                  fix='"Policy-Min-TLS-1-2-2019-07"')],
    "azurerm_storage_account": [is_("min_tls_version", _OLD_AZURE_TLS, fix='"TLS1_2"')],
    **{t: _web_app_tls for t in _WEB_APPS},
    "azurerm_mssql_server": [is_("minimum_tls_version", _OLD_AZURE_TLS, fix='"1.2"')],
    "azurerm_sql_server": [is_("minimum_tls_version", _OLD_AZURE_TLS, fix='"1.2"')],
    "azurerm_postgresql_server": [is_("ssl_minimal_tls_version_enforced", _OLD_AZURE_TLS, fix='"TLS1_2"')],
    "azurerm_mysql_server": [is_("ssl_minimal_tls_version_enforced", _OLD_AZURE_TLS, fix='"TLS1_2"')],
    "azurerm_redis_cache": [is_("minimum_tls_version", _OLD_AZURE_TLS, fix='"1.2"')],
    "google_compute_ssl_policy": [unset_or("min_tls_version", eq("TLS_1_0", "TLS_1_1"), default="defaults to TLS_1_0",
                                           fix='"TLS_1_2"')],
}


# ------------------------------------------------------------------ RL506 admin-port-open-to-internet

OPEN_INGRESS: dict[str, list[Check]] = {t: list(c) for t, c in network.CHECKS.items()}


# ------------------------------------------------------------------ RL507 public-service-endpoint

def _public_cidr_values(path: str, what: str) -> Check:
    def check(block: Block, module: Module) -> list[Issue]:
        out = []
        for a in attrs_at(block, path):
            if any(network.is_public(v) for v in as_list(a.value)):
                out.append(Issue(a.node, what))
        return out

    return check


def _eks_public(block: Block, module: Module) -> list[Issue]:
    out = []
    for vpc in block.blocks("vpc_config"):
        a = vpc.attr("endpoint_public_access")
        if a is None or as_bool(a.value) is not True:
            continue
        cidrs = vpc.attr("public_access_cidrs")
        if cidrs is None or any(network.is_public(v) for v in as_list(cidrs.value)):
            out.append(Issue(a.node, "the Kubernetes API endpoint is public and open to 0.0.0.0/0"))
    return out


def _azure_firewall_all(block: Block, module: Module) -> list[Issue]:
    start, end = block.value("start_ip_address", None), block.value("end_ip_address", None)
    if start == "0.0.0.0" and end == "255.255.255.255":
        return [Issue(block.attr("end_ip_address").node, "the firewall rule allows every IPv4 address")]
    return []


def _aks_public(block: Block, module: Module) -> list[Issue]:
    a = block.attr("private_cluster_enabled")
    if a is None or as_bool(a.value) is not False:
        return []
    if block.has("api_server_access_profile") or block.has("api_server_authorized_ip_ranges"):
        return []
    return [Issue(a.node, "the AKS API server is public and no authorized IP ranges are set")]


def _api_gateway_method(block: Block, module: Module) -> list[Issue]:
    a = block.attr("authorization")
    if a is None or not isinstance(a.value, str) or a.value.upper() != "NONE":
        return []
    method = block.value("http_method", None)
    if isinstance(method, str) and method.upper() in ("OPTIONS", "OPTION"):
        return []
    if as_bool(block.value("api_key_required", False)) is True:
        return []
    return [Issue(a.node, 'authorization = "NONE": anyone can call this method', confidence=LOW)]


_publicly_accessible = [is_("publicly_accessible", TRUE, fix="false")]

PUBLIC_ENDPOINT: dict[str, list[Check]] = {
    "aws_db_instance": _publicly_accessible,
    "aws_rds_cluster_instance": _publicly_accessible,
    "aws_redshift_cluster": _publicly_accessible,
    "aws_dms_replication_instance": _publicly_accessible,
    "aws_mq_broker": _publicly_accessible,
    "nifcloud_db_instance": _publicly_accessible,
    "aws_eks_cluster": [_eks_public],
    "aws_api_gateway_method": [_api_gateway_method],
    "google_sql_database_instance": [_public_cidr_values("settings.ip_configuration.authorized_networks.value",
                                                         "the database accepts connections from any address")],
    "google_container_cluster": [_public_cidr_values("master_authorized_networks_config.cidr_blocks.cidr_block",
                                                     "the control plane accepts connections from any address"),
                                 is_("private_cluster_config.enable_private_nodes", FALSE, fix="true",
                                     why="nodes get public IP addresses")],
    "azurerm_kubernetes_cluster": [_aks_public],
    "azurerm_postgresql_server": [is_("public_network_access_enabled", TRUE, fix="false")],
    "azurerm_postgresql_flexible_server": [is_("public_network_access_enabled", TRUE, fix="false")],
    "azurerm_mysql_server": [is_("public_network_access_enabled", TRUE, fix="false")],
    "azurerm_mysql_flexible_server": [is_("public_network_access_enabled", TRUE, fix="false")],
    "azurerm_mariadb_server": [is_("public_network_access_enabled", TRUE, fix="false")],
    "azurerm_mssql_server": [is_("public_network_access_enabled", TRUE, fix="false")],
    "azurerm_cosmosdb_account": [is_("public_network_access_enabled", TRUE, fix="false")],
    "azurerm_data_factory": [is_("public_network_enabled", TRUE, fix="false")],
    "azurerm_sql_firewall_rule": [_azure_firewall_all],
    "azurerm_mssql_firewall_rule": [_azure_firewall_all],
    "azurerm_postgresql_firewall_rule": [_azure_firewall_all],
    "azurerm_postgresql_flexible_server_firewall_rule": [_azure_firewall_all],
    "azurerm_mysql_firewall_rule": [_azure_firewall_all],
    "azurerm_mysql_flexible_server_firewall_rule": [_azure_firewall_all],
    "azurerm_mariadb_firewall_rule": [_azure_firewall_all],
}


# ------------------------------------------------------------------ RL508 public-ip-assigned

def _gce_access_config(block: Block, module: Module) -> list[Issue]:
    out = []
    for nic in block.blocks("network_interface"):
        for ac in nic.blocks("access_config"):
            out.append(Issue(ac.head_node, "network_interface has an access_config (an external IP address)"))
    return out


def _azure_nic_public_ip(block: Block, module: Module) -> list[Issue]:
    return [Issue(a.node, "ip_configuration attaches a public IP address")
            for a in attrs_at(block, "ip_configuration.public_ip_address_id") if a.value is not None]


PUBLIC_IP: dict[str, list[Check]] = {
    "aws_instance": [is_("associate_public_ip_address", TRUE, fix="false")],
    "aws_launch_configuration": [is_("associate_public_ip_address", TRUE, fix="false")],
    "aws_launch_template": [is_("network_interfaces.associate_public_ip_address", TRUE, fix="false")],
    "aws_subnet": [is_("map_public_ip_on_launch", TRUE, fix="false", why="every instance launched here gets a public IP")],
    "google_compute_instance": [_gce_access_config],
    "google_compute_instance_template": [_gce_access_config],
    "azurerm_network_interface": [_azure_nic_public_ip],
    "opc_compute_ip_address_reservation": [is_("ip_address_pool", eq("public-ippool"), fix='"cloud-ippool"')],
}


# ------------------------------------------------------------------ RL509 overly-permissive-iam

_IDENTITY = [iam.identity_policy]

OVERLY_PERMISSIVE_IAM: dict[str, list[Check]] = {
    "aws_iam_policy": _IDENTITY,
    "aws_iam_role_policy": _IDENTITY,
    "aws_iam_user_policy": _IDENTITY,
    "aws_iam_group_policy": _IDENTITY,
    "aws_iam_role": [iam.identity_policy, iam.managed_policy_attachment],
    "aws_iam_role_policy_attachment": [iam.managed_policy_attachment],
    "aws_iam_user_policy_attachment": [iam.managed_policy_attachment],
    "aws_iam_group_policy_attachment": [iam.managed_policy_attachment],
    "aws_iam_policy_attachment": [iam.managed_policy_attachment],
    "data.aws_iam_policy_document": [iam.policy_document],
    "aws_s3_bucket_policy": [iam.resource_policy_wildcards],
    "aws_sqs_queue_policy": [iam.resource_policy_wildcards],
    "aws_sns_topic_policy": [iam.resource_policy_wildcards],
    "aws_ecr_repository_policy": [iam.resource_policy_wildcards],
    "azurerm_role_definition": [iam.azure_role_definition],
    **{f"google_{scope}_iam_{kind}": [iam.google_iam]
       for scope in ("project", "folder", "organization") for kind in ("member", "binding")},
}


# ------------------------------------------------------------------ RL510 public-resource-policy

_PUBLIC_POLICY = [iam.resource_policy_public]

PUBLIC_RESOURCE_POLICY: dict[str, list[Check]] = {
    "aws_s3_bucket_policy": _PUBLIC_POLICY,
    "aws_sqs_queue_policy": _PUBLIC_POLICY,
    "aws_sns_topic_policy": _PUBLIC_POLICY,
    "aws_ecr_repository_policy": _PUBLIC_POLICY,
    "aws_kms_key": _PUBLIC_POLICY,
    "aws_secretsmanager_secret_policy": _PUBLIC_POLICY,
    "aws_glacier_vault": _PUBLIC_POLICY,
    "aws_elasticsearch_domain_policy": _PUBLIC_POLICY,
    "aws_opensearch_domain_policy": _PUBLIC_POLICY,
    "aws_iam_role": _PUBLIC_POLICY,
    "aws_sqs_queue": _PUBLIC_POLICY,
    "aws_sns_topic": _PUBLIC_POLICY,
    "data.aws_iam_policy_document": [iam.policy_document_public],
    "aws_lambda_permission": [iam.lambda_permission],
}


# ------------------------------------------------------------------ RL511 weak-password-policy

WEAK_PASSWORD_POLICY: dict[str, list[Check]] = {"aws_iam_account_password_policy": [iam.password_policy]}


# ------------------------------------------------------------------ RL512 audit-logging-disabled

_PG_LOG_FLAGS = {"log_connections", "log_disconnections", "log_checkpoints", "log_lock_waits"}


def _sql_log_flags(block: Block, module: Module) -> list[Issue]:
    out = []
    for settings in block.blocks("settings"):
        for flag in settings.blocks("database_flags"):
            name, value = flag.value("name", None), flag.value("value", None)
            if not isinstance(name, str) or not isinstance(value, (str, int)):
                continue
            v = str(value).strip().lower()
            va = flag.attr("value")
            if name in _PG_LOG_FLAGS and v == "off":
                out.append(Issue(va.node, f'database flag {name} = "off"', (Edit("set", '"on"', attr=va),)))
            elif name == "log_min_messages" and v in ("fatal", "panic", "log"):
                out.append(Issue(va.node, f'log_min_messages = "{value}" (errors are not logged)',
                                 (Edit("set", '"ERROR"', attr=va),)))
            elif name == "log_temp_files" and v == "-1":
                out.append(Issue(va.node, 'log_temp_files = "-1" (temporary files are not logged)',
                                 (Edit("set", '"0"', attr=va),)))
    return out


def _neptune_exports(block: Block, module: Module) -> list[Issue]:
    a = block.attr("enable_cloudwatch_logs_exports")
    if a is None or not isinstance(a.value, list) or UNKNOWN in a.value:
        return []
    if "audit" not in a.value:
        return [Issue(a.node, 'enable_cloudwatch_logs_exports does not include "audit"')]
    return []


def _alert_policy(block: Block, module: Module) -> list[Issue]:
    out = []
    a = block.attr("state")
    if a is not None and isinstance(a.value, str) and a.value.lower() == "disabled":
        out.append(Issue(a.node, 'threat detection state = "Disabled"'))
    d = block.attr("disabled_alerts")
    if d is not None and isinstance(d.value, list) and any(isinstance(x, str) and x for x in d.value):
        out.append(Issue(d.node, "some threat detection alerts are disabled"))
    return out


AUDIT_LOGGING: dict[str, list[Check]] = {
    "aws_cloudtrail": [is_("enable_log_file_validation", FALSE, fix="true", why="log files can be altered unnoticed"),
                       is_("is_multi_region_trail", FALSE, fix="true", why="activity in other regions is not recorded"),
                       is_("enable_logging", FALSE, fix="true")],
    "aws_elasticsearch_domain": [is_("log_publishing_options.enabled", FALSE, fix="true")],
    "aws_opensearch_domain": [is_("log_publishing_options.enabled", FALSE, fix="true")],
    "aws_mq_broker": [is_("logs.audit", FALSE, fix="true"), is_("logs.general", FALSE, fix="true")],
    "aws_neptune_cluster": [_neptune_exports],
    "aws_lb": [is_("access_logs.enabled", FALSE, fix="true")],
    "aws_alb": [is_("access_logs.enabled", FALSE, fix="true")],
    "aws_elb": [is_("access_logs.enabled", FALSE, fix="true")],
    "aws_eks_cluster": [is_("enabled_cluster_log_types", lambda v: v == [], why="no control plane logs")],
    "google_sql_database_instance": [_sql_log_flags],
    "google_container_cluster": [is_("logging_service", eq("none"), fix='"logging.googleapis.com/kubernetes"'),
                                 is_("monitoring_service", eq("none"), fix='"monitoring.googleapis.com/kubernetes"')],
    "google_compute_subnetwork": [is_("enable_flow_logs", FALSE, why="no VPC flow logs")],
    "azurerm_network_watcher_flow_log": [is_("enabled", FALSE, fix="true"), is_("retention_policy.enabled", FALSE, fix="true")],
    "azurerm_monitor_log_profile": [is_("retention_policy.enabled", FALSE, fix="true")],
    "azurerm_security_center_contact": [is_("alert_notifications", FALSE, fix="true"), is_("alerts_to_admins", FALSE, fix="true")],
    "azurerm_security_center_subscription_pricing": [is_("tier", eq("Free"), fix='"Standard"',
                                                          why="Microsoft Defender for Cloud is off")],
    "azurerm_mssql_server_security_alert_policy": [_alert_policy, is_("email_account_admins", FALSE, fix="true")],
}


# ------------------------------------------------------------------ RL513 data-protection-disabled

DATA_PROTECTION: dict[str, list[Check]] = {
    "aws_s3_bucket": [is_("versioning.enabled", FALSE, fix="true")],
    "aws_s3_bucket_versioning": [is_("versioning_configuration.status", eq("Disabled", "Suspended"), fix='"Enabled"')],
    "google_storage_bucket": [is_("versioning.enabled", FALSE, fix="true")],
    "digitalocean_spaces_bucket": [is_("versioning.enabled", FALSE, fix="true")],
    "google_sql_database_instance": [when(lambda b: not b.has("master_instance_name"),
                                          is_("settings.backup_configuration.enabled", FALSE, fix="true"))],
    "aws_db_instance": [when(lambda b: not b.has("replicate_source_db"),
                             is_("backup_retention_period", eq(0), fix="7", why="automated backups are off"))],
    "aws_rds_cluster": [is_("backup_retention_period", eq(0), fix="7", why="automated backups are off")],
    "aws_dynamodb_table": [is_("point_in_time_recovery.enabled", FALSE, fix="true")],
    "aws_elasticache_cluster": [when(value_is("engine", "redis"), is_("snapshot_retention_limit", eq(0), why="no backups"))],
    "aws_elasticache_replication_group": [is_("snapshot_retention_limit", eq(0), why="no backups")],
    "azurerm_key_vault": [is_("purge_protection_enabled", FALSE, fix="true",
                              why="deleted keys and secrets can be purged at once")],
}


# ------------------------------------------------------------------ RL514 imds-v1-allowed

def _imds(block: Block, module: Module) -> list[Issue]:
    """Explicit IMDSv1 only: without metadata_options the effective setting depends on the AMI
    (Amazon Linux 2023 and newer AMIs require tokens) and on the account's default."""
    out = []
    for o in block.blocks("metadata_options"):
        endpoint = o.value("http_endpoint", None)
        if isinstance(endpoint, str) and endpoint.lower() == "disabled":
            continue
        a = o.attr("http_tokens")
        if a is None:
            out.append(Issue(o.head_node, "metadata_options without http_tokens: IMDSv1 stays enabled",
                             (add_edit(o, "http_tokens", '"required"'),), confidence=MEDIUM))
        elif isinstance(a.value, str) and a.value.lower() == "optional":
            out.append(Issue(a.node, 'http_tokens = "optional": IMDSv1 is enabled', (Edit("set", '"required"', attr=a),)))
    return out


IMDS: dict[str, list[Check]] = {t: [_imds] for t in ("aws_instance", "aws_launch_template", "aws_launch_configuration")}


# ------------------------------------------------------------------ RL515 plaintext-secret-in-resource

_USER_DATA = secrets.script_attributes("user_data", "user_data_base64", "custom_data", "os_profile.custom_data",
                                       "metadata_startup_script", "user_data_replace_on_change")

PLAINTEXT_SECRET: dict[str, list[Check]] = {
    **{t: [secrets.literal_attribute("plaintext_value", what="the secret")]
       for t in ("github_actions_secret", "github_actions_environment_secret", "github_actions_organization_secret",
                 "github_dependabot_secret", "github_dependabot_organization_secret", "github_codespaces_secret")},
    "google_compute_disk": [secrets.literal_attribute("disk_encryption_key.raw_key", "disk_encryption_key.rsa_encrypted_key",
                                                      what="the disk encryption key")],
    "google_compute_instance": [secrets.literal_attribute("boot_disk.disk_encryption_key_raw", "attached_disk.disk_encryption_key_raw",
                                                          what="the disk encryption key"), _USER_DATA],
    "google_compute_snapshot": [secrets.literal_attribute("snapshot_encryption_key.raw_key", what="the encryption key")],
    "google_compute_image": [secrets.literal_attribute("image_encryption_key.raw_key", what="the encryption key")],
    "openstack_compute_instance_v2": [secrets.literal_attribute("admin_pass", what="the administrator password")],
    "aws_ecs_task_definition": [secrets.ecs_container_definitions],
    "aws_instance": [_USER_DATA],
    "aws_launch_template": [_USER_DATA],
    "aws_launch_configuration": [_USER_DATA],
    "azurerm_virtual_machine": [_USER_DATA],
    "azurerm_linux_virtual_machine": [_USER_DATA],
    "azurerm_windows_virtual_machine": [_USER_DATA],
    "azurerm_linux_virtual_machine_scale_set": [_USER_DATA],
    "cloudstack_instance": [_USER_DATA],
    "digitalocean_droplet": [_USER_DATA],
}


# ------------------------------------------------------------------ RL516 cluster-hardening-disabled

def _legacy_basic_auth(block: Block, module: Module) -> list[Issue]:
    return [Issue(a.node, "master_auth sets a username/password (basic authentication)")
            for a in attrs_at(block, "master_auth.username") if non_empty_literal(a.value)]


def _metadata_flag(path_block: str, key: str, bad, safe: str) -> Check:
    """A `metadata = { key = value }` entry with a bad value; the fix rewrites that entry."""

    def check(block: Block, module: Module) -> list[Issue]:
        holders = block.descendants(path_block) if path_block else [block]
        out = []
        for h in holders:
            a = h.attr("metadata")
            if a is None or not isinstance(a.value, dict) or key not in a.value or not bad(a.value[key]):
                continue
            elem = _object_elem(a.expr, key)
            edits = (Edit("set_node", safe, node=elem.child_by_field_name("val")),) if elem is not None else ()
            out.append(Issue(elem if elem is not None else a.node, f"metadata {key} = {str(a.value[key]).lower()}", edits))
        return out

    return check


def _object_elem(expr, key: str):
    stack = [expr] if expr is not None else []
    while stack:
        n = stack.pop()
        if n.type == "object_elem" and object_key(n) == key:
            return n
        stack.extend(n.named_children)
    return None


_GKE_NODE = [_metadata_flag("node_config", "disable-legacy-endpoints", FALSE, "true"),
             is_("node_config.workload_metadata_config.mode", eq("GCE_METADATA", "MODE_UNSPECIFIED"), fix='"GKE_METADATA"',
                 why="pods can read the node's credentials"),
             is_("node_config.workload_metadata_config.node_metadata", eq("EXPOSE", "UNSPECIFIED"), fix='"GKE_METADATA_SERVER"')]

CLUSTER_HARDENING: dict[str, list[Check]] = {
    "google_container_cluster": [is_("enable_legacy_abac", TRUE, fix="false"),
                                 is_("master_auth.client_certificate_config.issue_client_certificate", TRUE, fix="false"),
                                 _legacy_basic_auth,
                                 is_("network_policy.enabled", FALSE, fix="true"),
                                 is_("enable_shielded_nodes", FALSE, fix="true"),
                                 *_GKE_NODE],
    "google_container_node_pool": [is_("management.auto_repair", FALSE, fix="true"),
                                   is_("management.auto_upgrade", FALSE, fix="true", why="nodes miss security patches"),
                                   *_GKE_NODE],
    "azurerm_kubernetes_cluster": [is_("role_based_access_control_enabled", FALSE, fix="true"),
                                   is_("role_based_access_control.enabled", FALSE, fix="true"),
                                   is_("azure_policy_enabled", FALSE, fix="true")],
    "digitalocean_kubernetes_cluster": [is_("auto_upgrade", FALSE, fix="true", why="the cluster misses security patches")],
}


# ------------------------------------------------------------------ RL517 vm-hardening-disabled

def _default_service_account(block: Block, module: Module) -> list[Issue]:
    return [Issue(a.node, "runs as the default Compute Engine service account")
            for a in attrs_at(block, "service_account.email")
            if isinstance(a.value, str) and a.value.endswith("-compute@developer.gserviceaccount.com")]


def _droplet_ssh_keys(block: Block, module: Module) -> list[Issue]:
    if block.has("ssh_keys") or block.has("user_data"):
        return []
    return [Issue(block.head_node, "no ssh_keys: DigitalOcean e-mails a root password and allows password login")]


_GCE_METADATA = [_metadata_flag("", "serial-port-enable", TRUE, "false"),
                 _metadata_flag("", "block-project-ssh-keys", FALSE, "true"),
                 _metadata_flag("", "enable-oslogin", FALSE, "true")]

_GCE = [*_GCE_METADATA,
        is_("can_ip_forward", TRUE, fix="false"),
        is_("shielded_instance_config.enable_secure_boot", FALSE, fix="true"),
        is_("shielded_instance_config.enable_vtpm", FALSE, fix="true"),
        is_("shielded_instance_config.enable_integrity_monitoring", FALSE, fix="true"),
        _default_service_account]

VM_HARDENING: dict[str, list[Check]] = {
    "google_compute_instance": _GCE,
    "google_compute_instance_template": _GCE,
    "google_compute_project_metadata": [_metadata_flag("", "enable-oslogin", FALSE, "true"),
                                        _metadata_flag("", "serial-port-enable", TRUE, "false")],
    "azurerm_linux_virtual_machine": [is_("disable_password_authentication", FALSE, fix="true")],
    "azurerm_linux_virtual_machine_scale_set": [is_("disable_password_authentication", FALSE, fix="true")],
    "azurerm_virtual_machine": [is_("os_profile_linux_config.disable_password_authentication", FALSE, fix="true")],
    "azurerm_network_interface": [is_("enable_ip_forwarding", TRUE, fix="false"), is_("ip_forwarding_enabled", TRUE, fix="false")],
    "digitalocean_droplet": [_droplet_ssh_keys],
}


# ------------------------------------------------------------------ RL518 database-hardening-disabled

_DANGEROUS_DB_FLAGS = {"local_infile": "lets clients read server files", "cross db ownership chaining": "",
                       "contained database authentication": "", "external scripts enabled": "runs scripts on the server"}


def _sql_security_flags(block: Block, module: Module) -> list[Issue]:
    out = []
    for settings in block.blocks("settings"):
        for flag in settings.blocks("database_flags"):
            name, value = flag.value("name", None), flag.value("value", None)
            if isinstance(name, str) and name in _DANGEROUS_DB_FLAGS and str(value).strip().lower() == "on":
                note = _DANGEROUS_DB_FLAGS[name]
                out.append(Issue(flag.attr("value").node, f'database flag "{name}" = "on"' + (f" ({note})" if note else "")))
    return out


DATABASE_HARDENING: dict[str, list[Check]] = {"google_sql_database_instance": [_sql_security_flags]}


# ------------------------------------------------------------------ RL519 key-rotation-disabled

def _symmetric(block: Block) -> bool:
    usage = block.value("key_usage", "ENCRYPT_DECRYPT")
    spec = block.value("customer_master_key_spec", "SYMMETRIC_DEFAULT")
    return usage == "ENCRYPT_DECRYPT" and spec == "SYMMETRIC_DEFAULT"


def _gcp_rotation(block: Block, module: Module) -> list[Issue]:
    a = block.attr("rotation_period")
    purpose = block.value("purpose", "ENCRYPT_DECRYPT")
    if purpose != "ENCRYPT_DECRYPT":
        return []
    if a is None:
        return []
    v = a.value
    if isinstance(v, str) and v.endswith("s"):
        try:
            seconds = float(v[:-1])
        except ValueError:
            return []
        if seconds > 7776000:
            return [Issue(a.node, f"rotation_period = {v} ({seconds / 86400:.0f} days, more than 90)",
                          (Edit("set", '"7776000s"', attr=a),))]
    return []


KEY_ROTATION: dict[str, list[Check]] = {
    "aws_kms_key": [when(_symmetric, unset_or("enable_key_rotation", FALSE, default="KMS keys are never rotated by default",
                                              fix="true", missing_confidence=MEDIUM))],
    "google_kms_crypto_key": [_gcp_rotation],
}


# ------------------------------------------------------------------ RL520 untrusted-ami-source

def _ami_owners(block: Block, module: Module) -> list[Issue]:
    if block.has("owners") or block.has("image_id") or block.has("executable_users"):
        return []
    if not block.blocks("filter") and not block.has("name_regex"):
        return []
    return [Issue(block.head_node, "looks up an AMI by name without `owners`: an image anyone published can match")]


UNTRUSTED_AMI: dict[str, list[Check]] = {"data.aws_ami": [_ami_owners], "data.aws_ami_ids": [_ami_owners]}


# ------------------------------------------------------------------ RL521 dnssec-disabled

DNSSEC: dict[str, list[Check]] = {
    "google_dns_managed_zone": [when(value_not("visibility", "private"),
                                     is_("dnssec_config.state", eq("off"), fix='"on"'),
                                     is_("dnssec_config.default_key_specs.algorithm", eq("rsasha1"), fix='"rsasha256"',
                                         why="RSA/SHA-1 signatures are weak"))],
}


# ------------------------------------------------------------------ RL522 repository-protection-disabled

REPOSITORY_PROTECTION: dict[str, list[Check]] = {
    "github_repository": [when(lambda b: as_bool(b.value("archived", False)) is not True,
                               is_("vulnerability_alerts", FALSE, fix="true"))],
    "github_branch_protection": [is_("require_signed_commits", FALSE, fix="true", confidence=LOW)],
    "github_branch_protection_v3": [is_("require_signed_commits", FALSE, fix="true", confidence=LOW)],
    "aws_ecr_repository": [is_("image_scanning_configuration.scan_on_push", FALSE, fix="true"),
                           is_("image_tag_mutability", eq("MUTABLE"), fix='"IMMUTABLE"', confidence=LOW,
                               why="a pushed tag can be replaced by a different image")],
}


# ------------------------------------------------------------------ RL523 network-default-allow

NETWORK_DEFAULT_ALLOW: dict[str, list[Check]] = {
    "azurerm_storage_account": [is_("network_rules.default_action", eq("Allow"), fix='"Deny"')],
    "azurerm_storage_account_network_rules": [is_("default_action", eq("Allow"), fix='"Deny"')],
    "azurerm_key_vault": [is_("network_acls.default_action", eq("Allow"), fix='"Deny"')],
    "azurerm_synapse_workspace": [is_("managed_virtual_network_enabled", FALSE, fix="true")],
    "google_project": [is_("auto_create_network", TRUE, fix="false",
                           why="the default network opens SSH and RDP to the internet")],
}


TABLES: dict[str, dict[str, list[Check]]] = {
    "public-cloud-storage": PUBLIC_STORAGE,
    "s3-public-access-block-disabled": PUBLIC_ACCESS_BLOCK,
    "storage-encryption-disabled": ENCRYPTION_AT_REST,
    "plaintext-transport-allowed": PLAINTEXT_TRANSPORT,
    "outdated-tls-policy": OUTDATED_TLS,
    "admin-port-open-to-internet": OPEN_INGRESS,
    "public-service-endpoint": PUBLIC_ENDPOINT,
    "public-ip-assigned": PUBLIC_IP,
    "overly-permissive-iam": OVERLY_PERMISSIVE_IAM,
    "public-resource-policy": PUBLIC_RESOURCE_POLICY,
    "weak-password-policy": WEAK_PASSWORD_POLICY,
    "audit-logging-disabled": AUDIT_LOGGING,
    "data-protection-disabled": DATA_PROTECTION,
    "imds-v1-allowed": IMDS,
    "plaintext-secret-in-resource": PLAINTEXT_SECRET,
    "cluster-hardening-disabled": CLUSTER_HARDENING,
    "vm-hardening-disabled": VM_HARDENING,
    "database-hardening-disabled": DATABASE_HARDENING,
    "key-rotation-disabled": KEY_ROTATION,
    "untrusted-ami-source": UNTRUSTED_AMI,
    "dnssec-disabled": DNSSEC,
    "repository-protection-disabled": REPOSITORY_PROTECTION,
    "network-default-allow": NETWORK_DEFAULT_ALLOW,
}


def table_key(block: Block) -> str:
    return f"data.{block.type}" if block.kind == "data" else block.type


def types_for(rule_name: str) -> tuple[list[str], list[str]]:
    """(resource types, data source types) a rule covers — what its query must list."""
    table = TABLES[rule_name]
    resources = sorted(k for k in table if not k.startswith("data."))
    data = sorted(k[5:] for k in table if k.startswith("data."))
    return resources, data
