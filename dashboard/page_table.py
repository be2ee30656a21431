"""The one page table: each page's URL path, file, title and icon. app.py navigates from it; links and tests read it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    url_path: str
    file: str  # relative to app.py, as st.Page and AppTest.switch_page take it
    title: str
    icon: str
    default: bool = False


# Pages live in dashboard/app_pages/, never in a folder named pages/ beside app.py: with one, Streamlit runs the first
# session after start-up in its old folder-based mode, so a deep link (e.g. /profile?area=...) opened first would skip
# app.py and its navigation.
PAGE_TABLE = (
    PageSpec("map", "dashboard/app_pages/map.py", "Map", ":material/map:", default=True),
    PageSpec("profile", "dashboard/app_pages/profile.py", "Area profile", ":material/assignment:"),
    PageSpec("wards", "dashboard/app_pages/ward_map.py", "Ward map", ":material/holiday_village:"),
    PageSpec("trends", "dashboard/app_pages/trends.py", "Trends", ":material/show_chart:"),
    PageSpec("compare", "dashboard/app_pages/compare.py", "Compare", ":material/compare_arrows:"),
    PageSpec("relationships", "dashboard/app_pages/relationships.py", "Relationship explorer", ":material/scatter_plot:"),
    PageSpec("composite", "dashboard/app_pages/composite.py", "Composite builder", ":material/tune:"),
    PageSpec("data", "dashboard/app_pages/data_export.py", "Data and export", ":material/download:"),
    PageSpec("methodology", "dashboard/app_pages/methodology.py", "Methodology and sources", ":material/menu_book:"),
)
# Streamlit serves the default page at "/" and ignores its url_path, so "/map" would be "Page not found": the default
# page is also registered, hidden from the menu, at its own path, so every page opens at the path this table gives it.
DEFAULT_PAGE = next(page for page in PAGE_TABLE if page.default)

# The benchmark's floor: one small plotly chart in the app's own shell, served by the same server and front, so a page's
# time is divided by what any page of this app costs. Registered (hidden) only where the benchmark sets FLOOR_ENV.
FLOOR_PAGE = PageSpec("floor", "benchmarks/floor_page.py", "Floor (benchmark)", ":material/speed:")
FLOOR_ENV = "ATLAS_BENCHMARK_FLOOR"

# url path -> page file, for st.page_link, st.switch_page and AppTest.
PAGES = {page.url_path: page.file for page in PAGE_TABLE}
