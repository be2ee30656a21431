"""Serving many users: the production front (nginx in front of N Streamlit replicas), started by `atlas serve`."""
