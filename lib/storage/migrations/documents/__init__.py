"""The document library's revisions (lib/documents/store.py)."""
