"""All tables of every stage, gathered for migrations: each stage's models module is imported here."""

from autarky.models import Base

metadata = Base.metadata
