"""Manifest parsers: every requirement with its exact span, name, constraint and kind."""

from __future__ import annotations

import json

import pytest

from redline import languages as langs
from redline.deps import manifests
from redline.deps import versions as V


def parse(path: str, text: str, wanted=None):
    src = text.encode()
    lang = {"pyproject.toml": "toml", "Pipfile": "toml", "package.json": "json", "package-lock.json": "json"}.get(path)
    tree = langs.parse(lang, src) if lang else None
    return src, manifests.parse(path, src, tree, wanted)


def text_of(src: bytes, span) -> str | None:
    return None if span is None else src[span[0] : span[1]].decode()


def table(src, m):
    return [(r.name, text_of(src, r.span), r.version, text_of(src, r.version_span), r.kind, r.source) for r in m.requirements]


@pytest.mark.parametrize(
    "path,fmt",
    [
        ("requirements.txt", "requirements"), ("requirements-dev.txt", "requirements"),
        ("dev.requirements.txt", "requirements"), ("constraints.txt", "requirements"),
        ("proj/requirements/test.txt", "requirements"), ("pyproject.toml", "pyproject"),
        ("Pipfile", "pipfile"), ("setup.cfg", "setup.cfg"), ("a/package.json", "package.json"),
        ("package-lock.json", "package-lock"), ("npm-shrinkwrap.json", "package-lock"),
        ("go.mod", "go.mod"), ("pom.xml", "pom.xml"), ("notes.txt", None), ("Pipfile.lock", None),
        ("config.toml", None),
    ],
)
def test_detect(path, fmt):
    assert manifests.detect(path) == fmt


def test_requirements_file():
    src, m = parse(
        "requirements.txt",
        "# comment\n"
        "requests==2.19.1  # pinned\n"
        "Flask[async] >= 2.0 ; python_version > \"3.8\"\n"
        "-r base.txt\n"
        "--constraint=constraints.txt\n"
        "-i https://pypi.org/simple\n"
        "numpy==1.21.0 \\\n"
        "    --hash=sha256:abc \\\n"
        "    --hash=sha256:def\n"
        "-e git+https://github.com/x/y.git@v1.0#egg=yy\n"
        "pkg @ https://example.com/pkg-1.0.tar.gz\n"
        "./local/path\n"
        "https://files.example/x-1.0.whl#egg=xx\n"
        "django==1.11.*\n"
        "PyYAML===5.3.1\n"
        "attrs (>=19.0)\n",
    )
    assert table(src, m) == [
        ("requests", "requests==2.19.1", "2.19.1", "2.19.1", "runtime", "registry"),
        ("Flask", "Flask[async] >= 2.0", None, None, "runtime", "registry"),
        ("numpy", "numpy==1.21.0", "1.21.0", "1.21.0", "runtime", "registry"),
        ("yy", "git+https://github.com/x/y.git@v1.0#egg=yy", None, None, "runtime", "vcs"),
        ("pkg", "pkg @ https://example.com/pkg-1.0.tar.gz", None, None, "runtime", "url"),
        ("xx", "https://files.example/x-1.0.whl#egg=xx", None, None, "runtime", "url"),
        ("django", "django==1.11.*", None, None, "runtime", "registry"),
        ("PyYAML", "PyYAML===5.3.1", "5.3.1", "5.3.1", "runtime", "registry"),
        ("attrs", "attrs (>=19.0)", None, None, "runtime", "registry"),
    ]
    assert m.includes == [("-r", "base.txt"), ("-c", "constraints.txt")]
    assert m.application is True and m.problems == []
    flask = m.requirements[1]
    assert text_of(src, flask.spec_span) == ">= 2.0" and flask.spec == ">= 2.0"


def test_requirements_bad_lines_are_problems_not_crashes():
    src, m = parse("requirements.txt", "requests==2.0\nthis is not valid!\nok>=1 ; \n==1.0\n\x00\xff\n")
    assert [r.name for r in m.requirements] == ["requests", "ok"]
    assert len(m.problems) >= 2


def test_requirements_crlf_and_continuations_keep_offsets():
    src, m = parse("requirements.txt", "a==1\r\nbb==2 \\\r\n  --hash=sha256:x\r\nccc==3\r\n")
    assert [(r.name, text_of(src, r.version_span)) for r in m.requirements] == [("a", "1"), ("bb", "2"), ("ccc", "3")]


