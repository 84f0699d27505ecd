"""Tables of the run store and how to reach them: an SQLite file by default, any SQLAlchemy URL
(e.g. ``postgresql+psycopg://user@host/db``) otherwise.

The database is chosen by, in order: an explicit URL or file path (``--db``), the
``MULTIPOLAR_DB`` environment variable, and ``multipolar-runs.sqlite`` in the current directory.
A value without ``://`` is a path to an SQLite file.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import (
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
    inspect,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from multipolar.errors import UsageError

DEFAULT_FILE = "multipolar-runs.sqlite"
ENV_VAR = "MULTIPOLAR_DB"


class Base(DeclarativeBase):
    pass


class ScenarioRow(Base):
    """A scenario's canonical content, stored once per content hash."""

    __tablename__ = "scenarios"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)  # canonical JSON of ``to_data(scenario)``


class RunRow(Base):
    """One run: what was run on which scenario, with which parameters, seed and version."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(40))
    model: Mapped[str | None] = mapped_column(String(200))
    seed: Mapped[int] = mapped_column(Integer)
    version: Mapped[str] = mapped_column(String(40))
    scenario_hash: Mapped[str] = mapped_column(ForeignKey("scenarios.hash"))
    parameters: Mapped[str] = mapped_column(Text)  # canonical JSON


class ResultRow(Base):
    """One named part of a run's results (e.g. ``forecast:compromise``, ``deals``)."""

    __tablename__ = "results"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(Text)  # canonical JSON


def default_url() -> str:
    """``$MULTIPOLAR_DB`` when set, else the SQLite file ``multipolar-runs.sqlite`` here."""
    return resolve_url(os.environ.get(ENV_VAR) or DEFAULT_FILE)


def resolve_url(db: str | None) -> str:
    """A SQLAlchemy URL for ``db``: a URL passes through, a plain path becomes an SQLite URL,
    ``None`` gives the default."""
    if db is None or not db.strip():
        return default_url()
    return db if "://" in db else f"sqlite:///{db}"


def display_url(url: str) -> str:
    """The URL as it may be shown in messages (password hidden)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (``None`` for other databases and in-memory SQLite)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def store_name(db: str | None) -> str:
    """The database ``db`` names, as a reader would look for it: an SQLite file's absolute
    path, else the URL (password hidden); says when it is the default."""
    url = resolve_url(db)
    path = sqlite_file(url)
    name = str(path.resolve()) if path is not None else display_url(url)
    chosen = (db and db.strip()) or os.environ.get(ENV_VAR)
    return name if chosen else f"{name} (the default; choose with --db or ${ENV_VAR})"


class StoreMissingError(UsageError):
    """Reading a run store that does not exist (reading never creates one)."""


def _sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()


def _missing(db: str | None, why: str) -> StoreMissingError:
    return StoreMissingError(
        f"run store {store_name(db)}: {why}; fix: give --db the store your runs were saved to, "
        "or save a run first (--save, or Save run in `multipolar serve`)"
    )


def connect(db: str | None = None, *, create: bool = True) -> Engine:
    """An engine for ``db`` (see ``resolve_url``); engines are shared per URL. With ``create``
    the store's tables are created as needed (for writing); without, the store must exist
    (``StoreMissingError`` otherwise) and nothing is created: reading never makes a database.
    A bad URL, a missing driver or an unreachable database is a ``UsageError`` naming the URL
    (password hidden) and the fix."""
    url = resolve_url(db)
    path = sqlite_file(url)
    if not create and path is not None and not path.is_file():
        raise _missing(db, "no such file")
    with _LOCK:
        if url in _ENGINES:
            return _ENGINES[url]
        shown = display_url(url)
        try:
            engine = create_engine(url)
        except ImportError as exc:
            raise UsageError(
                f"--db {shown}: the database driver is not installed ({exc}); "
                "fix: install the driver named in the URL, or use an SQLite file"
            ) from None
        except (ArgumentError, ValueError) as exc:
            first = str(exc).splitlines()[0]
            raise UsageError(
                f"--db {shown}: not a database URL ({first}); "
                "fix: give an SQLite file path or a URL such as postgresql+psycopg://host/db"
            ) from None
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_foreign_keys)
        try:
            if create:
                Base.metadata.create_all(engine)
            elif not inspect(engine).has_table(RunRow.__tablename__):
                engine.dispose()
                raise _missing(db, "not a run store (it has no runs table)")
        except SQLAlchemyError as exc:
            engine.dispose()
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise UsageError(
                f"--db {shown}: cannot open the database ({reason}); "
                "fix: check the path or URL and that the database is reachable"
            ) from None
        _ENGINES[url] = engine
        return engine
