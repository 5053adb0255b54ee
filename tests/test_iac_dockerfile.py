"""Dockerfile rules: stages, users, RUN commands, ENV/ARG secrets, images."""

import pytest
from iac_support import scan

from redline.rules.predicates.dockerfile import world_writable


def codes(code: str) -> list[str]:
    return [f.code for f in scan("Dockerfile", code)]


@pytest.mark.parametrize(
    "dockerfile,root",
    [
        ("FROM alpine:3.20\n", True),
        ("FROM alpine:3.20\nUSER 0\n", True),
        ("FROM alpine:3.20\nUSER root:root\n", True),
        ("FROM alpine:3.20\nUSER app:app\n", False),
        ("FROM alpine:3.20\nUSER ${APP_USER}\n", False),  # cannot tell: not reported
        ("FROM alpine:3.20 AS a\nUSER app\nFROM a AS b\nFROM b\n", False),  # inherited through two stages
        ("FROM alpine:3.20 AS build\nUSER app\nFROM alpine:3.20\n", True),  # only the final stage counts
        ("FROM gcr.io/distroless/base-debian12:nonroot\n", False),
        ("FROM cgr.dev/chainguard/python:latest\n", False),
        ("# syntax=docker/dockerfile:1\n", False),  # no FROM at all
    ],
)
def test_runtime_user(dockerfile, root):
    assert ("RL530" in codes(dockerfile)) is root


def test_root_finding_points_at_the_user_or_the_final_from():
    (f,) = scan("Dockerfile", "FROM a:1 AS x\nUSER app\nFROM b:2\nRUN make\n", "RL530")
    assert f.span.start_line == 2 and "no USER" in f.message
    (f,) = scan("Dockerfile", "FROM b:2\nUSER app\nRUN make\nUSER root\n", "RL530")
    assert f.span.start_line == 3 and "root" in f.message


@pytest.mark.parametrize(
    "image,flagged",
    [
        ("ubuntu", True),
        ("ubuntu:latest", True),
        ("registry.example.com:5000/team/app", True),
        ("registry.example.com:5000/team/app:1.2", False),
        ("ubuntu@sha256:" + "a" * 64, False),
        ("python:3.12-slim", False),
        ("${BASE_IMAGE}", False),
        ("scratch", False),
    ],
)
def test_unpinned_base_image(image, flagged):
    assert ("RL531" in codes(f"FROM {image}\nUSER 10001\n")) is flagged


@pytest.mark.parametrize(
    "line,flagged",
    [
        ("ENV DB_PASSWORD=hunter2-not-real", True),
        ("ENV DB_PASSWORD hunter2-not-real", True),  # the old space-separated form
        ('ENV A=1 GITHUB_TOKEN="not-a-real-token"', True),
        ("ARG NPM_TOKEN=not-a-real-token", True),
        ("ARG NPM_TOKEN", False),
        ("ENV DB_PASSWORD=$DB_PASSWORD", False),
        ("ENV DB_PASSWORD_FILE=/run/secrets/db", False),
        ("ENV TOKEN_URL=https://auth.example.com/token", False),
        ("ENV USE_TOKEN_AUTH=true", False),
        ("ENV PASSWORD=", False),
    ],
)
def test_secret_env_and_arg(line, flagged):
    found = scan("Dockerfile", f"FROM python:3.12\n{line}\nUSER 10001\n")
    # One credential finding per line: RL532, or the secrets engine's own when it is more
    # confident (findings with the same CWE on one line are de-duplicated).
    on_line = [f for f in found if 798 in f.cwe and f.span.start_line == 1]
    assert bool(on_line) is flagged, [(f.code, f.message) for f in found]
    if not flagged:
        assert "RL532" not in [f.code for f in found]


@pytest.mark.parametrize(
    "run,flagged",
    [
        ("curl -sSL https://get.example.com | sh", True),
        ("curl -sSL https://get.example.com | sudo bash -s -- --yes", True),
        ("wget -O - https://example.com/i.sh | /bin/bash", True),
        ("curl -fsSL https://example.com/get.py | python3 -", True),
        ('sh -c "$(curl -fsSL https://example.com/install.sh)"', True),
        ("curl -fsSL https://example.com/x.json | jq .", False),
        ("curl -fsSL https://example.com/x.json | python3 -m json.tool", False),
        ("curl -fsSLo /tmp/i.sh https://example.com/i.sh && sha256sum -c sums && sh /tmp/i.sh", False),
    ],
)
def test_download_piped_to_shell(run, flagged):
    assert ("RL533" in codes(f"FROM debian:12\nRUN {run}\nUSER 10001\n")) is flagged


def test_pipe_to_shell_across_line_continuations_points_at_the_command():
    code = "FROM debian:12\nRUN set -e; \\\n    curl -fsSL https://example.com/i.sh \\\n      | bash\nUSER 10001\n"
    (f,) = scan("Dockerfile", code, "RL533")
    assert f.span.start_line == 2 and f.span.end_line == 3


def test_pipe_to_shell_in_a_heredoc():
    code = "# syntax=docker/dockerfile:1\nFROM debian:12\nRUN <<EOF\nset -e\ncurl -fsSL https://example.com/i.sh | sh\nEOF\nUSER 10001\n"
    (f,) = scan("Dockerfile", code, "RL533")
    assert f.span.start_line == 4


@pytest.mark.parametrize(
    "mode,writable",
    [("777", True), ("0777", True), ("666", True), ("1777", False), ("755", False), ("775", False),
     ("a+rwx", True), ("o+w", True), ("ugo=rwx", True), ("u+w", False), ("+w", False), ("g+w,o-w", False)],
)
def test_world_writable_modes(mode, writable):
    assert world_writable(mode) is writable


def test_sudo_only_as_a_command_word():
    assert "RL536" in codes("FROM debian:12\nRUN sudo apt-get install -y curl\nUSER 10001\n")
    assert "RL536" in codes('FROM debian:12\nRUN ["sudo", "make", "install"]\nUSER 10001\n')
    assert "RL536" not in codes("FROM debian:12\nRUN apt-get install -y sudo-ldap && echo pseudo\nUSER 10001\n")


def test_add_url_and_expose():
    assert "RL534" in codes("FROM debian:12\nADD http://example.com/a.tgz /opt/\nUSER 10001\n")
    assert "RL534" not in codes("FROM debian:12\nADD ./a.tgz /opt/\nUSER 10001\n")
    assert "RL537" in codes("FROM debian:12\nEXPOSE 8080 22/tcp\nUSER 10001\n")
    assert "RL537" not in codes("FROM debian:12\nEXPOSE 2222 22/udp\nUSER 10001\n")


def test_dockerfile_variants_are_recognised():
    for name in ("Dockerfile", "Dockerfile.prod", "api.Dockerfile", "Containerfile"):
        assert "RL530" in [f.code for f in scan(name, "FROM alpine:3.20\n")], name


@pytest.mark.parametrize("code", ["FROM", "RUN curl | ", "USER\n", "FROM alpine:3.20\nRUN <<EOF\ncurl x | sh\n", "\x00\xff"])
def test_broken_dockerfiles_do_not_crash(code):
    scan("Dockerfile", code)