def test_pyproject_pep621_groups_build_and_poetry():
    src, m = parse(
        "pyproject.toml",
        '[project]\nname = "x"\ndependencies = [\n  "requests==2.19.1",  # c\n'
        "  'flask>=2.0; python_version > \"3.8\"',\n]\n"
        '[project.optional-dependencies]\ndev = ["pytest"]\n'
        '[dependency-groups]\nlint = ["ruff==0.1.0", {include-group = "dev"}]\n'
        '[build-system]\nrequires = ["setuptools>=40"]\n'
        '[tool.poetry.dependencies]\npython = "^3.8"\ndjango = {version = "^3.2", extras=["x"]}\n'
        'pyyaml = "5.3.1"\nmylib = {git = "https://x/y.git"}\n'
        '[tool.poetry.group.dev.dependencies]\nblack = "*"\n',
    )
    assert table(src, m) == [
        ("requests", "requests==2.19.1", "2.19.1", "2.19.1", "runtime", "registry"),
        ("flask", "flask>=2.0", None, None, "runtime", "registry"),
        ("pytest", "pytest", None, None, "optional", "registry"),
        ("ruff", "ruff==0.1.0", "0.1.0", "0.1.0", "dev", "registry"),
        ("setuptools", "setuptools>=40", None, None, "build", "registry"),
        ("django", 'django = {version = "^3.2", extras=["x"]}', None, None, "runtime", "registry"),
        ("pyyaml", 'pyyaml = "5.3.1"', "5.3.1", "5.3.1", "runtime", "registry"),
        ("mylib", 'mylib = {git = "https://x/y.git"}', None, None, "runtime", "vcs"),
        ("black", 'black = "*"', None, None, "dev", "registry"),
    ]
    django = m.requirements[5]
    assert django.dialect == "poetry" and text_of(src, django.spec_span) == "^3.2"
    assert text_of(src, django.name_span) == "django"
    assert m.application is False


def test_pipfile():
    src, m = parse(
        "Pipfile",
        '[packages]\nrequests = "==2.19.1"\nflask = {version = ">=1.0", extras=["x"]}\n'
        '"zope.interface" = "*"\nlocal = {path = "./local", editable = true}\n'
        '[dev-packages]\npytest = "*"\n',
    )
    assert [(r.name, r.version, r.kind, r.source, text_of(src, r.name_span)) for r in m.requirements] == [
        ("requests", "2.19.1", "runtime", "registry", "requests"),
        ("flask", None, "runtime", "registry", "flask"),
        ("zope.interface", None, "runtime", "registry", "zope.interface"),
        ("local", None, "runtime", "path", "local"),
        ("pytest", None, "dev", "registry", "pytest"),
    ]
    assert text_of(src, m.requirements[0].version_span) == "2.19.1"


def test_setup_cfg():
    src, m = parse(
        "setup.cfg",
        "[metadata]\nname = x\n[options]\ninstall_requires =\n    requests==2.19.1\n"
        "    flask>=1.0 ; python_version>\"3\"  # web\npython_requires = >=3.8\n"
        "setup_requires = setuptools>=40\n[options.extras_require]\ndev =\n  pytest\n",
    )
    assert table(src, m) == [
        ("requests", "requests==2.19.1", "2.19.1", "2.19.1", "runtime", "registry"),
        ("flask", "flask>=1.0", None, None, "runtime", "registry"),
        ("setuptools", "setuptools>=40", None, None, "build", "registry"),
        ("pytest", "pytest", None, None, "optional", "registry"),
    ]


