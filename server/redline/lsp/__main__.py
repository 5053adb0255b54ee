"""`python -m redline.lsp [--tcp HOST:PORT]`: the language server without the CLI.

Like `python -m redline`, first takes the working directory (where editors start us: the
workspace) off sys.path; `python -P -m redline.lsp` does not put it there at all.
"""

if __name__ == "__main__":  # run by `python -m`, not imported: only then is the cwd ours to drop
    from redline import safety

    safety.drop_cwd_from_path()

import sys  # noqa: E402 - only after sys.path is clean


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m redline.lsp", description="Redline language server (stdio by default)")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="serve over TCP instead of stdio")
    parser.add_argument("--stdio", action="store_true", help="serve over stdio (the default)")
    args = parser.parse_args(argv)
    from redline.lsp.server import run

    return run(tcp=args.tcp)


if __name__ == "__main__":
    sys.exit(main())
