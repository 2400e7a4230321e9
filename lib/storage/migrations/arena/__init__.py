"""The arena's revisions (lib/arena/store.py)."""
