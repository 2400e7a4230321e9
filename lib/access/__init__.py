"""Locked mode and visitors: who may change models, and whose saved chats a visitor sees."""
