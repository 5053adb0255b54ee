"""Check that a Redline .vsix carries what its target needs, by reading the archive only.

    python check-vsix.py FILE.vsix [FILE.vsix ...]

The target comes from the manifest (extension.vsixmanifest, `TargetPlatform`); a .vsix without
one is the universal package. Every package must carry the extension, Redline's licence and the
advisory data's notice and licence. The universal one must bundle nothing. A platform one must
have bundled/libs/cp311, cp312 and cp313, each with Redline and its data, and:

- every native binary (any file whose first bytes are an ELF, Mach-O or PE header, whatever its
  name) is built for the target: ELF x86-64 / AArch64, Mach-O x86_64 / arm64 (or a universal
  binary holding that architecture), PE x86-64;
- every extension module's file name fits the folder's Python and the target
  (`.cpython-312-x86_64-linux-gnu.so`, `.abi3.so`, `.cp312-win_amd64.pyd`, ...);
- every installed distribution's WHEEL tags are `py3-none-any` or the target's platform and a
  Python the folder can run; and it states a licence (METADATA or a licence file);
- on macOS, no binary needs a newer macOS than MACOS_MIN (13.0; its LC_BUILD_VERSION);
- the compiled dependencies Redline cannot run without are there (tree-sitter and its grammars,
  google-re2, rapidfuzz, pydantic-core).

Exits 1 with one line per problem; prints a one-line summary per package otherwise.
"""

from __future__ import annotations

import json
import re
import struct
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

