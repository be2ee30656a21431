"""The view memo: answers from the same read-only frames are looked up, never from another frame, never shared mutably."""
from __future__ import annotations

import gc

import pandas as pd

from dashboard.frame_memo import per_frames


def counting(max_entries: int = 8):
    calls: list[object] = []

    @per_frames(max_entries=max_entries)
    def rows_of(frame: pd.DataFrame, code: int, lookup: dict | None = None) -> pd.DataFrame:
        calls.append(code)
        return frame[frame["a"] == code]

    return rows_of, calls


def test_same_frame_and_arguments_are_computed_once():
    rows_of, calls = counting()
    frame = pd.DataFrame({"a": [1, 2, 2]})
    assert len(rows_of(frame, 2)) == 2
    assert len(rows_of(frame, 2)) == 2
    assert calls == [2]
    rows_of(frame, 1)
    assert calls == [2, 1]


def test_another_frame_with_the_same_contents_is_not_answered_from_the_first():
    rows_of, calls = counting()
    rows_of(pd.DataFrame({"a": [2]}), 2)
    other = pd.DataFrame({"a": [2, 2, 2]})
    assert len(rows_of(other, 2)) == 3
    assert len(calls) == 2


def test_a_caller_adding_a_column_does_not_change_the_cached_answer():
    rows_of, _ = counting()
    frame = pd.DataFrame({"a": [1, 2, 2]})
    first = rows_of(frame, 2)
    first["b"] = 5
    assert "b" not in rows_of(frame, 2).columns


def test_large_dicts_by_identity_small_dicts_by_value():
    rows_of, calls = counting()
    frame = pd.DataFrame({"a": [1, 2]})
    lookup = {i: str(i) for i in range(100)}
    rows_of(frame, 1, lookup=lookup)
    rows_of(frame, 1, lookup=lookup)
    rows_of(frame, 1, lookup=dict(lookup))  # equal but another object: the atlas of another build
    assert len(calls) == 2
    rows_of(frame, 1, lookup={"x": 1})
    rows_of(frame, 1, lookup={"x": 1})
    assert len(calls) == 3


def test_least_recently_used_entries_are_dropped_beyond_the_limit():
    rows_of, calls = counting(max_entries=2)
    frame = pd.DataFrame({"a": [1, 2, 3]})
    rows_of(frame, 1)
    rows_of(frame, 2)
    rows_of(frame, 1)  # 1 is now the most recent
    rows_of(frame, 3)  # drops 2
    rows_of(frame, 1)
    assert calls == [1, 2, 3]
    rows_of(frame, 2)
    assert calls == [1, 2, 3, 2]


def test_a_dead_frame_never_answers_for_a_new_one_at_the_same_address():
    rows_of, calls = counting()
    for n in range(20):  # freed frames' ids are reused by the allocator; a weakly held frame's entry is then stale
        frame = pd.DataFrame({"a": [2] * (n + 1)})
        assert len(rows_of(frame, 2)) == n + 1
        del frame
        gc.collect()
    assert len(calls) == 20


def test_a_handed_out_copy_passed_on_is_keyed_as_the_cached_frame_unless_changed():
    rows_of, calls = counting()
    counted: list[int] = []

    @per_frames
    def size(frame: pd.DataFrame) -> int:
        counted.append(1)
        return len(frame)

    frame = pd.DataFrame({"a": [1, 2, 2]})
    assert size(rows_of(frame, 2)) == 2
    assert size(rows_of(frame, 2)) == 2  # a new copy each time, one computation
    assert len(counted) == 1
    changed = rows_of(frame, 2)
    changed["b"] = 1
    size(changed)
    assert len(counted) == 2  # a copy given a column is another frame


def test_an_alias_leaves_with_its_copy():
    from dashboard import frame_memo

    rows_of, _ = counting()
    frame = pd.DataFrame({"a": [1, 2, 2]})
    before = len(frame_memo._ALIASES)
    copies = [rows_of(frame, 2) for _ in range(50)]
    assert len(frame_memo._ALIASES) >= before + 50
    del copies
    gc.collect()
    assert len(frame_memo._ALIASES) <= before + 1
