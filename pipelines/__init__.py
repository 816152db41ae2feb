"""Ingest: webhook receipts, landing files, send logs and CSV exports into the DuckDB warehouse."""
