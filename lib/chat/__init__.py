"""The Chat page: conversations, their store, streaming answers, compare mode and the screen."""
