"""Collectors: one module per public source, registered by name."""
