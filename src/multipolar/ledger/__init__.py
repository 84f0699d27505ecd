"""Accountable forecasts: questions answered by the engine, sealed in an append-only,
hash-chained ledger, resolved, and graded with proper scores."""

from multipolar.ledger.answer import Answer, answer_all, question_key
from multipolar.ledger.grade import Grades, grade
from multipolar.ledger.seal import resolve, seal

__all__ = ["Answer", "Grades", "answer_all", "grade", "question_key", "resolve", "seal"]
