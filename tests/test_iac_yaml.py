"""YAML rules: which document kind a file is, Kubernetes and compose containers, Actions workflows."""

import pytest
from iac_support import scan

from redline import languages as langs
from redline.rules.predicates.github_actions import env_name, untrusted
from redline.rules.predicates.yaml_model import ACTIONS, COMPOSE, KUBERNETES, doc_kind, key_path

POD = """apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: c
      image: c:1.0
      securityContext:
        privileged: true
"""


def codes(path: str, code: str) -> list[str]:
    return [f.code for f in scan(path, code)]


def _first_pair(code: str, key: str):
    tree = langs.parse("yaml", code.encode())
    stack = [tree.root_node]
    while stack:
        n = stack.pop()
        if n.type == "block_mapping_pair" and n.child_by_field_name("key").text.decode() == key:
            return n
        stack.extend(reversed(n.children))
    raise AssertionError(key)


# ------------------------------------------------------------------ document kinds


@pytest.mark.parametrize(
    "path,code,kind",
    [
        ("k8s/pod.yaml", POD, KUBERNETES),
        ("anything.yml", "services:\n  web:\n    image: nginx:1.27\n", COMPOSE),
        ("docker-compose.override.yml", "version: '3'\nx-common: &c\n  restart: always\n", COMPOSE),
        ("compose.yaml", "name: app\n", COMPOSE),
        (".github/workflows/ci.yml", "name: CI\n", ACTIONS),
        ("ci/workflow.yml", "on: push\njobs:\n  a:\n    runs-on: x\n", ACTIONS),
        ("action.yml", "runs:\n  using: composite\n", ACTIONS),
        ("config/app.yaml", "server:\n  port: 8080\n", None),
        ("chart/values.yaml", "services:\n  - web\n", None),
    ],
)
def test_document_kind(path, code, kind):
    tree = langs.parse("yaml", code.encode())
    assert doc_kind(path, tree.root_node.named_children[0]) == kind


def test_key_path_through_sequences():
    pair = _first_pair(POD, "privileged")
    assert key_path(pair) == ["spec", "containers", "[]", "securityContext", "privileged"]


def test_multi_document_manifests_are_judged_per_document():
    code = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  privileged: \"true\"\n---\n"
            + POD + "---\nsettings:\n  x:\n    privileged: true\n")
    found = scan("all.yaml", code, "RL540")
    assert [f.span.start_line for f in found] == [16]  # only the pod's securityContext


def test_a_crd_or_a_helm_values_file_is_not_a_workload():
    assert "RL540" not in codes("values.yaml", "securityContext:\n  privileged: true\nhostNetwork: true\n")
    crd = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  hostNetwork: true\n"
    assert "RL542" in codes("w.yaml", crd)  # a pod-spec-shaped key in any object is still reported


def test_helm_templates_do_not_crash():
    code = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n"
            "  template:\n    spec:\n      containers:\n        - name: app\n          image: \"{{ .Values.image }}\"\n"
            "          {{- if .Values.privileged }}\n          securityContext:\n            privileged: true\n          {{- end }}\n")
    scan("templates/deploy.yaml", code)


# ------------------------------------------------------------------ Kubernetes specifics


@pytest.mark.parametrize(
    "spec,rule,flagged",
    [
        ("  hostNetwork: true\n", "RL542", True),
        ("  hostIPC: yes\n", "RL542", True),
        ("  hostPID: false\n", "RL542", False),
        ("  securityContext:\n    runAsUser: 0\n", "RL530", True),
        ("  securityContext:\n    runAsUser: 1000\n", "RL530", False),
        ("  volumes:\n    - name: s\n      hostPath:\n        path: /run/containerd/containerd.sock\n", "RL550", True),
        ("  volumes:\n    - name: s\n      hostPath:\n        path: /run/containerd/containerd.sock\n", "RL543", False),
        ("  volumes:\n    - name: l\n      hostPath:\n        path: /var/log\n", "RL543", True),
        ("  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n", "RL545", False),
    ],
)
def test_pod_spec_settings(spec, rule, flagged):
    code = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n" + spec
            + "  containers:\n    - name: c\n      image: c:1.0\n      resources:\n        limits:\n          memory: 64Mi\n")
    assert (rule in codes("pod.yaml", code)) is flagged


@pytest.mark.parametrize("cap,flagged", [("SYS_ADMIN", True), ("CAP_SYS_ADMIN", True), ("all", True),
                                         ("NET_BIND_SERVICE", False), ("CHOWN", False)])
def test_capabilities(cap, flagged):
    code = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n"
            f"      image: c:1.0\n      securityContext:\n        capabilities:\n          add: [\"{cap}\"]\n")
    assert ("RL544" in codes("pod.yaml", code)) is flagged


def test_resource_limits_one_finding_per_container_and_only_for_workloads():
    code = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n"
            "      initContainers:\n        - name: init\n          image: busybox:1.36\n"
            "      containers:\n        - name: a\n          image: a:1.0\n"
            "        - name: b\n          image: b:1.0\n          resources:\n            limits:\n              memory: 1Gi\n")
    found = scan("d.yaml", code, "RL546")
    assert [f.span.start_line for f in found] == [9, 12]
    assert all(f.severity.value == "info" for f in found)
    svc = "apiVersion: v1\nkind: List\nitems:\n  - image: x\n"
    assert "RL546" not in codes("list.yaml", svc)


def test_configmap_secret_values():
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  api_key: not-a-real-key-value\n  color: blue\n"
    (f,) = scan("cm.yaml", cm, "RL532")
    assert f.span.start_line == 5


