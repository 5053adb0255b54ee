"""Fill vscode-client/bundled/libs/cpXY/ with Redline and its dependencies for one VS Code target,
so that `vsce package --target TARGET` makes a platform-specific .vsix that needs only a Python
3.11+ interpreter (the Python extension's, or the first one on PATH: src/common/discovery.ts).

    python scripts/bundle-python.py TARGET REDLINE_WHEEL [--python 3.11 3.12 3.13]

Only binary wheels are used (`pip install --only-binary :all: --platform ... --python-version
X.Y --target`), never a source build, so nothing runs at bundle time and the folder matches the
target whatever machine builds it. One folder per Python version, because compiled dependencies
(tree-sitter, google-re2, rapidfuzz, PyYAML) are built per version. The universal .vsix has no
bundled/ folder and keeps the usual discovery.

A dependency in OPTIONAL that has no wheel for the target (tree-sitter-dockerfile 0.2.0 has
wheels for linux-x64 and darwin-arm64 only) is left out instead of failing the package: Redline
then skips the files that need it, saying why ("cannot parse: ... tree_sitter_dockerfile"). What
was left out is written to cpXY/redline-bundle.json and printed; any other missing wheel fails.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

# VS Code target -> pip platform tags (newest first; pip takes every tag given).
PLATFORMS = {
    "linux-x64": ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"],
    "linux-arm64": ["manylinux_2_28_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64"],
    # macOS 13 or newer: google-re2 has macOS wheels for 13.0+ only (for Python 3.13, in every
    # release); pip also takes the older macOS tags these imply, and universal2.
    "darwin-x64": ["macosx_13_0_x86_64", "macosx_13_0_universal2"],
    "darwin-arm64": ["macosx_13_0_arm64", "macosx_13_0_universal2"],
    "win32-x64": ["win_amd64"],
}
VERSIONS = ["3.11", "3.12", "3.13"]
# Grammars Redline can do without (the files of that language are skipped, with the reason).
OPTIONAL = {"tree-sitter-dockerfile"}
HERE = Path(__file__).resolve().parent.parent


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(wheel: Path) -> list[str]:
    """The wheel's Requires-Dist entries that are not extras."""
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        lines = z.read(meta).decode("utf-8").splitlines()
    return [line.split(":", 1)[1].strip() for line in lines if line.startswith("Requires-Dist:") and "extra ==" not in line]


def _name(requirement: str) -> str:
    return _canonical(re.match(r"[A-Za-z0-9_.-]+", requirement).group(0))


def _pip(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", *args], capture_output=True, text=True)


def bundle(target: str, wheel: Path, versions: list[str], out: Path) -> dict[str, tuple[Path, list[str]]]:
    if target not in PLATFORMS:
        raise SystemExit(f"unknown target {target!r}; one of {', '.join(PLATFORMS)}")
    if out.exists():
        shutil.rmtree(out)
    done = {}
    for version in versions:
        tag = "cp" + version.replace(".", "")
        dest = out / tag
        binary = ["--only-binary", ":all:", "--python-version", version, "--implementation", "cp",
                  "--abi", tag, "--abi", "abi3", "--abi", "none"]
        for plat in PLATFORMS[target]:
            binary += ["--platform", plat]
        # Redline's dependencies (with theirs), then Redline itself without: so that an optional
        # dependency without a wheel for the target can be left out.
        reqs, left_out = requirements(wheel), []
        while True:
            shutil.rmtree(dest, ignore_errors=True)
            result = _pip([*binary, "--target", str(dest), *reqs])
            if result.returncode == 0:
                break
            m = re.search(r"No matching distribution found for ([A-Za-z0-9_.-]+)", result.stderr)
            missing = _canonical(m.group(1)) if m else None
            if missing in OPTIONAL and missing not in left_out and any(_name(r) == missing for r in reqs):
                left_out.append(missing)
                reqs = [r for r in reqs if _name(r) != missing]
                continue
            sys.stderr.write(result.stderr)
            raise SystemExit(f"{target} {tag}: pip could not install binary wheels for every dependency")
        with tempfile.TemporaryDirectory() as tmp:
            result = _pip([*binary, "--no-deps", "--target", tmp, str(wheel)])
            if result.returncode != 0:
                sys.stderr.write(result.stderr)
                raise SystemExit(f"{target} {tag}: could not install {wheel.name}")
            for item in Path(tmp).iterdir():
                if item.name not in ("bin", "Scripts"):
                    shutil.move(str(item), dest / item.name)
        # Console scripts and caches are of no use inside the extension (it runs python -m redline).
        for extra in ("bin", "Scripts"):
            shutil.rmtree(dest / extra, ignore_errors=True)
        for cache in dest.rglob("__pycache__"):
            shutil.rmtree(cache, ignore_errors=True)
        if not (dest / "redline" / "data" / "advisories.rldb").is_file():
            raise SystemExit(f"{dest}: redline's package data is missing")
        (dest / "redline-bundle.json").write_text(
            json.dumps({"target": target, "python": version, "left_out": left_out}, indent=2) + "\n", "utf-8"
        )
        done[tag] = (dest, left_out)
    return done


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("target", choices=sorted(PLATFORMS))
    p.add_argument("wheel", type=Path, help="the redline wheel (python -m pip wheel --no-deps .)")
    p.add_argument("--python", nargs="+", default=VERSIONS, metavar="X.Y")
    p.add_argument("--out", type=Path, default=HERE / "bundled" / "libs")
    args = p.parse_args()
    for tag, (dest, left_out) in bundle(args.target, args.wheel, args.python, args.out).items():
        size = sum(f.stat().st_size for f in dest.rglob("*") if f.is_file())
        note = f"; no wheel, left out: {', '.join(left_out)}" if left_out else ""
        print(f"{args.target} {tag}: {dest} ({size // 1024 // 1024} MB){note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
