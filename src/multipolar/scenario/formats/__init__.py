"""Import and export scenarios in field formats: KTAB SMP, BDM tables, DEU III, decide,
spreadsheets (xlsx), YAML and JSON.

* ``ktab``: KTAB SMP CSV or XML (XML when the suffix is ``.xml`` or the text starts with
  ``<``, or by the option ``xml=True``). One scenario per file.
* ``bdm``: a table Actor, Capability, Position, Salience (optional Issue and Name columns).
  Options ``scale=(lo, hi)``, ``title=...``, ``issue=...`` (id of the issue when there is no
  Issue column). One scenario per file.
* ``deu``: DEU III, one scenario per issue row. Option ``scoreable_only=True``.
* ``decide``: decide's input files (#A, #P, #M and #D rows; the exchange model's program). One
  scenario per file.
* ``xlsx``: a workbook with one sheet per part of the scenario (``xlsx_layout``); lossless
  both ways. Written only to a file (``export_file``). One scenario per file.
* ``yaml``/``json``: the scenario files of ``multipolar.scenario.loader``. One scenario per file:
  exporting several raises ``UsageError`` asking for one file per scenario.

Every problem with an input file raises ``ScenarioError`` with one line per problem naming the
file, the line (for a workbook, the sheet and cell) and a fix. ``Imported.notes`` says how the
file was read (scales, renamed ids, skipped rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from multipolar.errors import UsageError, did_you_mean
from multipolar.scenario import loader
from multipolar.scenario.formats import bdm, decide, deu, ktab, ktab_xml
from multipolar.scenario.formats.common import Imported, check_options, one, opt_bool
from multipolar.scenario.schema import Scenario

__all__ = ["FORMATS", "Imported", "export_file", "export_text", "format_of", "import_file"]

FORMATS: tuple[str, ...] = ("ktab", "bdm", "deu", "decide", "xlsx", "yaml", "json")
_SUFFIXES = {".xlsx": "xlsx", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def _format(fmt: str) -> str:
    name = str(fmt).strip().lower()
    if name not in FORMATS:
        raise UsageError(f"unknown format '{fmt}'; {did_you_mean(name, FORMATS)}")
    return name


def _xlsx() -> Any:
    """The workbook module; it needs openpyxl (the ``xlsx`` extra)."""
    try:
        from multipolar.scenario.formats import xlsx
    except ImportError:
        raise UsageError(
            "spreadsheets need openpyxl; fix: pip install 'multipolar[xlsx]'"
        ) from None
    return xlsx


def _ktab_xml(path: Path | None, options: dict[str, Any]) -> bool:
    if "xml" in options:
        return opt_bool("xml", options["xml"])
    return path is not None and path.suffix.lower() == ".xml"


def _starts_xml(path: Path) -> bool:
    """Whether the file's text starts with '<' (XML whatever its name); False if unreadable."""
    try:
        with path.open("rb") as f:
            head = f.read(512)
    except OSError:
        return False
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


def import_file(fmt: str, path: str | Path, **options: Any) -> Imported:
    """Read ``path`` in format ``fmt`` into valid scenarios plus notes on how it was read.

    Options: ktab ``xml`` (bool, default from the suffix); bdm ``scale``, ``title``, ``issue``;
    deu ``scoreable_only`` (default True). Unknown formats or options raise ``UsageError``.
    """
    name, p = _format(fmt), Path(path)
    allowed = {
        "ktab": ("xml",),
        "bdm": ("scale", "title", "issue"),
        "deu": ("scoreable_only",),
    }.get(name, ())
    check_options(name, options, allowed)
    if name == "ktab":
        xml = _ktab_xml(p, options) or ("xml" not in options and _starts_xml(p))
        return ktab_xml.read_xml(p) if xml else ktab.read_csv(p)
    if name == "bdm":
        return bdm.read(p, **options)
    if name == "deu":
        return deu.read(p, **options)
    if name == "decide":
        return decide.read(p)
    if name == "xlsx":
        return _xlsx().read(p)
    return Imported([loader.load(p, kind=name)], [])


def export_text(fmt: str, scenarios: Sequence[Scenario], **options: Any) -> str:
    """The text of a ``fmt`` file holding ``scenarios``.

    Only ``deu`` holds several scenarios; the other formats need exactly one (else
    ``UsageError``: export one file per scenario). ktab writes CSV unless ``xml=True``.
    """
    name = _format(fmt)
    check_options(name, options, ("xml",) if name == "ktab" else ())
    if not scenarios:
        raise UsageError("there is no scenario to export")
    if name == "xlsx":
        raise UsageError("an xlsx workbook is not text; fix: give -o FILE.xlsx")
    if name == "ktab":
        scn = one(scenarios, "KTAB")
        return ktab_xml.write_xml(scn) if _ktab_xml(None, options) else ktab.write_csv(scn)
    if name == "bdm":
        return bdm.write(one(scenarios, "BDM"))
    if name == "deu":
        return deu.write(scenarios)
    if name == "decide":
        return decide.write(one(scenarios, "decide"))
    return loader.dumps(one(scenarios, name.upper()), name)


def export_file(fmt: str, scenarios: Sequence[Scenario], path: str | Path, **options: Any) -> None:
    """Write ``scenarios`` to ``path`` in format ``fmt`` (UTF-8, LF line ends).

    For ktab the suffix ``.xml`` (or ``xml=True``) selects XML. Raises ``UsageError`` when the
    file cannot be written.
    """
    p = Path(path)
    name = _format(fmt)
    if name == "ktab":
        options = {"xml": _ktab_xml(p, options), **{k: v for k, v in options.items() if k != "xml"}}
    if name == "xlsx":
        check_options(name, options, ())
        _xlsx().write(one(scenarios, "xlsx"), p)
        return
    text = export_text(name, scenarios, **options)
    try:
        with p.open("w", encoding="utf-8", newline="") as out:
            out.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write {p}: {exc.strerror}; check the directory exists") from None


def format_of(path: str | Path | None) -> str:
    """The export format an output file's name asks for (``.xlsx``, ``.yaml``, ``.yml``,
    ``.json``); ``UsageError`` when there is no file or its suffix is another."""
    suffix = "" if path is None else Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise UsageError(
            f"cannot tell the format from {'no output file' if path is None else repr(str(path))}; "
            "fix: give the format, e.g. multipolar export xlsx SCENARIO -o FILE.xlsx"
        )
    return _SUFFIXES[suffix]
