"""Token-format detectors, as data.

Each `Detector` describes one provider's documented token format: a linear-time (RE2) pattern
whose `secret` group is the token, the title shown to the user, the environment variable a fix
reads it from, and how sure we are. A detector has no code of its own; the few formats that need
a structural check name one in `check` (see `checks.py`).

Patterns are written from the providers' published formats (prefix, alphabet, length), never
from a single sample. Only RE2 syntax is allowed (no look-around, no back-references) and no
quantifier is nested inside another, so every pattern runs in linear time; `tests/test_secrets_
detectors.py` compiles each one with RE2 and checks it against its own generated fakes.

Fields:
  id          kebab-case, stable (shown in finding properties and used by suppressions docs)
  title       what the value is, for messages ("GitHub personal access token")
  pattern     RE2 pattern; group `secret` is the token (else the whole match)
  anchor      a cheap pattern fragment found in every match, for the per-file prefilter
              (default: the literal prefix given in `prefix`)
  prefix      the format's fixed prefix, also used to redact (shown) and to generate fakes
  fake        how tests build a fake at run time: "<alphabet>:<length>" after `prefix`
  env         environment variable name a quick fix reads the value from
  confidence  high | medium | low
  code        the Redline rule reporting it (RL201 tokens, RL202 private keys)
  check       name of a structural check in checks.py (JWT header, key body, mixed case...)
  filters     False to skip the placeholder filters (binary encodings with long runs)
  context     the text a value needs around it to match (`AccountKey={}`), for generated examples
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Detector:
    id: str
    title: str
    pattern: str
    prefix: str = ""
    anchor: str = ""
    fake: str = ""
    env: str = "API_TOKEN"
    confidence: str = "high"
    code: str = "RL201"
    check: str | None = None
    filters: bool = True
    # The text around a value that the pattern needs (`AccountKey={}`), for generated examples.
    context: str = "{}"

    @property
    def prefilter(self) -> str:
        """The fragment that the per-file prefilter looks for."""
        return self.anchor or re.escape(self.prefix)


ALNUM = "A-Za-z0-9"
B64URL = "A-Za-z0-9_-"

DETECTORS: tuple[Detector, ...] = (
    # ---------------------------------------------------------------- cloud providers
    Detector(
        "aws-access-key-id", "AWS access key ID",
        # A3T[A-Z0-9]: the older key-id prefix that detect-secrets and gitleaks also recognise.
        r"\b(?P<secret>(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})\b",
        prefix="AKIA", anchor=r"(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}", fake="b32:16", env="AWS_ACCESS_KEY_ID",
    ),
    Detector(
        "aws-secret-access-key", "AWS secret access key",
        r"(?i:aws)[A-Za-z0-9_.-]{0,20}(?i:secret|private)[A-Za-z0-9_.-]{0,20}[\"']?\s*(?:=>|:=|[:=,])\s*[\"']?"
        r"(?P<secret>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)",
        anchor=r"(?i:aws)[A-Za-z0-9_.-]{0,20}(?i:secret|private)", fake="b64:40", env="AWS_SECRET_ACCESS_KEY",
        context="aws_secret_access_key = {}",
    ),
    Detector(
        "aws-bedrock-api-key", "Amazon Bedrock API key",
        r"\b(?P<secret>ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/]{100,}={0,2})",
        prefix="ABSKQmVkcm9ja0FQSUtleS", fake="b64:110", env="AWS_BEARER_TOKEN_BEDROCK",
    ),
    Detector(
        "aws-bedrock-short-lived-key", "Amazon Bedrock short-lived API key",
        r"\b(?P<secret>bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=%&._-]*)",
        # The key is `bedrock-api-key-` and a base64 presigned URL for bedrock.amazonaws.com; that
        # host's base64 is the format's signature (gitleaks' rule is the signature alone), so a
        # value cut after it is still the key, not a placeholder: the filters see the base64 part.
        prefix="bedrock-api-key-", anchor="bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t", fake="bedrock",
        env="AWS_BEARER_TOKEN_BEDROCK", confidence="medium",
    ),
    Detector(
        "google-api-key", "Google API key",
        r"\b(?P<secret>AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)",
        prefix="AIza", fake="b64url:35", env="GOOGLE_API_KEY", confidence="medium",
    ),
    Detector(
        "google-oauth-client-secret", "Google OAuth client secret",
        r"\b(?P<secret>GOCSPX-[A-Za-z0-9_-]{28})(?:[^A-Za-z0-9_-]|$)",
        prefix="GOCSPX-", fake="b64url:28", env="GOOGLE_CLIENT_SECRET",
    ),
    Detector(
        "google-oauth-access-token", "Google OAuth access token",
        r"\b(?P<secret>ya29\.[0-9A-Za-z_-]{30,})",
        prefix="ya29.", fake="b64url:60", env="GOOGLE_ACCESS_TOKEN", confidence="medium",
    ),
    Detector(
        "azure-storage-account-key", "Azure storage account key",
        r"(?i:AccountKey)\s*=\s*(?P<secret>[A-Za-z0-9+/]{86}==)",
        anchor=r"(?i:accountkey)", fake="azurekey", env="AZURE_STORAGE_KEY",
        context="DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={};EndpointSuffix=core.windows.net",
    ),
    Detector(
        "azure-shared-access-key", "Azure shared access key",
        r"(?i:SharedAccessKey)\s*=\s*(?P<secret>[A-Za-z0-9+/]{42,43}=)",
        anchor=r"(?i:sharedaccesskey)", fake="azuresak", env="AZURE_SHARED_ACCESS_KEY",
        context="Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={}",
    ),
    Detector(
        "azure-ad-client-secret", "Azure AD (Entra ID) client secret",
        r"(?:^|[^A-Za-z0-9_~.-])(?P<secret>[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?:[^A-Za-z0-9_~.-]|$)",
        anchor=r"[0-9]Q~", fake="azure", env="AZURE_CLIENT_SECRET",
    ),
    Detector(
        "azure-sas-signature", "Azure shared access signature",
        r"[?&](?i:sig)=(?P<secret>[A-Za-z0-9%+/]{40,}={0,2})",
        anchor=r"(?i:[?&]sig=)", fake="b64:44", env="AZURE_SAS_TOKEN", confidence="medium",
        context="https://acct.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig={}",
    ),
    # IBM formats of detect-secrets' plugins that no credential name gives away: a SoftLayer API
    # key in the SOAP endpoint's path, and a Cloudant legacy API key (24 lower-case letters, which
    # the context detector's entropy test reads as a word). Their name-and-value forms
    # (`softlayer_api_key = <64 hex>`, `cloudant_password = <64 hex>`, IBM Cloud IAM and COS HMAC
    # keys) are found by the context detector.
    Detector(
        "softlayer-api-key", "IBM SoftLayer API key",
        r"(?i:api\.softlayer\.com/(?:soap|rest)/v3(?:\.1)?/)(?P<secret>[a-fA-F0-9]{64})(?:[^A-Za-z0-9]|$)",
        anchor=r"(?i:api\.softlayer\.com/)", fake="hex:64", env="SL_API_KEY", confidence="medium",
        context="https://api.softlayer.com/soap/v3/{}",
    ),
    Detector(
        "cloudant-api-key", "IBM Cloudant API key",
        r"(?i:cloudant)[A-Za-z0-9_.-]{0,20}(?i:key|token)[\"']?\s*(?:=>|:=|[:=,])\s*[\"']?"
        r"(?P<secret>[a-z]{24})(?:[^A-Za-z0-9_-]|$)",
        anchor=r"(?i:cloudant)[A-Za-z0-9_.-]{0,20}(?i:key|token)", fake="lower:24", env="CLOUDANT_APIKEY",
        confidence="medium", context="cloudant_api_key = \"{}\"",
    ),
    Detector(
        "alibaba-access-key-id", "Alibaba Cloud AccessKey ID",
        r"\b(?P<secret>LTAI[A-Za-z0-9]{20})\b",
        prefix="LTAI", fake="alnum:20", env="ALIBABA_CLOUD_ACCESS_KEY_ID", confidence="medium",
    ),
    Detector(
        "digitalocean-token", "DigitalOcean token",
        r"\b(?P<secret>do[por]_v1_[a-f0-9]{64})\b",
        prefix="dop_v1_", anchor=r"do[por]_v1_", fake="hex:64", env="DIGITALOCEAN_TOKEN",
    ),
    # ---------------------------------------------------------------- code hosting and CI
    Detector(
        "github-token", "GitHub token",
        r"\b(?P<secret>gh[pousr]_[A-Za-z0-9]{36,251})\b",
        prefix="ghp_", anchor=r"gh[pousr]_", fake="alnum:36", env="GITHUB_TOKEN",
    ),
    Detector(
        "github-fine-grained-token", "GitHub fine-grained personal access token",
        r"\b(?P<secret>github_pat_[A-Za-z0-9_]{80,251})\b",
        prefix="github_pat_", fake="alnum:82", env="GITHUB_TOKEN",
    ),
    # GitLab: prefixes from docs.gitlab.com/ee/security/token_overview.html; lengths from how
    # GitLab generates each kind (Devise.friendly_token: 20+, SecureRandom.hex(20): 40, ...).
    Detector(
        "gitlab-token", "GitLab token",
        r"\b(?P<secret>(?:gl(?:pat|dt|ft|soat|rt|ffct|wt)-[0-9A-Za-z_-]{20,50}"
        r"|glpat-[0-9A-Za-z_-]{27,300}\.[0-9a-z]{9}|glrt-t[0-9]_[0-9A-Za-z_-]{27,300}\.[0-9a-z]{9}"
        r"|glcbt-(?:[0-9a-fA-F]{2}_)?[0-9A-Za-z_-]{20,50}|glimt-[0-9A-Za-z_-]{25}|glptt-[0-9A-Za-z_-]{40}"
        r"|glagent-[0-9A-Za-z_-]{50,1000}|gloas-[0-9A-Za-z_-]{64}))(?:[^0-9A-Za-z_]|$)",
        prefix="glpat-", anchor=r"gl(?:pat|oas|dt|rt|cbt|ptt|ft|imt|agent|soat|ffct|wt)-", fake="b64url:20",
        env="GITLAB_TOKEN",
    ),
    Detector(
        "gitlab-runner-registration-token", "GitLab runner registration token",
        r"\b(?P<secret>GR1348941[0-9A-Za-z_-]{20,50})(?:[^0-9A-Za-z_]|$)",
        prefix="GR1348941", fake="b64url:20", env="GITLAB_RUNNER_TOKEN",
    ),
    Detector(
        "atlassian-api-token", "Atlassian API token",
        r"\b(?P<secret>ATATT3[A-Za-z0-9_=-]{180,})",
        prefix="ATATT3", fake="b64url:186", env="ATLASSIAN_API_TOKEN",
    ),
    Detector(
        "npm-token", "npm access token",
        r"\b(?P<secret>npm_[A-Za-z0-9]{36})\b",
        prefix="npm_", fake="alnum:36", env="NPM_TOKEN",
    ),
    Detector(
        "pypi-token", "PyPI API token",
        r"\b(?P<secret>pypi-AgE[A-Za-z0-9_-]{100,})",
        prefix="pypi-AgE", fake="b64url:120", env="PYPI_TOKEN",
    ),
    Detector(
        "rubygems-api-key", "RubyGems API key",
        r"\b(?P<secret>rubygems_[a-f0-9]{48})\b",
        prefix="rubygems_", fake="hex:48", env="GEM_HOST_API_KEY",
    ),
    Detector(
        "nuget-api-key", "NuGet API key",
        r"\b(?P<secret>oy2[a-z0-9]{43})\b",
        prefix="oy2", fake="lowalnum:43", env="NUGET_API_KEY", confidence="medium",
    ),
    Detector(
        "docker-hub-token", "Docker Hub personal access token",
        r"\b(?P<secret>dckr_pat_[A-Za-z0-9_-]{27})(?:[^A-Za-z0-9_-]|$)",
        prefix="dckr_pat_", fake="b64url:27", env="DOCKER_TOKEN",
    ),
    Detector(
        "artifactory-api-key", "JFrog Artifactory API key",
        r"\b(?P<secret>AKCp[A-Za-z0-9]{69})\b",
        prefix="AKCp", fake="alnum:69", env="ARTIFACTORY_API_KEY",
    ),
    Detector(
        "artifactory-reference-token", "JFrog Artifactory reference token",
        r"\b(?P<secret>cmVmdGtu[A-Za-z0-9]{56})\b",
        prefix="cmVmdGtu", fake="alnum:56", env="ARTIFACTORY_TOKEN",
    ),
    Detector(
        "sourcegraph-token", "Sourcegraph access token",
        r"\b(?P<secret>sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40})\b",
        prefix="sgp_", fake="hex:40", env="SRC_ACCESS_TOKEN",
    ),
    Detector(
        "sonar-token", "SonarQube token",
        r"\b(?P<secret>sq[uap]_[a-f0-9]{40})\b",
        prefix="squ_", anchor=r"sq[uap]_", fake="hex:40", env="SONAR_TOKEN",
    ),
    Detector(
        "openshift-token", "OpenShift user token",
        r"\b(?P<secret>sha256~[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)",
        prefix="sha256~", fake="b64url:43", env="OPENSHIFT_TOKEN",
    ),
    Detector(
        "terraform-cloud-token", "Terraform Cloud API token",
        r"\b(?P<secret>[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})",
        anchor=r"\.atlasv1\.", fake="tfc", env="TFE_TOKEN",
    ),
    Detector(
        "vault-token", "HashiCorp Vault token",
        r"\b(?P<secret>hv[sb]\.[A-Za-z0-9_-]{90,300})",
        prefix="hvs.", anchor=r"hv[sb]\.", fake="b64url:95", env="VAULT_TOKEN",
    ),
    Detector(
        "doppler-token", "Doppler token",
        r"\b(?P<secret>dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44})\b",
        prefix="dp.pt.", anchor=r"dp\.(?:pt|st|sa|ct|scim|audit)\.", fake="alnum:43", env="DOPPLER_TOKEN",
    ),
    Detector(
        "pulumi-token", "Pulumi access token",
        r"\b(?P<secret>pul-[a-f0-9]{40})\b",
        prefix="pul-", fake="hex:40", env="PULUMI_ACCESS_TOKEN",
    ),
    Detector(
        "octopus-deploy-api-key", "Octopus Deploy API key",
        r"\b(?P<secret>API-[A-Z0-9]{26})\b",
        prefix="API-", fake="upalnum:26", env="OCTOPUS_API_KEY", confidence="medium",
    ),
    Detector(
        "databricks-token", "Databricks access token",
        r"\b(?P<secret>dapi[a-f0-9]{32}(?:-[0-9])?)\b",
        prefix="dapi", fake="hex:32", env="DATABRICKS_TOKEN",
    ),
    Detector(
        "postman-api-key", "Postman API key",
        r"\b(?P<secret>PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b",
        prefix="PMAK-", fake="postman", env="POSTMAN_API_KEY",
    ),
    Detector(
        "sentry-token", "Sentry auth token",
        r"\b(?P<secret>sntry[su]_[A-Za-z0-9+/=_-]{60,})",
        prefix="sntrys_", anchor=r"sntry[su]_", fake="b64url:80", env="SENTRY_AUTH_TOKEN",
    ),
    Detector(
        "grafana-token", "Grafana token",
        r"\b(?P<secret>(?:glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}))",
        prefix="glc_", anchor=r"gl(?:c|sa)_", fake="b64:40", env="GRAFANA_TOKEN",
    ),
    Detector(
        "flyio-token", "Fly.io access token",
        r"\b(?P<secret>(?:fo1_[A-Za-z0-9_-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,}={0,3}))",
        prefix="fo1_", anchor=r"(?:fo1|fm[12][ar]?)_", fake="b64url:43", env="FLY_API_TOKEN",
    ),
    Detector(
        "scalingo-token", "Scalingo API token",
        r"\b(?P<secret>tk-us-[A-Za-z0-9_-]{48})(?:[^A-Za-z0-9_-]|$)",
        prefix="tk-us-", fake="b64url:48", env="SCALINGO_API_TOKEN",
    ),
    Detector(
        "heroku-api-key", "Heroku API key",
        r"\b(?P<secret>HRKU-AA[0-9A-Za-z_-]{58})(?:[^0-9A-Za-z_-]|$)",
        prefix="HRKU-AA", fake="b64url:58", env="HEROKU_API_KEY",
    ),
    Detector(
        "infracost-api-key", "Infracost API key",
        r"\b(?P<secret>ico-[A-Za-z0-9]{32})\b",
        prefix="ico-", fake="alnum:32", env="INFRACOST_API_KEY", check="mixed_case",
    ),
    Detector(
        "onepassword-service-account-token", "1Password service account token",
        r"\b(?P<secret>ops_eyJ[A-Za-z0-9+/]{250,}={0,3})",
        prefix="ops_eyJ", fake="b64:260", env="OP_SERVICE_ACCOUNT_TOKEN",
    ),
    Detector(
        "onepassword-secret-key", "1Password account secret key",
        r"\b(?P<secret>A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})\b",
        prefix="A3-", fake="onepassword", env="OP_SECRET_KEY",
    ),
    Detector(
        "age-secret-key", "age secret key",
        r"\b(?P<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b",
        prefix="AGE-SECRET-KEY-1", fake="bech32:58", env="AGE_SECRET_KEY", code="RL202",
    ),
    Detector(
        "clickhouse-cloud-key", "ClickHouse Cloud API secret key",
        r"\b(?P<secret>4b1d[A-Za-z0-9]{38})\b",
        prefix="4b1d", fake="alnum:38", env="CLICKHOUSE_SECRET_KEY", confidence="medium",
    ),
    Detector(
        "cloudflare-origin-ca-key", "Cloudflare origin CA key",
        r"\b(?P<secret>v1\.0-[a-f0-9]{24}-[a-f0-9]{146})\b",
        prefix="v1.0-", fake="cloudflare", env="CLOUDFLARE_ORIGIN_CA_KEY",
    ),
    # ---------------------------------------------------------------- messaging and SaaS
    Detector(
        "slack-token", "Slack token",
        r"\b(?P<secret>xox[abposr]-[0-9]{1,16}-[0-9A-Za-z-]{6,}[0-9A-Za-z]{2})",
        prefix="xoxb-", anchor=r"xox[abposr]-", fake="slack", env="SLACK_TOKEN",
    ),
    Detector(
        "slack-app-token", "Slack app-level token",
        r"\b(?P<secret>xapp-[0-9]-[A-Z0-9]+-[0-9]+-[A-Za-z0-9]+)",
        prefix="xapp-", fake="slackapp", env="SLACK_APP_TOKEN",
    ),
    Detector(
        "slack-config-token", "Slack configuration token",
        r"\b(?P<secret>xoxe(?:\.xox[bp])?-[0-9]{1,16}-[A-Za-z0-9-]{16,}[A-Za-z0-9])",
        prefix="xoxe-1-", anchor=r"xoxe", fake="alnum:60", env="SLACK_CONFIG_TOKEN",
    ),
    Detector(
        "slack-webhook", "Slack webhook URL",
        r"(?P<secret>https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,})",
        prefix="https://hooks.slack.com/services/", anchor=r"hooks\.slack\.com", fake="alnum:44",
        env="SLACK_WEBHOOK_URL",
    ),
    Detector(
        "discord-bot-token", "Discord bot token",
        r"\b(?P<secret>[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38})\b",
        anchor=r"[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.", fake="discord", env="DISCORD_TOKEN",
        confidence="medium",
    ),
    Detector(
        "discord-webhook", "Discord webhook URL",
        r"(?P<secret>https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]+/[A-Za-z0-9_-]{60,})",
        anchor=r"discord(?:app)?\.com/api/webhooks", fake="discordhook", env="DISCORD_WEBHOOK_URL",
    ),
    Detector(
        "telegram-bot-token", "Telegram bot token",
        r"\b(?P<secret>[0-9]{8,10}:AA[0-9A-Za-z_-]{32,33})(?:[^0-9A-Za-z_-]|$)",
        anchor=r"[0-9]{8}:AA", fake="telegram", env="TELEGRAM_BOT_TOKEN",
    ),
    Detector(
        "twilio-api-key", "Twilio API key",
        r"\b(?P<secret>SK[0-9a-fA-F]{32})\b",
        prefix="SK", anchor=r"SK[0-9a-fA-F]{32}", fake="hex:32", env="TWILIO_API_KEY", confidence="medium",
    ),
    Detector(
        "sendgrid-api-key", "SendGrid API key",
        r"\b(?P<secret>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)",
        prefix="SG.", anchor=r"SG\.[A-Za-z0-9_-]{22}\.", fake="sendgrid", env="SENDGRID_API_KEY",
    ),
    Detector(
        "mailchimp-api-key", "Mailchimp API key",
        r"\b(?P<secret>[0-9a-f]{32}-us[0-9]{1,2})\b",
        anchor=r"[0-9a-f]{32}-us[0-9]", fake="mailchimp", env="MAILCHIMP_API_KEY",
    ),
    Detector(
        "mailgun-api-key", "Mailgun API key",
        r"\b(?P<secret>key-[0-9a-f]{32})\b",
        prefix="key-", anchor=r"key-[0-9a-f]{32}", fake="hex:32", env="MAILGUN_API_KEY", confidence="medium",
    ),
    Detector(
        "stripe-secret-key", "Stripe secret key",
        r"\b(?P<secret>(?:sk|rk)_(?:live|prod)_[0-9A-Za-z]{20,247})\b",
        prefix="sk_live_", anchor=r"[sr]k_(?:live|prod)_", fake="alnum:24", env="STRIPE_SECRET_KEY",
    ),
    Detector(
        "stripe-test-key", "Stripe test-mode secret key",
        r"\b(?P<secret>(?:sk|rk)_test_[0-9A-Za-z]{20,247})\b",
        prefix="sk_test_", anchor=r"[sr]k_test_", fake="alnum:24", env="STRIPE_SECRET_KEY", confidence="medium",
    ),
    Detector(
        "stripe-webhook-secret", "Stripe webhook signing secret",
        r"\b(?P<secret>whsec_[A-Za-z0-9+/]{32,})",
        prefix="whsec_", fake="alnum:32", env="STRIPE_WEBHOOK_SECRET",
    ),
    Detector(
        "square-token", "Square access token",
        r"\b(?P<secret>(?:sq0atp-[A-Za-z0-9_-]{22}|EAAA[A-Za-z0-9_-]{60}))(?:[^A-Za-z0-9_-]|$)",
        prefix="sq0atp-", anchor=r"sq0atp-|EAAA", fake="b64url:22", env="SQUARE_ACCESS_TOKEN",
    ),
    Detector(
        "square-oauth-secret", "Square OAuth secret",
        r"\b(?P<secret>sq0csp-[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)",
        prefix="sq0csp-", fake="b64url:43", env="SQUARE_OAUTH_SECRET",
    ),
    Detector(
        "facebook-access-token", "Facebook access token",
        r"\b(?P<secret>EAA[A-Za-z0-9]{100,})",
        prefix="EAA", anchor=r"EAA[A-Za-z0-9]{40}", fake="alnum:120", env="FACEBOOK_ACCESS_TOKEN",
    ),
    Detector(
        "facebook-app-token", "Facebook app access token",
        r"\b(?P<secret>[0-9]{15,16}(?:\||%7C)[A-Za-z0-9_-]{27})(?:[^A-Za-z0-9_-]|$)",
        anchor=r"[0-9]{15}(?:\||%7C)", fake="facebookapp", env="FACEBOOK_APP_TOKEN",
    ),
    Detector(
        "shopify-token", "Shopify access token",
        r"\b(?P<secret>shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})\b",
        prefix="shpat_", anchor=r"shp(?:at|ca|pa|ss)_", fake="hex:32", env="SHOPIFY_ACCESS_TOKEN",
    ),
    Detector(
        "linear-api-key", "Linear API key",
        r"\b(?P<secret>lin_api_[A-Za-z0-9]{40})\b",
        prefix="lin_api_", fake="alnum:40", env="LINEAR_API_KEY",
    ),
    Detector(
        "notion-token", "Notion integration token",
        r"\b(?P<secret>(?:ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43}))\b",
        prefix="ntn_", anchor=r"ntn_[0-9]|secret_[A-Za-z0-9]{43}", fake="notion", env="NOTION_TOKEN",
    ),
    Detector(
        "new-relic-key", "New Relic user API key",
        r"\b(?P<secret>NRAK-[A-Z0-9]{27})\b",
        prefix="NRAK-", fake="upalnum:27", env="NEW_RELIC_API_KEY",
    ),
    Detector(
        "supabase-token", "Supabase access token",
        r"\b(?P<secret>sbp_[a-f0-9]{40})\b",
        prefix="sbp_", fake="hex:40", env="SUPABASE_ACCESS_TOKEN",
    ),
    Detector(
        "planetscale-token", "PlanetScale token or password",
        r"\b(?P<secret>pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{32,64})",
        prefix="pscale_tkn_", anchor=r"pscale_(?:tkn|pw|oauth)_", fake="b64url:43", env="PLANETSCALE_TOKEN",
    ),
    Detector(
        "mapbox-secret-token", "Mapbox secret token",
        r"\b(?P<secret>sk\.eyJ[A-Za-z0-9_-]{50,}\.[A-Za-z0-9_-]{20,})",
        prefix="sk.eyJ", fake="mapbox", env="MAPBOX_SECRET_TOKEN",
    ),
    Detector(
        "dropbox-token", "Dropbox access token",
        r"\b(?P<secret>sl\.[A-Za-z0-9_-]{130,})",
        prefix="sl.", anchor=r"sl\.[A-Za-z0-9_-]{40}", fake="b64url:140", env="DROPBOX_TOKEN", confidence="medium",
    ),
    Detector(
        "intra42-client-secret", "42 Intra client secret",
        r"\b(?P<secret>s-s4t2(?:ud|af)-[a-f0-9]{64})\b",
        prefix="s-s4t2ud-", anchor=r"s-s4t2(?:ud|af)-", fake="hex:64", env="INTRA42_CLIENT_SECRET",
    ),
    Detector(
        "contribsys-credentials", "Sidekiq Pro/Enterprise (contribsys) credentials",
        r"(?i:BUNDLE_(?:ENTERPRISE|GEMS)__CONTRIBSYS__COM)[\"']?\s*[:=]\s*[\"']?(?P<secret>[a-f0-9]{8}:[a-f0-9]{8})\b",
        anchor=r"(?i:contribsys__com)", fake="contribsys", env="BUNDLE_ENTERPRISE__CONTRIBSYS__COM",
        context="BUNDLE_ENTERPRISE__CONTRIBSYS__COM={}",
    ),
    # ---------------------------------------------------------------- AI providers
    Detector(
        "openai-api-key", "OpenAI API key",
        r"\b(?P<secret>sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{16,}T3BlbkFJ[A-Za-z0-9_-]{16,})",
        prefix="sk-proj-", anchor=r"T3BlbkFJ", fake="openai", env="OPENAI_API_KEY",
    ),
    Detector(
        "anthropic-api-key", "Anthropic API key",
        r"\b(?P<secret>sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{93}AA)(?:[^A-Za-z0-9_-]|$)",
        prefix="sk-ant-api03-", anchor=r"sk-ant-", fake="anthropic", env="ANTHROPIC_API_KEY",
    ),
    Detector(
        "huggingface-token", "Hugging Face access token",
        r"\b(?P<secret>(?:hf_[A-Za-z]{34,40}|api_org_[A-Za-z]{34}))\b",
        prefix="hf_", anchor=r"hf_[A-Za-z]{34}|api_org_[A-Za-z]{34}", fake="alpha:34", env="HF_TOKEN",
    ),
    Detector(
        "perplexity-api-key", "Perplexity API key",
        r"\b(?P<secret>pplx-[A-Za-z0-9]{48})\b",
        prefix="pplx-", fake="alnum:48", env="PERPLEXITY_API_KEY",
    ),
    Detector(
        "groq-api-key", "Groq API key",
        r"\b(?P<secret>gsk_[A-Za-z0-9]{52})\b",
        prefix="gsk_", fake="alnum:52", env="GROQ_API_KEY",
    ),
    Detector(
        "replicate-token", "Replicate API token",
        r"\b(?P<secret>r8_[A-Za-z0-9]{37})\b",
        prefix="r8_", fake="alnum:37", env="REPLICATE_API_TOKEN",
    ),
    Detector(
        "xai-api-key", "xAI API key",
        r"\b(?P<secret>xai-[A-Za-z0-9]{80})\b",
        prefix="xai-", fake="alnum:80", env="XAI_API_KEY",
    ),
    # ---------------------------------------------------------------- generic structures
    Detector(
        "jwt", "JSON Web Token",
        r"\b(?P<secret>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*)?)",
        prefix="eyJ", anchor=r"eyJ[A-Za-z0-9_-]{8,}\.eyJ", fake="jwt", env="JWT_TOKEN", confidence="medium",
        check="jwt", filters=False,
    ),
)

BY_ID: dict[str, Detector] = {d.id: d for d in DETECTORS}
