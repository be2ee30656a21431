"""Indicators: every indicator declared once (the catalogue) with the builders that compute it from the tidy tables."""
