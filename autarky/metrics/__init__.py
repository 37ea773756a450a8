"""Derived self-reliance metrics and the composite Self-Reliance Index (definitions in autarky/data/metrics.toml)."""
