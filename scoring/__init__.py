"""Scoring: factor scores with rank bands, user reweighting, similar areas, benchmarks and the coherence audit."""
