"""Schema upgrades with Alembic, run programmatically on a given engine."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(resources.files("autarky").joinpath("migrations")))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision of every branch (each stage owns a branch off the core)."""
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")
