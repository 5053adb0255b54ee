"""Issue 13's false-positive classes outside the Python rules (templates, dependency manifests,
IaC in example and dev containers, Go weak hashes and random numbers): each class stays gone,
and the true case of the same class is still reported.

Examples written for the weakness class, not copied from benchmark records."""

from __future__ import annotations

import pytest

from redline.pipeline import analyze_text


def _found(path: str, code: str, rule: str, slow: bool = False):
    return [f for f in analyze_text(path, code, slow=slow).findings if f.code == rule]


# ------------------------------------------------ Go RL301/RL304: non-security uses are dropped

GO_HASH = 'package main\n\nimport (\n\t"crypto/{pkg}"\n\t"fmt"\n)\n\nfunc {fn}(b []byte) string {{ return fmt.Sprintf("%x", {pkg}.Sum(b)) }}\n'


@pytest.mark.parametrize("pkg,fn", [("md5", "etagFor"), ("sha1", "cacheKey"), ("md5", "fileChecksum"),
                                    ("sha1", "contentDigest"), ("md5", "gravatarURL")])
def test_go_weak_hash_for_a_name_or_key_is_not_reported(pkg, fn):
    assert _found("a.go", GO_HASH.format(pkg=pkg, fn=fn), "RL301") == []


@pytest.mark.parametrize("pkg,fn", [("md5", "sign"), ("sha1", "tokenDigest"), ("md5", "hashSecret"),
                                    ("sha1", "hashPassword")])
def test_go_weak_hash_for_a_security_value_is_reported(pkg, fn):
    found = _found("a.go", GO_HASH.format(pkg=pkg, fn=fn), "RL301")
    assert len(found) == 1 and found[0].confidence.value in ("medium", "high"), found


def test_go_weak_hash_without_context_stays_medium():
    code = 'package main\n\nimport "crypto/md5"\n\nfunc h(b []byte) [16]byte { return md5.Sum(b) }\n'
    [f] = _found("a.go", code, "RL301")
    assert f.confidence.value == "medium"


GO_RAND = 'package main\n\nimport (\n\t"math/rand"\n\t"time"\n)\n\nfunc {fn}() int64 {{ return rand.Int63() }}\n'


@pytest.mark.parametrize("fn", ["sessionRefreshJitter", "tokenRetryBackoff", "authRetryDelay"])
def test_go_random_pacing_a_security_task_is_not_reported(fn):
    assert _found("a.go", GO_RAND.format(fn=fn), "RL304") == []


@pytest.mark.parametrize("fn", ["newSessionID", "resetToken", "csrfNonce"])
def test_go_random_making_a_security_value_is_reported(fn):
    assert len(_found("a.go", GO_RAND.format(fn=fn), "RL304")) == 1


# ------------------------------------------------ P: IaC in example, docs, test and dev containers

ROOT_IMAGE = "FROM python:3.12-slim\nCOPY . /app\nCMD [\"python\", \"/app/main.py\"]\n"


@pytest.mark.parametrize("path", ["examples/demo/Dockerfile", "docs/tutorial/Dockerfile", "tests/integration/Dockerfile",
                                  "scripts/docker/Dockerfile", "Dockerfile.dev", "ci/Dockerfile", ".devcontainer/Dockerfile"])
def test_container_hardening_in_examples_and_dev_containers_is_not_reported(path):
    assert _found(path, ROOT_IMAGE, "RL530") == []


@pytest.mark.parametrize("path", ["Dockerfile", "deploy/Dockerfile", "services/api/Dockerfile", "Dockerfile.prod"])
def test_container_hardening_in_shipped_containers_is_reported(path):
    assert len(_found(path, ROOT_IMAGE, "RL530")) == 1


def test_download_piped_to_shell_in_an_example_container_stays_a_hint():
    code = "FROM debian:12\nRUN curl -fsSL https://example.com/install.sh | sh\nUSER app\n"
    found = _found("examples/demo/Dockerfile", code, "RL533")
    assert [f.severity.value for f in found] == ["hint"]
