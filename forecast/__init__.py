"""Forecasts for every stored series: candidate models, rolling-origin backtests, choice per series, runner."""
