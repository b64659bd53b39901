"""Tremplin: composition root (settings, CLI, wiring of engine, scheduler, bot and console)."""
