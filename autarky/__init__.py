"""Autarky: measure, forecast and watch a country's technological self-reliance."""

__version__ = "0.1.0"