TARGETS = ("linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "win32-x64")
PYTHONS = ("cp311", "cp312", "cp313")
EXT = "extension/"
LIBS = EXT + "bundled/libs/"
# Every package carries these (the notices of the data Redline ships: NOTICE-advisories.md).
COMMON_FILES = ("extension/package.json", "extension/dist/extension.js", "extension/LICENSE.txt",
                "extension/NOTICE-advisories.md", "extension/LICENSE-Apache-2.0.txt")
# In every bundled Python folder: Redline, its data and the data's notices.
REDLINE_FILES = ("redline/__init__.py", "redline/data/advisories.rldb", "redline/data/NOTICE-advisories.md",
                 "redline/data/LICENSE-Apache-2.0.txt", "redline/rules/builtin")
# Dependencies the bundler may leave out when the target has no wheel (bundle-python.py OPTIONAL).
OPTIONAL = {"tree-sitter-dockerfile"}
# Compiled modules that must be present (a package with no binaries at all would pass the checks
# of each binary trivially).
REQUIRED_NATIVE = ("tree_sitter/_binding", "tree_sitter_python/_binding", "tree_sitter_javascript/_binding",
                   "re2/_re2", "rapidfuzz/", "pydantic_core/_pydantic_core")

# (format, architecture) of a native binary per target.
ARCH = {
    "linux-x64": ("ELF", "x86_64"),
    "linux-arm64": ("ELF", "arm64"),
    "darwin-x64": ("Mach-O", "x86_64"),
    "darwin-arm64": ("Mach-O", "arm64"),
    "win32-x64": ("PE", "x86_64"),
}
# Wheel platform tags a target may install.
WHEEL_PLATFORM = {
    "linux-x64": re.compile(r"^(manylinux\d*_?(\d+_\d+_)?x86_64|manylinux_\d+_\d+_x86_64|linux_x86_64)$"),
    "linux-arm64": re.compile(r"^(manylinux\d*_?(\d+_\d+_)?aarch64|manylinux_\d+_\d+_aarch64|linux_aarch64)$"),
    "darwin-x64": re.compile(r"^macosx_\d+_\d+_(x86_64|universal2|intel)$"),
    "darwin-arm64": re.compile(r"^macosx_\d+_\d+_(arm64|universal2)$"),
    "win32-x64": re.compile(r"^win_amd64$"),
}
# The platform part of a CPython extension module's name (`.cpython-312-<this>.so`).
SOABI_PLATFORM = {
    "linux-x64": ("x86_64-linux-gnu",),
    "linux-arm64": ("aarch64-linux-gnu",),
    "darwin-x64": ("darwin",),
    "darwin-arm64": ("darwin",),
    "win32-x64": ("win_amd64",),
}
NATIVE_SUFFIXES = (".so", ".pyd", ".dylib", ".dll")
_ELF_MACHINE = {62: "x86_64", 183: "arm64", 3: "x86", 40: "arm", 243: "riscv64"}
_MACHO_CPU = {0x01000007: "x86_64", 0x0100000C: "arm64", 7: "x86", 12: "arm"}
_PE_MACHINE = {0x8664: "x86_64", 0xAA64: "arm64", 0x14C: "x86"}


def binary_kind(head: bytes) -> tuple[str, tuple[str, ...]] | None:
    """(format, architectures) of a native binary from its first bytes (at least 64, and for PE
    through the PE header), or None when `head` is not one. A universal Mach-O lists each
    architecture it holds."""
    if head[:4] == b"\x7fELF" and len(head) >= 20:
        little = head[5] == 1
        (machine,) = struct.unpack("<H" if little else ">H", head[18:20])
        return "ELF", (_ELF_MACHINE.get(machine, f"machine-{machine}"),)
    if head[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe") and len(head) >= 8:  # thin, little-endian
        (cpu,) = struct.unpack("<I", head[4:8])
        return "Mach-O", (_MACHO_CPU.get(cpu, f"cpu-{cpu:#x}"),)
    if head[:4] == b"\xca\xfe\xba\xbe" and len(head) >= 8:  # universal (fat) binary, big-endian
        (count,) = struct.unpack(">I", head[4:8])
        if 0 < count < 20:  # (Java class files share the magic; their next field is a version >= 45)
            archs = []
            for i in range(count):
                entry = head[8 + 20 * i : 28 + 20 * i]
                if len(entry) < 4:
                    break
                (cpu,) = struct.unpack(">I", entry[:4])
                archs.append(_MACHO_CPU.get(cpu, f"cpu-{cpu:#x}"))
            return "Mach-O", tuple(archs)
        return None
    if head[:2] == b"MZ" and len(head) >= 0x40:
        (pe,) = struct.unpack("<I", head[0x3C:0x40])
        if head[pe : pe + 4] == b"PE\0\0" and len(head) >= pe + 6:
            (machine,) = struct.unpack("<H", head[pe + 4 : pe + 6])
            return "PE", (_PE_MACHINE.get(machine, f"machine-{machine:#x}"),)
        return "PE", ("unknown",)
    return None


# The oldest macOS a darwin package supports (bundle-python.py asks for macOS 13 wheels).
MACOS_MIN = (13, 0)
_LC_BUILD_VERSION, _LC_VERSION_MIN_MACOSX = 0x32, 0x24


def _thin_macos_min(data: bytes, at: int = 0) -> tuple[int, int] | None:
    """The minimum macOS of the thin 64-bit Mach-O at `at` in `data` (LC_BUILD_VERSION or
    LC_VERSION_MIN_MACOSX), or None when it says none."""
    if data[at : at + 4] != b"\xcf\xfa\xed\xfe" or len(data) < at + 32:
        return None
    (ncmds,) = struct.unpack("<I", data[at + 16 : at + 20])
    pos = at + 32
    for _ in range(min(ncmds, 4096)):
        if len(data) < pos + 16:
            return None
        cmd, size = struct.unpack("<II", data[pos : pos + 8])
        if cmd == _LC_BUILD_VERSION:
            (version,) = struct.unpack("<I", data[pos + 12 : pos + 16])
            return version >> 16, (version >> 8) & 0xFF
        if cmd == _LC_VERSION_MIN_MACOSX:
            (version,) = struct.unpack("<I", data[pos + 8 : pos + 12])
            return version >> 16, (version >> 8) & 0xFF
        if size < 8:
            return None
        pos += size
    return None


def macos_min(data: bytes, arch: str) -> tuple[int, int] | None:
    """The minimum macOS of a Mach-O file's `arch` slice (thin, or one slice of a universal one)."""
    if data[:4] == b"\xca\xfe\xba\xbe":
        want = {v: k for k, v in _MACHO_CPU.items()}.get(arch)
        (count,) = struct.unpack(">I", data[4:8])
        for i in range(min(count, 20)):
            cpu, _sub, offset, _size, _align = struct.unpack(">IIIII", data[8 + 20 * i : 28 + 20 * i])
            if cpu == want:
                return _thin_macos_min(data, offset)
        return None
    return _thin_macos_min(data)


def module_name_problem(name: str, target: str, python: str) -> str | None:
    """What is wrong with an extension module's file name for `target` and Python `python`
    (cp312), or None. Names without a tag (`_foo.so`, a shared library) say nothing."""
    # CPython's tagged names: foo.cpython-312-x86_64-linux-gnu.so, foo.cp312-win_amd64.pyd.
    for tagged in (r"\.cpython-(\d+)(?:[a-z]*)-([^.]+)\.so$", r"\.cp(\d+)-([a-z0-9_]+)\.pyd$"):
        m = re.search(tagged, name)
        if m:
            if "cp" + m.group(1) != python:
                return f"built for CPython {m.group(1)}, in the {python} folder"
            if m.group(2) not in SOABI_PLATFORM[target]:
                return f"built for {m.group(2)}"
            return None
    if name.endswith(".pyd") and not target.startswith("win32"):
        return "a Windows module"
    if name.endswith(".so") and target.startswith("win32"):
        return "a Unix module in a Windows package"
    return None


def wheel_tag_problem(tag: str, target: str, python: str) -> str | None:
    """What is wrong with one `Tag:` of a WHEEL file, or None (`py3-none-any`, the target's
    platform with this Python, abi3 from an older one)."""
    try:
        interp, abi, plat = tag.split("-")
    except ValueError:
        return f"unreadable tag {tag!r}"
    if plat == "any":
        return None
    if not WHEEL_PLATFORM[target].match(plat):
        return f"platform {plat}"
    version = int(python[2:])
    m = re.fullmatch(r"cp3(\d+)", interp)
    if not m:
        return f"interpreter {interp}"
    built = int("3" + m.group(1))
    if abi == "abi3" and built <= version:
        return None
    if abi == python and built == version:
        return None
    return f"{interp}-{abi} in the {python} folder"


@dataclass
class Report:
    vsix: str
    target: str = "universal"
    problems: list[str] = field(default_factory=list)
    binaries: dict[str, int] = field(default_factory=dict)  # per Python folder
    distributions: dict[str, int] = field(default_factory=dict)
    left_out: dict[str, list[str]] = field(default_factory=dict)
    macos: tuple[int, int] | None = None  # the newest minimum macOS among the binaries

    def summary(self) -> str:
        if self.target == "universal":
            return f"{self.vsix}: universal, nothing bundled: ok"
        per = ", ".join(f"{py}: {self.distributions.get(py, 0)} distributions, {n} native binaries" for py, n in sorted(self.binaries.items()))
        missing = sorted({name for names in self.left_out.values() for name in names})
        note = f" (no wheel for this target, left out: {', '.join(missing)})" if missing else ""
        if self.macos:
            note += f" (needs macOS {self.macos[0]}.{self.macos[1]}+)"
        return f"{self.vsix}: {self.target}: {per}: ok{note}"


def _target_of(z: zipfile.ZipFile) -> str:
    manifest = z.read("extension.vsixmanifest").decode("utf-8", "replace")
    m = re.search(r'TargetPlatform="([^"]+)"', manifest)
    return m.group(1) if m else "universal"


def check(path: str) -> Report:
    report = Report(path)
    problem = report.problems.append
    try:
        z = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as e:
        problem(f"{path}: not a .vsix: {e}")
        return report
    with z:
        names = z.namelist()
        present = set(names)
        report.target = target = _target_of(z)
        for f in COMMON_FILES:
            if f not in present:
                problem(f"{path}: {f} is missing")
        bundled = [n for n in names if n.startswith(EXT + "bundled/")]
        if target == "universal":
            if bundled:
                problem(f"{path}: the universal package bundles {len(bundled)} files ({bundled[0]}, ...)")
            return report
        if target not in TARGETS:
            problem(f"{path}: unknown target {target!r}")
            return report
        fmt, arch = ARCH[target]
        folders = sorted({n[len(LIBS):].split("/", 1)[0] for n in bundled if n.startswith(LIBS) and n.count("/") > 3})
        if folders != list(PYTHONS):
            problem(f"{path}: bundled Python folders {folders}, expected {list(PYTHONS)}")
        for n in bundled:
            if not n.startswith(LIBS) or n.endswith("/"):
                continue
            rel = n[len(LIBS):]
            python, _, inner = rel.partition("/")
            pure = PurePosixPath(inner)
            with z.open(n) as fh:
                head = fh.read(4096)
            kind = binary_kind(head)
            if kind is not None:
                report.binaries[python] = report.binaries.get(python, 0) + 1
                got_fmt, got_archs = kind
                if got_fmt != fmt or arch not in got_archs:
                    problem(f"{n}: {got_fmt} {'/'.join(got_archs)}, expected {fmt} {arch}")
                elif fmt == "Mach-O":
                    minimum = macos_min(z.read(n), arch)
                    if minimum is not None:
                        report.macos = max(report.macos or minimum, minimum)
                        if minimum > MACOS_MIN:
                            problem(f"{n}: needs macOS {minimum[0]}.{minimum[1]}, newer than {MACOS_MIN[0]}.{MACOS_MIN[1]}")
            elif pure.suffix in NATIVE_SUFFIXES or ".so." in pure.name:
                problem(f"{n}: named like a native binary but not an ELF, Mach-O or PE file")
            if pure.suffix in (".so", ".pyd"):
                why = module_name_problem(pure.name, target, python)
                if why:
                    problem(f"{n}: {why}, expected {target} {python}")
            if len(pure.parts) == 2 and pure.parts[0].endswith(".dist-info") and pure.name == "WHEEL":
                report.distributions[python] = report.distributions.get(python, 0) + 1
                for line in z.read(n).decode("utf-8", "replace").splitlines():
                    if line.startswith("Tag:"):
                        why = wheel_tag_problem(line.split(":", 1)[1].strip(), target, python)
                        if why:
                            problem(f"{n}: {why}, expected {target} {python}")
                dist = pure.parts[0]
                meta = z.read(f"{LIBS}{python}/{dist}/METADATA").decode("utf-8", "replace") if f"{LIBS}{python}/{dist}/METADATA" in present else ""
                has_file = any(x.startswith(f"{LIBS}{python}/{dist}/") and re.search(r"/(licenses/|LICEN[CS]E|COPYING|NOTICE)", x[len(LIBS) + len(python) + len(dist) + 1:])
                               for x in names)
                if not (has_file or re.search(r"^(License-Expression|License):\s*\S|^Classifier: License ::", meta, re.M)):
                    problem(f"{LIBS}{python}/{dist}: states no licence (METADATA or a licence file)")
        for python in PYTHONS:
            base = f"{LIBS}{python}/"
            if base + "redline-bundle.json" in present:
                try:
                    left = json.loads(z.read(base + "redline-bundle.json")).get("left_out", [])
                except ValueError:
                    left = ["(unreadable redline-bundle.json)"]
                report.left_out[python] = left
                for name in left:
                    if name not in OPTIONAL:
                        problem(f"{path}: {base}: {name} was left out, and Redline needs it")
            else:
                problem(f"{path}: {base}redline-bundle.json is missing")
            for f in REDLINE_FILES:
                if base + f not in present and not any(n.startswith(base + f + "/") for n in names):
                    problem(f"{path}: {base}{f} is missing")
            for mod in REQUIRED_NATIVE:
                if not any(n.startswith(base + mod) and n.endswith((".so", ".pyd")) for n in names):
                    problem(f"{path}: {base}{mod}* (a compiled module Redline needs) is missing")
    return report


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.split("\n\n")[1].strip(), file=sys.stderr)
        return 2
    failed = False
    for path in argv:
        report = check(path)
        if report.problems:
            failed = True
            for p in report.problems[:50]:
                print(p)
            if len(report.problems) > 50:
                print(f"... and {len(report.problems) - 50} more problems in {path}")
        else:
            print(report.summary())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
