"""The ledger: sealed forecasts and resolutions, append-only and hash-chained.

Every entry holds the sha256 of the previous entry (``prev``) and its own hash over its content
and ``prev``, so editing, deleting or reordering any stored entry breaks the chain at that entry
and :func:`verify` names it. The module offers no update and no delete: only :func:`append` and
readers. Entries live in the run store's database (SQLite by default, PostgreSQL by URL).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, Text, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from multipolar.errors import UsageError
from multipolar.store.db import Base, connect

GENESIS = "0" * 64
KINDS = ("forecast", "resolution")


class LedgerRow(Base):
    """One ledger entry; ``seq`` numbers entries 1, 2, … in the order they were appended."""

    __tablename__ = "ledger"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(20))
    question: Mapped[str] = mapped_column(String(200), index=True)
    sealed: Mapped[str] = mapped_column(String(40))  # UTC time, ISO 8601
    content: Mapped[str] = mapped_column(Text)  # canonical JSON of the entry's data
    prev: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


@dataclass(frozen=True)
class Entry:
    seq: int
    kind: str
    question: str
    sealed: str
    data: dict[str, Any]
    prev: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "entry": self.kind,
            "question": self.question,
            "sealed": self.sealed,
            "data": self.data,
            "prev": self.prev,
            "hash": self.hash,
        }


def _canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(seq: int, kind: str, question: str, sealed: str, content: str, prev: str) -> str:
    """The hash of an entry: sha256 over its fields and the previous entry's hash."""
    text = _canonical(
        {
            "seq": seq,
            "kind": kind,
            "question": question,
            "sealed": sealed,
            "content": content,
            "prev": prev,
        }
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _entry(row: LedgerRow) -> Entry:
    return Entry(
        row.seq, row.kind, row.question, row.sealed, json.loads(row.content), row.prev, row.hash
    )


def append(
    db: str | None,
    items: Sequence[tuple[str, str, dict[str, Any]]],
    *,
    now: dt.datetime | None = None,
) -> list[Entry]:
    """Append ``(kind, question, data)`` items in one transaction, chained to the last entry;
    returns the new entries. Concurrent writers cannot fork the chain: ``seq`` is the primary
    key, so the second of two writers that read the same last entry fails and retries."""
    for kind, _q, _d in items:
        if kind not in KINDS:
            raise ValueError(f"unknown ledger entry kind {kind!r}")
    engine = connect(db)
    sealed = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
    for _attempt in range(5):
        try:
            with Session(engine) as session, session.begin():
                last = session.scalars(
                    select(LedgerRow).order_by(LedgerRow.seq.desc()).limit(1)
                ).first()
                seq, prev = (last.seq, last.hash) if last is not None else (0, GENESIS)
                rows = []
                for kind, question, data in items:
                    seq += 1
                    content = _canonical(data)
                    digest = entry_hash(seq, kind, question, sealed, content, prev)
                    rows.append(
                        LedgerRow(
                            seq=seq,
                            kind=kind,
                            question=question,
                            sealed=sealed,
                            content=content,
                            prev=prev,
                            hash=digest,
                        )
                    )
                    prev = digest
                session.add_all(rows)
                session.flush()
                return [_entry(r) for r in rows]
        except IntegrityError:
            continue
    raise UsageError("the ledger is busy (other writers kept appending); fix: try again")


def entries(db: str | None, *, question: str | None = None) -> list[Entry]:
    """The ledger's entries in order (only ``question``'s with a key); reading never creates a
    database, and a store without a ledger has no entries."""
    engine = connect(db, create=False)
    if not inspect(engine).has_table(LedgerRow.__tablename__):
        return []
    with Session(engine) as session:
        stmt = select(LedgerRow).order_by(LedgerRow.seq)
        if question is not None:
            stmt = stmt.where(LedgerRow.question == question)
        return [_entry(r) for r in session.scalars(stmt)]


@dataclass(frozen=True)
class Verification:
    entries: int
    ok: bool
    problem: str = ""  # the first broken entry and what is wrong with it


def verify(db: str | None) -> Verification:
    """Recompute every entry's hash and check the chain; the first broken entry is named."""
    engine = connect(db, create=False)
    if not inspect(engine).has_table(LedgerRow.__tablename__):
        return Verification(0, True)
    prev, expected = GENESIS, 1
    count = 0
    with Session(engine) as session:
        for row in session.scalars(select(LedgerRow).order_by(LedgerRow.seq)):
            count += 1
            if row.seq != expected:
                return Verification(
                    count,
                    False,
                    f"entry {expected} is missing (next is {row.seq}): entries were deleted",
                )
            if row.prev != prev:
                return Verification(
                    count,
                    False,
                    f"entry {row.seq} ({row.question}) does not "
                    "follow the entry before it: the chain was altered",
                )
            digest = entry_hash(row.seq, row.kind, row.question, row.sealed, row.content, row.prev)
            if digest != row.hash:
                return Verification(
                    count,
                    False,
                    f"entry {row.seq} ({row.question}) was "
                    "edited after it was sealed: its content no longer "
                    "matches its hash",
                )
            prev, expected = row.hash, expected + 1
    return Verification(count, True)
