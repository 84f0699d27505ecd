"""``python -m multipolar.docs_gen [--check] [--no-tutorials] [--root DIR]``: regenerate the
reference pages and the tutorials' outputs (see the package docstring)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from multipolar.docs_gen import reference_pages, tutorial_pages
from multipolar.docs_gen.tutorial import TutorialError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m multipolar.docs_gen", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path(), help="the checkout (default: .)")
    parser.add_argument("--check", action="store_true", help="list stale pages, write nothing")
    parser.add_argument("--no-tutorials", action="store_true", help="reference pages only")
    args = parser.parse_args(argv)
    try:
        pages = reference_pages(args.root)
        if not args.no_tutorials:
            pages |= tutorial_pages(args.root)
    except (TutorialError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stale = [p for p, text in pages.items() if not p.exists() or p.read_text("utf-8") != text]
    for path in stale:
        if args.check:
            print(f"{path}: out of date; fix: python -m multipolar.docs_gen", file=sys.stderr)
        else:
            path.write_text(pages[path], encoding="utf-8")
            print(f"wrote {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