def test_package_json_every_kind():
    doc = {
        "name": "app", "private": True,
        "dependencies": {"lodash": "4.17.15", "express": "^4.17.0", "alias": "npm:left-pad@1.3.0",
                         "local": "file:../local", "gh": "user/repo#v1", "git": "git+https://x/y.git",
                         "tar": "https://x/y.tgz", "tagged": "latest", "ws": "workspace:*"},
        "devDependencies": {"jest": "=29.0.0"},
        "peerDependencies": {"react": ">=16"},
        "optionalDependencies": {"fsevents": "~2.3.2"},
        "overrides": {"foo": {".": "1.0.0", "bar": "2.0.0"}, "baz": "3.0.0"},
        "resolutions": {"**/minimist": "1.2.6"},
    }
    src, m = parse("package.json", json.dumps(doc, indent=2))
    rows = [(r.name, r.kind, r.source, r.version, text_of(src, r.version_span), r.alias) for r in m.requirements]
    assert rows == [
        ("lodash", "runtime", "registry", "4.17.15", "4.17.15", None),
        ("express", "runtime", "registry", None, None, None),
        ("left-pad", "runtime", "registry", "1.3.0", "1.3.0", "alias"),
        ("local", "runtime", "path", None, None, None),
        ("gh", "runtime", "vcs", None, None, None),
        ("git", "runtime", "vcs", None, None, None),
        ("tar", "runtime", "url", None, None, None),
        ("tagged", "runtime", "tag", None, None, None),
        ("ws", "runtime", "workspace", None, None, None),
        ("jest", "dev", "registry", "29.0.0", "29.0.0", None),
        ("react", "peer", "registry", None, None, None),
        ("fsevents", "optional", "registry", None, None, None),
        ("bar", "override", "registry", "2.0.0", "2.0.0", None),
        ("baz", "override", "registry", "3.0.0", "3.0.0", None),
        ("minimist", "override", "registry", "1.2.6", "1.2.6", None),
    ]
    assert m.application is True
    lodash = m.requirements[0]
    assert text_of(src, lodash.span) == '"lodash": "4.17.15"' and text_of(src, lodash.name_span) == "lodash"
    assert m.requirements[2].name_span is None  # an alias: the key is not the package's name


def test_package_json_mid_edit_keeps_the_rest():
    src, m = parse("package.json", '{"dependencies": {"lodash": "4.17.15", "a": }, "devDependencies": {"jest": "29.0.0"}}')
    assert [r.name for r in m.requirements] == ["lodash", "jest"]
    src, m = parse("package.json", '{"dependencies": {"lodash": "4.17.15", "a" }, "x": 1}')
    assert [r.name for r in m.requirements] == ["lodash"]


LOCK = {
    "name": "app", "lockfileVersion": 3, "requires": True,
    "packages": {
        "": {"name": "app", "dependencies": {"qs": "^6.9.0"}},
        "node_modules/qs": {"version": "6.9.4", "dev": True},
        "node_modules/a/node_modules/qs": {"version": "6.5.3"},
        "node_modules/@scope/pkg": {"version": "1.0.0"},
        "node_modules/aliased": {"name": "lodash", "version": "4.17.15"},
        "node_modules/linked": {"resolved": "packages/linked", "link": True},
        "node_modules/gitdep": {"version": "git+ssh://git@github.com/x/y.git#abc"},
        "packages/linked": {"version": "0.0.1"},
    },
}


def test_package_lock_v3():
    src, m = parse("package-lock.json", json.dumps(LOCK, indent=2))
    rows = [(r.name, r.version, r.kind, r.locked, text_of(src, r.version_span)) for r in m.requirements]
    assert rows == [
        ("qs", "6.9.4", "dev", True, "6.9.4"),
        ("qs", "6.5.3", "runtime", True, "6.5.3"),
        ("@scope/pkg", "1.0.0", "runtime", True, "1.0.0"),
        ("lodash", "4.17.15", "runtime", True, "4.17.15"),
    ]
    assert m.is_lock


def test_package_lock_wanted_filter_and_broken_json_fallback():
    text = json.dumps(LOCK, indent=2)
    src, m = parse("package-lock.json", text, wanted=lambda name, version: name == "qs")
    assert [r.version for r in m.requirements] == ["6.9.4", "6.5.3"]
    # Mid-edit (a missing comma): not valid JSON, read from the tree instead.
    broken = text.replace('"version": "6.9.4",', '"version": "6.9.4"')
    src, m = parse("package-lock.json", broken, wanted=lambda name, version: name in ("lodash", "qs"))
    assert [(r.name, text_of(src, r.version_span)) for r in m.requirements] == [("qs", "6.5.3"), ("lodash", "4.17.15")]


