"""Outputs: researcher exports, app downloads and the generated methodology."""
