"""The dashboard: the only package that imports Streamlit (cached data, URL state, figures, view logic, pages)."""
