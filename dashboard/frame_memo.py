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

MAX_ENTRIES = 1024  # per function: every LA's profile tables (318) and a thousand wards', some tens of MB in all
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
                key.append((name, "frame", id(arg)))
                refs.append(weakref.ref(arg))
            elif isinstance(arg, dict) and len(arg) <= SMALL_DICT:
                key.append((name, "dict", tuple(arg.items())))
            elif isinstance(arg, dict):
                key.append((name, "dict", id(arg)))
                held.append(arg)
            elif isinstance(arg, (list, set, frozenset)):
                key.append((name, type(arg).__name__, tuple(arg) if isinstance(arg, list) else tuple(sorted(arg))))
            else:
                try:
                    hash(arg)
                    key.append((name, arg))
                except TypeError:  # e.g. the atlas itself: one object per build, recognised by identity
                    key.append((name, "object", id(arg)))
                    refs.append(weakref.ref(arg))
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


def _handed_out(value):
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)
    if isinstance(value, (list, dict)):
        return type(value)(value)
    return value
