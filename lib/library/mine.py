"""The library of this session's visitor: the same person whose chats the Chat page shows."""

from __future__ import annotations

from lib.access import visitor
from lib.library.store import LibraryStore


def visitor_store() -> LibraryStore:
    """The presets and prompts of this session's visitor; a visitor who signed in finds those of this browser.

    The browser's cookie is written here only when it does not hold the visitor's id yet (a first visit
    that saves a preset on Generate, before ever opening Chat): the panel that calls this is drawn several
    times on a page.
    """
    person = visitor.current()
    if person.browser_token is not None and visitor.browser_cookies().get(visitor.COOKIE) != person.browser_token:
        visitor.remember(person)
    store = LibraryStore(owner=person.owner)
    visitor.carry_over_quietly(person, store, "library")
    return store
