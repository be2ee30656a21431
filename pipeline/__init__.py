"""The build and the refresh: raw snapshot -> processed tables, switched in atomically."""
