"""Memoising plain view functions on the identity of the (read-only) tables they are given.

The atlas's frames are loaded once per process and never written (tables.Atlas), so a function of those frames and of
hashable arguments gives the same answer for as long as the frames live: a page's rerun then looks the answer up
instead of filtering a table again. A frame is recognised by identity and held weakly, so a new build's tables (or a
test's own frame) are never answered from an older frame's entry. Each function keeps its most recently used entries
only, so a server's memory stays bounded however many areas its users open.
"""
from __future__ import annotations

import functools
import threading
import weakref
from collections import OrderedDict

import pandas as pd

MAX_ENTRIES = 256  # per function: a new area's views cost a few ms (the per-table indexes), so a small memo keeps memory flat
SMALL_DICT = 64  # a dict this small is an argument made for the call (keyed by value); a larger one is a lookup of the atlas


def per_frames(fn=None, *, max_entries: int = MAX_ENTRIES):
    """fn(*args, **kwargs) memoised (least recently used entries dropped beyond max_entries): DataFrame/Series and other
    unhashable arguments (the atlas itself) by identity (held weakly), large dict arguments (the atlas's lookups) by
    identity (held by the entry, so their id cannot be reused while it lives), small dicts, lists and sets and every
    other argument by value. A frame, list or dict answer is handed out as a copy (shallow: pandas copy-on-write keeps
    the cached frame intact when a caller adds a column); other answers (figures, frozen dataclasses) are shared, and
    their callers only read them."""
    if fn is None:
        return functools.partial(per_frames, max_entries=max_entries)
    entries: OrderedDict[tuple, tuple[tuple, object, tuple]] = OrderedDict()
    lock = threading.Lock()  # sessions rerun in threads of one process

    @functools.wraps(fn)
    def memoised(*args, **kwargs):
        key, refs, held = [], [], []
        for name, arg in [*((None, arg) for arg in args), *sorted(kwargs.items())]:
            if isinstance(arg, (pd.DataFrame, pd.Series)):
                arg = _origin(arg)
                key.append((name, "frame", id(arg)))
                refs.append(weakref.ref(arg))
            elif isinstance(arg, dict) and len(arg) > SMALL_DICT:
                key.append((name, "dict", id(arg)))
                held.append(arg)
            else:
                try:
                    part = (name, _frozen(arg))
                    hash(part)
                    key.append(part)
                except TypeError:  # e.g. the atlas itself: one object per build, recognised by identity
                    key.append((name, "object", id(arg)))
                    try:
                        refs.append(weakref.ref(arg))
                    except TypeError:  # a list or tuple of frames: held by the entry instead
                        held.append(arg)
        key = tuple(key)
        with lock:
            hit = entries.get(key)
            if hit is not None and all(ref() is not None for ref in hit[0]):
                entries.move_to_end(key)
                return _handed_out(hit[1])
        value = fn(*args, **kwargs)
        with lock:
            entries[key] = (tuple(refs), value, tuple(held))
            while len(entries) > max_entries:
                entries.popitem(last=False)
        return _handed_out(value)

    memoised.cache_clear = entries.clear
    return memoised


# A copy handed out by a memoised function -> the cached frame it copies: passed on to another memoised function (a
# figure of a view's rows), the copy is keyed as the cached frame, so the second lookup hits too. Only while the copy
# keeps the cached frame's columns and length: a caller that added or dropped anything has another frame.
_ALIASES: dict[int, tuple[weakref.ref, weakref.ref, tuple, int]] = {}
MAX_ALIASES = 65536


def _shape(frame) -> tuple[tuple, int]:
    return (tuple(frame.columns) if isinstance(frame, pd.DataFrame) else (frame.name,)), len(frame)


def _forget(key: int, ref: weakref.ref) -> None:
    alias = _ALIASES.get(key)
    if alias is not None and alias[0] is ref:
        _ALIASES.pop(key, None)


def _origin(frame):
    alias = _ALIASES.get(id(frame))
    if alias is None or alias[0]() is not frame:
        return frame
    original = alias[1]()
    return original if original is not None and _shape(frame) == (alias[2], alias[3]) else frame


def _frozen(value):
    """A hashable stand-in for an argument compared by value: lists, sets and small dicts as tuples, all the way down."""
    if isinstance(value, dict):
        return ("dict", tuple((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(_frozen(v) for v in value)))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_frozen(v) for v in value))
    if isinstance(value, (pd.DataFrame, pd.Series)):
        raise TypeError("a frame inside a container is compared by identity")
    return value


def _handed_out(value):
    if isinstance(value, (pd.DataFrame, pd.Series)):
        copy = value.copy(deep=False)
        if len(_ALIASES) >= MAX_ALIASES:
            _ALIASES.clear()
        key = id(copy)
        # The entry leaves with the copy: under load, pages hand out thousands of copies a minute.
        _ALIASES[key] = (weakref.ref(copy, lambda ref, key=key: _forget(key, ref)), weakref.ref(value), *_shape(value))
        return copy
    if isinstance(value, (list, dict)):
        return type(value)(value)
    return value
