"""`python -m redline.lsp [--tcp HOST:PORT]`: the language server without the CLI."""

import sys


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
