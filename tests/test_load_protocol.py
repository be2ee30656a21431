"""The websocket load generator (benchmarks/load_test.py) against real Streamlit servers on 127.0.0.1: it walks the
pages, reads each run to its script_finished, and counts errors the way a user would see them."""
from __future__ import annotations

import asyncio

import pytest

from benchmarks import load_test as lt

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    proc, url = lt.start_streamlit("app.py", log=tmp_path_factory.mktemp("load") / "streamlit.log")
    try:
        yield proc, url
    finally:
        lt.stop_server(proc)


def test_one_walk_views_every_page(app):
    _, url = app
    views = asyncio.run(lt.walk_once(url, lad="E06000009", keep_frames=True))
    assert [v.page for v in views] == ["map", "profile", "wards", "ward profile", "trends", "compare"]
    assert [v.errors for v in views] == [[]] * 6
    assert all(v.completed and v.status == "FINISHED_SUCCESSFULLY" for v in views)
    # The first view chose its page by url path; the later ones by the page hash from the navigation message.
    assert [v.ran for v in views] == ["map", "profile", "wards", "profile", "trends", "compare"]
    assert all(v.bytes > 0 and v.bytes == sum(map(len, v.frames)) for v in views)
    assert "Blackpool".encode() in b"".join(views[1].frames)


def test_bad_area_is_the_apps_message_not_an_error(app):
    _, url = app
    view = asyncio.run(lt.first_view(url, "/profile?area=XX999", keep_frames=True))
    assert view.completed and view.errors == []
    assert b"is not a valid ONS code" in b"".join(view.frames)  # the page's own warning, then a default area
    assert lt.measure_page_bytes(url, "/profile?area=E06000009") > 0


def english_walk(rng):
    return lt.atlas_walk(rng, country="E")


def test_four_sessions_under_load(app):
    proc, url = app
    # English LAs only: the trends page of every Welsh LA raises today (the next test), and this one is about the generator.
    result = asyncio.run(lt.run_load(url, 4, 15, pids=[proc.pid], sample_every=5, walk=english_walk))
    assert result.errors == []
    assert result.views_per_minute > 0 and len(result.page_views) >= 4
    assert result.p95() >= result.median() > 0
    assert all(size > 0 for size in result.bytes_by_page.values())
    assert len(result.rss_samples) >= 3 and all(mb > 50 for _, mb in result.rss_samples)


def test_trends_of_a_welsh_la(app):
    """The load generator found this: an England-only indicator's Wales comparator is empty, and pandas 3 mapped its
    weights to text, so the Trends page of every Welsh LA raised (scoring.benchmarks.comparator_values)."""
    _, url = app
    view = asyncio.run(lt.first_view(url, "/trends?area=W06000015"))
    assert view.completed and view.errors == []


def test_an_exception_is_one_error_per_view(tmp_path):
    (tmp_path / "boom.py").write_text('import streamlit as st\n\nraise ValueError("boom")\n')
    proc, url = lt.start_streamlit("boom.py", cwd=tmp_path, log=tmp_path / "streamlit.log")
    try:
        result = asyncio.run(lt.run_load(url, 2, 3, walk=lambda rng: [("boom", "/")]))
    finally:
        lt.stop_server(proc)
    assert len(result.page_views) >= 2
    assert len(result.errors) == len(result.page_views)
    assert all("ValueError: boom" in error for error in result.errors)
