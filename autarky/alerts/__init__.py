"""Alerts: rules in the config, states per rule and series, notifications through an outbox to SMTP."""
