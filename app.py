"""Cohesion Atlas: the Streamlit entry point; builds the navigation and runs the chosen page."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

# The icon is a bundled file: a ":material/...:" page icon makes the browser fetch it from the web, and the app is offline.
st.set_page_config(page_title="Cohesion Atlas", page_icon=str(Path(__file__).resolve().parent / "static" / "favicon.png"), layout="wide")
# Trusted constant CSS (no user text): less empty space above the page, so a 1366x768 screen shows controls and map together.
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.2rem;padding-bottom:2rem}</style>")

# Pages live in app_pages/, not pages/: with a pages/ folder Streamlit runs the first session after start-up in the old
# folder-based mode, so a deep link (e.g. /profile?area=...) opened first would skip this file and its navigation.
PAGES = [
    st.Page("app_pages/map.py", title="Map", icon=":material/map:", url_path="map", default=True),
    st.Page("app_pages/profile.py", title="Area profile", icon=":material/assignment:", url_path="profile"),
    st.Page("app_pages/ward_map.py", title="Ward map", icon=":material/holiday_village:", url_path="wards"),
    st.Page("app_pages/trends.py", title="Trends", icon=":material/show_chart:", url_path="trends"),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
    st.Page("app_pages/composite.py", title="Composite builder", icon=":material/tune:", url_path="composite"),
    st.Page("app_pages/data_export.py", title="Data and export", icon=":material/download:", url_path="data"),
    st.Page("app_pages/methodology.py", title="Methodology and sources", icon=":material/menu_book:", url_path="methodology"),
]

page = st.navigation(PAGES)
st.sidebar.caption(
    "Cohesion Atlas: five-factor integration profiles for the local authorities and wards of England and Wales, "
    "built from official statistics (mostly Open Government Licence v3.0). Every chart names its source and period."
)
page.run()