def test_package_lock_v1():
    doc = {"lockfileVersion": 1, "dependencies": {
        "qs": {"version": "6.9.4", "dev": True},
        "a": {"version": "1.0.0", "dependencies": {"qs": {"version": "6.5.3"}}}}}
    src, m = parse("package-lock.json", json.dumps(doc))
    assert [(r.name, r.version, r.kind, text_of(src, r.version_span)) for r in m.requirements] == [
        ("qs", "6.9.4", "dev", "6.9.4"), ("a", "1.0.0", "runtime", "1.0.0"), ("qs", "6.5.3", "runtime", "6.5.3")]


def test_go_mod():
    src, m = parse(
        "go.mod",
        "module example.com/m\n\ngo 1.20\ntoolchain go1.21.3\n\n"
        "require golang.org/x/text v0.3.6\n"
        "require (\n\tgithub.com/gin-gonic/gin v1.6.0 // indirect\n\texample.com/old v1.0.0\n"
        "\texample.com/local v1.0.0\n)\n"
        "replace example.com/old => example.com/new v1.2.0\n"
        "replace example.com/local => ../local\n"
        "// require commented.out/mod v0.0.1\n",
    )
    assert [(r.name, r.kind, r.version, text_of(src, r.version_span), text_of(src, r.span)) for r in m.requirements] == [
        ("stdlib", "toolchain", "1.21.3", "1.21.3", "go1.21.3"),
        ("golang.org/x/text", "runtime", "0.3.6", "0.3.6", "golang.org/x/text v0.3.6"),
        ("github.com/gin-gonic/gin", "runtime", "1.6.0", "1.6.0", "github.com/gin-gonic/gin v1.6.0"),
        ("example.com/new", "override", "1.2.0", "1.2.0", "example.com/new v1.2.0"),
    ]
    assert all(r.ecosystem == V.GO for r in m.requirements)


def test_pom_xml_literals_properties_ranges():
    src, m = parse(
        "pom.xml",
        "<project>\n  <version>1.0.0</version>\n"
        "  <properties><log4j.version>2.14.1</log4j.version><!-- <x>1</x> --></properties>\n"
        "  <dependencies>\n"
        "    <dependency>\n      <groupId>org.apache.logging.log4j</groupId>\n"
        "      <artifactId>log4j-core</artifactId>\n      <version>${log4j.version}</version>\n    </dependency>\n"
        "    <!-- <dependency><groupId>a</groupId><artifactId>b</artifactId><version>1</version></dependency> -->\n"
        "    <dependency><groupId>org.yaml</groupId><artifactId>snakeyaml</artifactId><version>[1.30]</version></dependency>\n"
        "    <dependency><groupId>x</groupId><artifactId>y</artifactId><version>[1.0,2.0)</version></dependency>\n"
        "    <dependency><groupId>x</groupId><artifactId>z</artifactId></dependency>\n"
        "    <dependency><groupId>x</groupId><artifactId>self</artifactId><version>${project.version}</version></dependency>\n"
        "  </dependencies>\n</project>\n",
    )
    rows = [(r.name, r.spec, r.version, text_of(src, r.version_span)) for r in m.requirements]
    assert rows == [
        ("org.apache.logging.log4j:log4j-core", "2.14.1", "2.14.1", "2.14.1"),
        ("org.yaml:snakeyaml", "[1.30]", "1.30", "1.30"),
        ("x:y", "[1.0,2.0)", None, None),
        ("x:z", "", None, None),
        ("x:self", "1.0.0", "1.0.0", "1.0.0"),
    ]
    # The property's value is what an upgrade edits: it is on line 3, not in the dependency.
    log4j = m.requirements[0]
    assert src[: log4j.version_span[0]].count(b"\n") == 2


@pytest.mark.parametrize("path", ["requirements.txt", "pyproject.toml", "Pipfile", "setup.cfg", "package.json",
                                  "package-lock.json", "go.mod", "pom.xml"])
@pytest.mark.parametrize("junk", ["", "\x00\x01\x02binary\xff", "[[[[", "{{{{", "<dependency><groupId>",
                                  "require (\n", "name = \"x\" \\\n"])
def test_junk_never_crashes(path, junk):
    src, m = parse(path, junk)
    assert m is not None and m.path == path


def test_pyproject_self_reference_is_not_a_dependency():
    src, m = parse(
        "pyproject.toml",
        '[project]\nname = "My_App"\ndependencies = ["requests"]\n'
        '[project.optional-dependencies]\nall = ["my-app[web,cli]"]\n',
    )
    assert [r.name for r in m.requirements] == ["requests"]