def test_nginx_ingress_injection_only_for_ingress_nginx_annotations():
    ok = ("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\n  annotations:\n"
          "    nginx.ingress.kubernetes.io/auth-tls-match-cn: CN=client\n    example.com/note: \"a;b\"\n")
    assert "RL547" not in codes("i.yaml", ok)
    bad = ok.replace("CN=client", "\"CN=client|x\"")
    assert "RL547" in codes("i.yaml", bad)


# ------------------------------------------------------------------ compose specifics


@pytest.mark.parametrize(
    "service,rule,flagged",
    [
        ("    pid: host\n", "RL542", True),
        ("    network_mode: \"service:db\"\n", "RL542", False),
        ("    user: \"0:0\"\n", "RL530", True),
        ("    cap_add:\n      - SYS_PTRACE\n", "RL544", True),
        ("    security_opt:\n      - apparmor=unconfined\n", "RL545", True),
        ("    security_opt:\n      - no-new-privileges:true\n", "RL545", False),
        ("    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n", "RL550", True),
        ("    volumes:\n      - /etc:/host-etc:ro\n", "RL543", True),
        ("    volumes:\n      - ./config:/etc/app:ro\n", "RL543", False),
        ("    environment:\n      DB_PASSWORD: ${DB_PASSWORD}\n", "RL532", False),
        ("    environment:\n      - DB_PASSWORD\n", "RL532", False),
    ],
)
def test_compose_service_settings(service, rule, flagged):
    code = "services:\n  app:\n    image: app:1.0\n" + service
    assert (rule in codes("docker-compose.yml", code)) is flagged


# ------------------------------------------------------------------ GitHub Actions


@pytest.mark.parametrize(
    "expr,bad",
    [
        ("github.event.issue.title", True),
        ("github.event.pull_request.body", True),
        ("github.event.comment.body", True),
        ("github.event.review.body", True),
        ("github.event.pull_request.head.ref", True),
        ("github.head_ref", True),
        ("github.event.head_commit.message", True),
        ("github.event.commits[0].author.email", True),
        ("github.event['pull_request']['title']", True),
        ("github.event.workflow_run.head_branch", True),
        ("toJSON(github.event.issue)", True),
        ("github.event.pull_request.head.sha", False),
        ("github.event.pull_request.number", False),
        ("github.sha", False),
        ("inputs.name", False),
        ("github.event.inputs.name", False),
        ("secrets.TOKEN", False),
    ],
)
def test_untrusted_expressions(expr, bad):
    assert bool(untrusted(expr)) is bad


def test_env_names():
    assert env_name("github.event.issue.title") == "ISSUE_TITLE"
    assert env_name("github.event.pull_request.head.ref") == "PR_HEAD_REF"
    assert env_name("github.head_ref") == "HEAD_REF"
    assert env_name("github.event.commits.0.message") == "COMMITS_MESSAGE"


def test_injection_finding_points_at_the_expression():
    code = "on: issues\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: |\n          echo hi\n          echo ${{ github.event.issue.body }}\n"
    (f,) = scan(".github/workflows/a.yml", code, "RL560")
    assert f.span.start_line == 7 and f.span.start_point[1] == 15
    assert f.cwe == (78,) and f.severity.value == "error" and f.confidence.value == "high"


def test_composite_action_steps_are_checked():
    code = ("runs:\n  using: composite\n  steps:\n    - shell: bash\n"
            "      run: echo \"${{ github.event.pull_request.title }}\"\n")
    assert "RL560" in codes("action.yml", code)


def test_checkout_of_the_pr_head_only_matters_for_privileged_triggers():
    steps = ("jobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n        with:\n"
             "          ref: refs/pull/${{ github.event.number }}/merge\n")
    assert "RL561" in codes(".github/workflows/a.yml", "on: [push, pull_request_target]\n" + steps)
    assert "RL561" not in codes(".github/workflows/a.yml", "on: [push, pull_request]\n" + steps)
    (f,) = scan(".github/workflows/a.yml", "on:\n  issue_comment:\n    types: [created]\n" + steps, "RL561")
    assert f.confidence.value == "medium"


@pytest.mark.parametrize(
    "uses,flagged",
    [
        ("actions/setup-python@v5", False),
        ("github/codeql-action/init@v3", False),
        ("docker://alpine:3.20", False),
        ("./.github/actions/build", False),
        ("octo-org/deploy@0123456789abcdef0123456789abcdef01234567", False),
        ("octo-org/deploy@v2", True),
        ("octo-org/deploy@main", True),
        ("octo-org/workflows/.github/workflows/ci.yml@v1", True),
    ],
)
def test_unpinned_third_party_actions(uses, flagged):
    code = f"on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: {uses}\n"
    assert ("RL563" in codes(".github/workflows/a.yml", code)) is flagged


def test_reusable_workflow_at_job_level():
    code = "on: push\njobs:\n  call:\n    uses: octo-org/workflows/.github/workflows/ci.yml@main\n"
    assert "RL563" in codes(".github/workflows/a.yml", code)


def test_workflow_rules_do_not_fire_outside_workflows():
    code = "steps:\n  - run: echo ${{ github.event.issue.title }}\n    uses: foo/bar@v1\npermissions: write-all\n"
    assert not [c for c in codes("docs/example.yml", code) if c.startswith("RL56")]


@pytest.mark.parametrize("code", ["on: [", "jobs:\n  a:\n    steps:\n      - run: |\n", "---\n---\n", "- - -\n", ":\n"])
def test_broken_yaml_does_not_crash(code):
    scan(".github/workflows/x.yml", code)
    scan("pod.yaml", code)
    scan("docker-compose.yml", code)
