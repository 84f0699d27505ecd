"""ObjectMemo: values kept per object identity (and an extra key), the newest few."""

from __future__ import annotations

from multipolar.memo import ObjectMemo


class Thing:
    pass


def test_get_or_computes_once_per_object_and_extra() -> None:
    memo: ObjectMemo[list[int]] = ObjectMemo(4)
    a, calls = Thing(), []

    def compute() -> list[int]:
        calls.append(1)
        return [len(calls)]

    first = memo.get_or(a, compute, "x")
    assert memo.get_or(a, compute, "x") is first
    assert memo.get_or(a, compute, "y") == [2]
    assert memo.get_or(Thing(), compute, "x") == [3]
    assert len(calls) == 3


def test_a_kept_none_is_found_and_keep_false_keeps_nothing() -> None:
    memo: ObjectMemo[str | None] = ObjectMemo(4)
    a = Thing()
    assert memo.get_or(a, lambda: None) is None
    assert memo.find(a) == (None,)
    b = Thing()
    assert memo.get_or(b, lambda: "v", keep=False) == "v"
    assert memo.find(b) is None


def test_the_least_recently_used_entry_goes_first() -> None:
    memo: ObjectMemo[int] = ObjectMemo(2)
    a, b, c = Thing(), Thing(), Thing()
    memo.put(a, 1)
    memo.put(b, 2)
    assert memo.find(a) == (1,)  # a is now the most recent
    memo.put(c, 3)
    assert memo.find(b) is None
    assert memo.find(a) == (1,)
    assert memo.find(c) == (3,)


def test_take_removes_and_clear_empties() -> None:
    memo: ObjectMemo[int] = ObjectMemo(2)
    a = Thing()
    memo.put(a, 1)
    assert memo.take(a) == (1,)
    assert memo.take(a) is None
    memo.put(a, 2)
    memo.clear()
    assert memo.find(a) is None
