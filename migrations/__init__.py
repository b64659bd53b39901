"""Alembic migrations of the Tremplin schema (run at start and by `tremplin migrate`)."""
