"""Each store's Alembic revisions, a folder per store (lib/storage/migrate.py runs them)."""
