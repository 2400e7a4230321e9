"""The chat store's revisions (lib/chat/store.py)."""
