"""Forecasting: models, rolling-origin backtests, per-series model choice, crossing probabilities."""
