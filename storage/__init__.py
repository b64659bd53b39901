"""Persistence: SQLAlchemy 2 models, the async engine and units of work (SQLite or PostgreSQL)."""
