"""Cohesion Atlas: the Streamlit entry point; builds the navigation and runs the chosen page."""
from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from dashboard.accessible import GLOBAL_CSS
from dashboard.page_table import DEFAULT_PAGE, FLOOR_ENV, FLOOR_PAGE, PAGE_TABLE

# The icon is a bundled file: a ":material/...:" page icon makes the browser fetch it from the web, and the app is offline.
st.set_page_config(page_title="Cohesion Atlas", page_icon=str(Path(__file__).resolve().parent / "static" / "favicon.png"), layout="wide")
# Trusted constant CSS (no user text): less empty space above the page, so a 1366x768 screen shows controls and map
# together, and Streamlit's faded text (captions, disabled labels) at WCAG 2.2 AA contrast (tests/test_accessibility.py).
st.html(GLOBAL_CSS)

# The default page is served at "/" (url_path "": Streamlit names a page's identity after its path); a hidden twin
# serves it at its own path too, so a deep link to /map opens the map rather than "Page not found".
PAGES = [st.Page(p.file, title=p.title, icon=p.icon, url_path="" if p.default else p.url_path, default=p.default) for p in PAGE_TABLE]
PAGES.append(st.Page(DEFAULT_PAGE.file, title=DEFAULT_PAGE.title, icon=DEFAULT_PAGE.icon, url_path=DEFAULT_PAGE.url_path, visibility="hidden"))

if os.environ.get(FLOOR_ENV):
    PAGES.append(st.Page(FLOOR_PAGE.file, title=FLOOR_PAGE.title, icon=FLOOR_PAGE.icon, url_path=FLOOR_PAGE.url_path, visibility="hidden"))

page = st.navigation(PAGES)
st.sidebar.caption(
    "Cohesion Atlas: five-factor integration profiles for the local authorities and wards of England and Wales, "
    "built from official statistics (mostly Open Government Licence v3.0). Every chart names its source and period."
)
page.run()
