"""File discovery: gitignore rules, exclude globs, default excludes, symlinks, binary/size/encoding."""

import os
from pathlib import Path

import pytest

from redline.config import Config
from redline.documents.source import SourceFile
from redline.files import (
    IgnoreFile,
    SkipKind,
    Skipped,
    Walker,
    binary_reason,
    compile_pattern,
    count_lines,
    read_source,
    scan_root,
)


def _touch(path: Path, text: str = "x = 1\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def _ignored(patterns: list[str], rel: str, is_dir: bool = False) -> bool:
    ig = IgnoreFile.parse(Path("/base"), patterns, ".gitignore")
    rule = ig.match(rel, is_dir)
    return rule is not None and not rule.negate


def _walk(root: Path, paths=None, config: Config | None = None):
    items = list(Walker(root, config or Config()).walk(paths or [root]))
    files = sorted(p.relative_to(root).as_posix() for p in items if isinstance(p, Path))
    skipped = {s.path: s for s in items if isinstance(s, Skipped)}
    return files, skipped


# ---------------------------------------------------------------- gitignore patterns


@pytest.mark.parametrize(
    "pattern,path,is_dir,expected",
    [
        ("*.log", "a.log", False, True),
        ("*.log", "deep/dir/a.log", False, True),
        ("*.log", "a.logx", False, False),
        ("/build", "build", True, True),
        ("/build", "src/build", True, False),
        ("build/", "build", True, True),
        ("build/", "build", False, False),  # a trailing slash matches folders only
        ("build/", "src/build", True, True),
        ("doc/frotz/", "doc/frotz", True, True),
        ("doc/frotz/", "a/doc/frotz", True, False),  # a slash in the middle anchors
        ("frotz/", "a/frotz", True, True),
        ("**/foo", "foo", False, True),
        ("**/foo", "a/b/foo", False, True),
        ("**/foo/bar", "x/foo/bar", False, True),
        ("abc/**", "abc/x", False, True),
        ("abc/**", "abc/x/y", False, True),
        ("abc/**", "abc", True, False),
        ("a/**/b", "a/b", False, True),
        ("a/**/b", "a/x/y/b", False, True),
        ("a/**/b", "ab", False, False),
        ("*.py[cod]", "m.pyc", False, True),
        ("*.py[cod]", "m.py", False, False),
        ("[!a]*.txt", "b.txt", False, True),
        ("[!a]*.txt", "a.txt", False, False),
        ("[a-c]x", "bx", False, True),
        ("[a-c]x", "dx", False, False),
        ("a?b", "axb", False, True),
        ("a?b", "a/b", False, False),  # ? never matches /
        ("/a*", "ab/c", False, False),  # * never matches /
        ("\\#notes", "#notes", False, True),
        ("\\!important", "!important", False, True),
        ("foo   ", "foo", False, True),  # trailing spaces are dropped
        ("foo\\ ", "foo ", False, True),  # unless escaped
        ("*", "anything/at/all", False, True),
    ],
)
def test_gitignore_pattern(pattern, path, is_dir, expected):
    assert _ignored([pattern], path, is_dir) is expected


def test_comments_and_blank_lines_are_not_patterns():
    assert compile_pattern("# a comment") is None
    assert compile_pattern("") is None
    assert compile_pattern("   ") is None
    assert compile_pattern("/") is None


def test_last_matching_line_wins_and_negation_reincludes():
    assert not _ignored(["*.log", "!keep.log"], "keep.log")
    assert _ignored(["*.log", "!keep.log"], "other.log")
    assert _ignored(["!keep.log", "*.log"], "keep.log")


# ---------------------------------------------------------------- walking


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "proj"
    _touch(root / ".gitignore", "# build output\n*.log\nbuild/\n!keep.log\n/top_only.py\n")
    _touch(root / "app.py")
    _touch(root / "debug.log")
    _touch(root / "keep.log")
    _touch(root / "build" / "gen.py")
    _touch(root / "top_only.py")
    _touch(root / "sub" / "top_only.py")
    _touch(root / "sub" / ".gitignore", "local.py\n!important.log\n")
    _touch(root / "sub" / "local.py")
    _touch(root / "sub" / "important.log")
    _touch(root / "sub" / "mod.py")
    _touch(root / "node_modules" / "lib" / "index.js", "module.exports = 1;\n")
    _touch(root / ".venv" / "lib" / "site.py")
    _touch(root / "README.md", "# readme\n")
    _touch(root / "web" / "index.ts", "export const x = 1;\n")
    return root


def test_walk_honours_gitignore_files_at_every_level(tree):
    files, skipped = _walk(tree)
    assert files == ["app.py", "sub/mod.py", "sub/top_only.py", "web/index.ts"]
    assert skipped["build"].kind == SkipKind.IGNORED
    assert "'build/'" in skipped["build"].reason and ".gitignore" in skipped["build"].reason
    assert skipped["top_only.py"].kind == SkipKind.IGNORED
    assert skipped["sub/local.py"].reason == "matches 'local.py' in sub/.gitignore"
    # *.log files that are not ignored still have no Redline language.
    assert skipped["keep.log"].kind == SkipKind.LANGUAGE
    assert skipped["sub/important.log"].kind == SkipKind.LANGUAGE  # re-included by the deeper file
    assert skipped["debug.log"].kind == SkipKind.IGNORED


def test_default_excluded_folders(tree):
    _files, skipped = _walk(tree)
    assert skipped["node_modules"].kind == SkipKind.IGNORED
    assert "excluded by default" in skipped["node_modules"].reason
    assert skipped[".venv"].kind == SkipKind.IGNORED
    assert not any(p.startswith("node_modules/") for p in skipped)  # never entered


def test_files_without_a_language_are_skipped_with_a_reason(tree):
    _files, skipped = _walk(tree)
    assert skipped["README.md"].kind == SkipKind.LANGUAGE
    assert ".md" in skipped["README.md"].reason


def test_a_file_inside_an_ignored_folder_cannot_be_reincluded(tmp_path):
    _touch(tmp_path / ".gitignore", "build/\n!build/keep.py\n")
    _touch(tmp_path / "build" / "keep.py")
    files, skipped = _walk(tmp_path)
    assert files == [] and "build" in skipped


def test_explicit_files_are_scanned_even_when_gitignored(tree):
    files, _skipped = _walk(tree, [tree / "debug.log", tree / "build" / "gen.py", tree / "sub" / "local.py"])
    assert files == ["build/gen.py", "sub/local.py"]


def test_explicit_folder_inside_an_ignored_folder_is_scanned(tree):
    files, _ = _walk(tree, [tree / "build"])
    assert files == ["build/gen.py"]


def test_gitignore_above_the_scanned_folder_applies_up_to_the_repository_root(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git" / "info").mkdir(parents=True)
    _touch(repo / ".git" / "info" / "exclude", "scratch.py\n")
    _touch(repo / ".gitignore", "generated/\n")
    _touch(repo / "src" / "generated" / "x.py")
    _touch(repo / "src" / "scratch.py")
    _touch(repo / "src" / "real.py")
    files, skipped = _walk(repo, [repo / "src"])
    assert files == ["src/real.py"]
    assert skipped["src/generated"].kind == SkipKind.IGNORED
    assert ".git/info/exclude" in skipped["src/scratch.py"].reason


def test_gitignore_outside_the_repository_does_not_apply(tmp_path):
    _touch(tmp_path / ".gitignore", "*.py\n")  # above the repository root
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    _touch(repo / "src" / "a.py")
    files, _ = _walk(repo, [repo / "src"])
    assert files == ["src/a.py"]


def test_config_exclude_globs_are_anchored_at_the_config_file(tmp_path):
    cfg_file = _touch(tmp_path / "redline.toml", 'exclude = ["generated/", "*.min.js", "/scripts"]\n')
    _touch(tmp_path / "generated" / "api.py")
    _touch(tmp_path / "web" / "app.min.js", "x;\n")
    _touch(tmp_path / "web" / "app.js", "x;\n")
    _touch(tmp_path / "scripts" / "deploy.py")
    _touch(tmp_path / "tools" / "scripts" / "keep.py")
    config = Config(exclude=("generated/", "*.min.js", "/scripts"), source=str(cfg_file))
    files, skipped = _walk(tmp_path, config=config)
    assert files == ["redline.toml", "tools/scripts/keep.py", "web/app.js"]
    assert skipped["generated"].kind == SkipKind.EXCLUDED
    assert skipped["web/app.min.js"].reason == "matches '*.min.js' (exclude in redline.toml)"
    assert skipped["scripts"].kind == SkipKind.EXCLUDED


def test_config_exclude_applies_to_explicit_files(tmp_path):
    _touch(tmp_path / "gen" / "a.py")
    config = Config(exclude=("gen/",))
    files, skipped = _walk(tmp_path, [tmp_path / "gen" / "a.py"], config)
    assert files == [] and skipped["gen/a.py"].kind == SkipKind.EXCLUDED
    _touch(tmp_path / "gen" / "sub" / "b.py")
    files, skipped = _walk(tmp_path, [tmp_path / "gen" / "sub"], config)
    assert files == [] and skipped["gen/sub"].kind == SkipKind.EXCLUDED


def test_oversized_files_are_skipped_before_reading(tmp_path):
    _touch(tmp_path / "big.py", "x = 1\n" * 100)
    _touch(tmp_path / "small.py")
    files, skipped = _walk(tmp_path, config=Config(max_file_size=100))
    assert files == ["small.py"]
    s = skipped["big.py"]
    assert s.kind == SkipKind.SIZE and "max-file-size" in s.reason and "600 bytes" in s.reason


def test_each_file_once_in_a_stable_order(tree):
    items = list(Walker(tree, Config()).walk([tree, tree / "app.py", tree / "sub"]))
    paths = [p for p in items if isinstance(p, Path)]
    assert len(paths) == len(set(paths))
    again = [p for p in Walker(tree, Config()).walk([tree, tree / "app.py", tree / "sub"]) if isinstance(p, Path)]
    assert paths == again


def test_missing_path(tmp_path):
    _files, skipped = _walk(tmp_path, [tmp_path / "nope.py"])
    assert skipped["nope.py"].kind == SkipKind.MISSING


# ---------------------------------------------------------------- symbolic links


def test_symlinks_are_not_followed_out_of_the_root(tmp_path):
    outside = _touch(tmp_path / "outside" / "secret.py")
    root = tmp_path / "root"
    _touch(root / "inner" / "a.py")
    (root / "link_out.py").symlink_to(outside)
    (root / "dir_link").symlink_to(root / "inner", target_is_directory=True)
    (root / "dir_out").symlink_to(tmp_path / "outside", target_is_directory=True)
    (root / "file_link.py").symlink_to(root / "inner" / "a.py")
    (root / "broken.py").symlink_to(root / "missing.py")
    files, skipped = _walk(root)
    assert files == ["file_link.py", "inner/a.py"]
    assert skipped["link_out.py"].kind == SkipKind.SYMLINK and "outside" in skipped["link_out.py"].reason
    assert skipped["dir_out"].kind == SkipKind.SYMLINK
    assert skipped["dir_link"].kind == SkipKind.SYMLINK and "not followed" in skipped["dir_link"].reason
    assert skipped["broken.py"].kind == SkipKind.SYMLINK


# ---------------------------------------------------------------- reading


def test_read_source_parses_with_the_pipeline(tmp_path):
    p = _touch(tmp_path / "a.py", "import os\nos.system('ls')\n")
    src = read_source(p, tmp_path, Config())
    assert isinstance(src, SourceFile)
    assert src.language == "python" and src.tree is not None
    assert src.path == str(p)  # engines see the real (absolute) path
    assert src.text == b"import os\nos.system('ls')\n"


def test_read_source_of_a_file_without_grammar(tmp_path):
    p = _touch(tmp_path / ".env", "A=1\n")
    src = read_source(p, tmp_path, Config())
    assert isinstance(src, SourceFile) and src.language == "dotenv" and src.tree is None


@pytest.mark.parametrize(
    "data,kind,fragment",
    [
        (b"x = 1\n\x00\x01\x02", SkipKind.BINARY, "NUL"),
        ("x = 'caf\u00e9'\n".encode("latin-1"), SkipKind.ENCODING, "not UTF-8"),
        ("x = 1\n".encode("utf-16"), SkipKind.ENCODING, "UTF-16"),
    ],
)
def test_binary_and_undecodable_files_are_skipped(tmp_path, data, kind, fragment):
    p = tmp_path / "weird.py"
    p.write_bytes(data)
    s = read_source(p, tmp_path, Config())
    assert isinstance(s, Skipped) and s.kind == kind and fragment in s.reason
    assert s.path == "weird.py"


def test_read_source_checks_the_size_again(tmp_path):
    p = _touch(tmp_path / "a.py", "x" * 50)
    s = read_source(p, tmp_path, Config(max_file_size=10))
    assert isinstance(s, Skipped) and s.kind == SkipKind.SIZE


def test_unreadable_paths_never_raise(tmp_path):
    folder = tmp_path / "folder.py"
    folder.mkdir()
    s = read_source(folder, tmp_path, Config())
    assert isinstance(s, Skipped) and s.kind == SkipKind.UNREADABLE and "cannot read" in s.reason
    s = read_source(tmp_path / "gone.py", tmp_path, Config())
    assert isinstance(s, Skipped) and s.kind == SkipKind.UNREADABLE


def test_read_source_without_a_language(tmp_path):
    s = read_source(_touch(tmp_path / "notes.md", "# x\n"), tmp_path, Config())
    assert isinstance(s, Skipped) and s.kind == SkipKind.LANGUAGE


def test_binary_reason_and_line_counts():
    assert binary_reason(b"plain text\n") is None
    assert binary_reason("caf\u00e9 \U0001f600".encode()) is None
    assert count_lines(b"") == 0
    assert count_lines(b"a") == 1
    assert count_lines(b"a\nb\n") == 2
    assert count_lines(b"a\nb") == 2


def test_scan_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").mkdir()
    assert scan_root([Path("a")]) == tmp_path
    other = tmp_path.parent / (tmp_path.name + "-other")
    (other / "x").mkdir(parents=True)
    (other / "y").mkdir()
    assert scan_root([other / "x", other / "y"]) == other
    f = _touch(other / "x" / "f.py")
    assert scan_root([f]) == other / "x"
    assert scan_root([]) == Path(os.getcwd())


@pytest.mark.parametrize(
    "path, base, expected",
    [
        ("/a/b/c.py", "/a", "b/c.py"),
        ("/a/b/c.py", "/a/", "b/c.py"),
        ("/a/b", "/a/b", None),
        ("/a/bc/d.py", "/a/b", None),  # a sibling with a longer name is not below /a/b
        ("/x/y.py", "/", "x/y.py"),
        ("/a/b.py", "/c", None),
        ("a/b/c.py", "a", "b/c.py"),  # relative paths go through pathlib
        ("b.py", ".", "b.py"),
    ],
)
def test_relative_paths_for_gitignore_matching(path, base, expected):
    """The walk compares absolute paths as strings; the answer is Path.relative_to's."""
    from redline.files import _relative

    assert _relative(path, base) == expected
    assert _relative(Path(path), Path(base)) == expected
