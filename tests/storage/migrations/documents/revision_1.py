"""A documents store whose revisions end at revision 1, to test what revision 1 makes and what revision 2 does to
a database at revision 1."""

from __future__ import annotations

import shutil
from pathlib import Path

from lib.documents.store import DocumentStore
from lib.storage import migrate

REVISION_1 = migrate.MIGRATIONS / "documents" / "documents_0001_library.py"


def revision_1_store(folder: Path) -> type[DocumentStore]:
    """A :class:`DocumentStore` class that upgrades a database to revision 1 only (its revisions: a copy of that
    one file in ``folder``). Upgrading the same database with :class:`DocumentStore` afterwards runs the rest."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REVISION_1, folder / REVISION_1.name)

    class Revision1Store(DocumentStore):
        REVISIONS = folder

    return Revision1Store
