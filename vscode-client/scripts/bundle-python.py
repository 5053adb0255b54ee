"""Fill vscode-client/bundled/libs/cpXY/ with Redline and its dependencies for one VS Code target,
so that `vsce package --target TARGET` makes a platform-specific .vsix that needs only a Python
3.11+ interpreter (the Python extension's, or the first one on PATH: src/common/discovery.ts).

    python scripts/bundle-python.py TARGET REDLINE_WHEEL [--python 3.11 3.12 3.13]

Only binary wheels are used (`pip install --only-binary :all: --platform ... --python-version
X.Y --target`), never a source build, so nothing runs at bundle time and the folder matches the
target whatever machine builds it. One folder per Python version, because compiled dependencies
(tree-sitter, google-re2, rapidfuzz, PyYAML) are built per version. The universal .vsix has no
bundled/ folder and keeps the usual discovery.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

# VS Code target -> pip platform tags (newest first; pip takes every tag given).
PLATFORMS = {
    "linux-x64": ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"],
    "linux-arm64": ["manylinux_2_28_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64"],
    "darwin-x64": ["macosx_11_0_x86_64", "macosx_10_9_x86_64", "macosx_10_9_universal2", "macosx_11_0_universal2"],
    "darwin-arm64": ["macosx_11_0_arm64", "macosx_11_0_universal2", "macosx_10_9_universal2"],
    "win32-x64": ["win_amd64"],
}
VERSIONS = ["3.11", "3.12", "3.13"]
HERE = Path(__file__).resolve().parent.parent


def bundle(target: str, wheel: Path, versions: list[str], out: Path) -> dict[str, Path]:
    if target not in PLATFORMS:
        raise SystemExit(f"unknown target {target!r}; one of {', '.join(PLATFORMS)}")
    if out.exists():
        shutil.rmtree(out)
    done = {}
    for version in versions:
        tag = "cp" + version.replace(".", "")
        dest = out / tag
        cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--only-binary", ":all:", "--target", str(dest),
               "--python-version", version, "--implementation", "cp", "--abi", tag, "--abi", "abi3", "--abi", "none"]
        for plat in PLATFORMS[target]:
            cmd += ["--platform", plat]
        cmd.append(str(wheel))
        subprocess.run(cmd, check=True)
        # Console scripts and caches are of no use inside the extension (it runs python -m redline).
        for extra in ("bin", "Scripts"):
            shutil.rmtree(dest / extra, ignore_errors=True)
        for cache in dest.rglob("__pycache__"):
            shutil.rmtree(cache, ignore_errors=True)
        if not (dest / "redline" / "data" / "advisories.rldb").is_file():
            raise SystemExit(f"{dest}: redline's package data is missing")
        done[tag] = dest
    return done


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("target", choices=sorted(PLATFORMS))
    p.add_argument("wheel", type=Path, help="the redline wheel (python -m pip wheel --no-deps .)")
    p.add_argument("--python", nargs="+", default=VERSIONS, metavar="X.Y")
    p.add_argument("--out", type=Path, default=HERE / "bundled" / "libs")
    args = p.parse_args()
    for tag, dest in bundle(args.target, args.wheel, args.python, args.out).items():
        size = sum(f.stat().st_size for f in dest.rglob("*") if f.is_file())
        print(f"{args.target} {tag}: {dest} ({size // 1024 // 1024} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
