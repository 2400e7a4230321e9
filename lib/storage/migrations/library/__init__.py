"""The library's revisions (lib/library/store.py)."""
