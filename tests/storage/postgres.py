"""A real PostgreSQL server for the tests: a throwaway cluster in a temporary folder, started once per test session.

The server binaries (``initdb``, ``pg_ctl``, ``postgres``) are looked for on ``PATH``, then in
``/usr/lib/postgresql/<version>/bin`` (Debian's ``postgresql`` package, which ``scripts/test.sh`` installs). initdb
refuses to run as root, so as root the cluster belongs to the ``postgres`` user (made if missing) and the commands
run through ``runuser``. The server listens on a free port of 127.0.0.1 only, with a password (scram-sha-256) for
the user ``studio``, fsync off (nothing needs to survive a crash), and is stopped and deleted at the end.

:meth:`Cluster.new_database` makes an empty database for one test and :meth:`Cluster.drop_database` removes it.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

USER = "studio"
BINARIES = ("initdb", "pg_ctl", "postgres")
MISSING = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or in /usr/lib/postgresql/*/bin: "
    "install Debian's postgresql package (apt-get install postgresql) to run the storage tests on PostgreSQL"
)


def server_binaries() -> Path | None:
    """The folder with initdb, pg_ctl and postgres: the one on PATH, else Debian's newest; None when there is none."""
    found = shutil.which("initdb")
    if found:
        folder = Path(found).resolve().parent
        if all((folder / name).exists() for name in BINARIES):
            return folder
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True):
        if all((Path(candidate) / name).exists() for name in BINARIES):
            return Path(candidate)
    return None


def _version(folder: str) -> int:
    name = Path(folder).parent.name
    return int(name) if name.isdigit() else 0


@dataclass
class Cluster:
    folder: Path
    port: int
    password: str
    binaries: Path
    _databases: int = 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """An empty database of its own; returns its address (with the password)."""
        self._databases += 1
        name = f"test_{os.getpid()}_{self._databases}"
        with self._admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @contextmanager
    def _admin(self) -> Iterator[psycopg.Connection]:
        with psycopg.connect(self.url(), autocommit=True) as connection:
            yield connection

    def stop(self) -> None:
        _run_as_owner([str(self.binaries / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop"])
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> Cluster:
    """Make and start a cluster; raises ``RuntimeError`` naming what failed (the server's log included)."""
    binaries = server_binaries()
    if binaries is None:
        raise FileNotFoundError(MISSING)
    folder = Path(tempfile.mkdtemp(prefix="studio-postgres-"))
    password = secrets.token_urlsafe(16)
    (folder / "password").write_text(password)
    if os.geteuid() == 0:
        owner = _postgres_user()
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        os.chown(folder / "password", owner.pw_uid, owner.pw_gid)
    data = folder / "data"
    _run_as_owner(
        [
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            USER,
            f"--pwfile={folder / 'password'}",
            "--auth-local=scram-sha-256",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ]
    )
    port = _free_port()
    options = f"-p {port} -h 127.0.0.1 -k {folder} -F -c shared_buffers=16MB -c max_connections=100"
    try:
        _run_as_owner(
            [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-o", options, "-w", "start"]
        )
    except RuntimeError as error:
        log = (folder / "log").read_text(errors="replace") if (folder / "log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"{error}\n{log}") from None
    return Cluster(folder, port, password, binaries)


def _postgres_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True, capture_output=True)
        return pwd.getpwnam("postgres")


def _run_as_owner(command: list[str]) -> None:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd="/")
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
