"""The kernel's tables (autarky.models); every stage's tables are gathered by autarky.tables for the migrations."""

from autarky.models import Base

metadata = Base.metadata
