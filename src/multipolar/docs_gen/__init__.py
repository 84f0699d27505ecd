"""Docs that cannot drift: the reference pages generated from the code, executable tutorials.

- ``docs/reference/scenario-format.md`` from the pydantic schema (``scenario_ref``),
- ``docs/reference/cli.md`` from the typer app (``cli_ref``),
- ``docs/reference/api.md`` from ``multipolar.__all__`` (``api_ref``): generated Markdown rather
  than mkdocstrings, so the page reads the same on GitHub and in the site, and the test that it
  is current needs no docs toolchain;
- every ``docs/tutorial/*.md`` page runs block by block (``tutorial``); its shown outputs are
  rewritten from a real run, and the files it builds that it links to are shipped beside it.

Each reference page keeps its hand-written prose; only the region between the
``<!-- generated:start ... -->`` and ``<!-- generated:end -->`` markers is generated.
``python -m multipolar.docs_gen`` rewrites what is stale; ``--check`` only lists it (exit 1).
The generators live in the package (not in a tools/ folder) because they read the package's
own schema, command tree and exports, and so are linted and type-checked with it.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from multipolar.docs_gen import api_ref, cli_ref, scenario_ref, tutorial
from multipolar.docs_gen.markdown import splice

REFERENCES: dict[str, Callable[[], str]] = {
    scenario_ref.PAGE: scenario_ref.generate,
    cli_ref.PAGE: cli_ref.generate,
    api_ref.PAGE: api_ref.generate,
}
TUTORIALS = "docs/tutorial"

__all__ = ["REFERENCES", "TUTORIALS", "reference_pages", "tutorial_pages"]


def reference_pages(root: Path) -> dict[Path, str]:
    """Each generated reference page as it should read now."""
    pages = {}
    for page, generate in REFERENCES.items():
        path = root / page
        pages[path] = splice(path.read_text(encoding="utf-8"), generate(), page)
    return pages


def tutorial_pages(root: Path) -> dict[Path, str]:
    """Each tutorial page with its outputs from a real run, and the files it ships."""
    pages: dict[Path, str] = {}
    for path in sorted((root / TUTORIALS).glob("*.md")):
        source = str(path.relative_to(root))
        text = path.read_text(encoding="utf-8")
        with tempfile.TemporaryDirectory() as folder:
            pages[path] = tutorial.refresh(text, Path(folder), source)
        for name, content in tutorial.final_files(text, source).items():
            if re.search(rf"\]\({re.escape(name)}\)", text):
                pages[path.parent / name] = content
    return pages
