"""A process killed while it writes leaves the chats database readable, with every message it had saved."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys

from lib.chat.history import USER, Message
from lib.chat.store import ChatStore
from tests.streamlit_process import ROOT

OWNER = "browser:writer"
KILLS = 5
# Writes for ever: a conversation, then messages of a few KB, each one's id printed once it is saved.
WRITER = """
import sys
from lib.chat.history import ASSISTANT, USER, Conversation, Message
from lib.chat.history import USER, Message
from lib.chat.store import ChatStore

store = ChatStore(sys.argv[1], sys.argv[2])
conversation_id = store.create(Conversation(title="writer"))
n = 0
while True:
    n += 1
    message = Message(USER if n % 2 else ASSISTANT, f"{sys.argv[3]} message {n} " + "x" * 4000)
    message_id = store.add(conversation_id, message)
    print(conversation_id, message_id, n, flush=True)
"""


def write_until_killed(path, run: int, messages: int) -> list[tuple[int, int, int]]:
    """Start a writer, SIGKILL it once ``messages`` saves are reported; the (conversation, id, n) it reported."""
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), OWNER, f"run{run}"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    reported = []
    try:
        for line in writer.stdout:
            reported.append(tuple(map(int, line.split())))
            if len(reported) == messages:
                break
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL
    return reported


def test_killing_a_writer_again_and_again_keeps_every_saved_message(tmp_path):
    path = tmp_path / "chats.sqlite3"
    reported: list[tuple[int, int, int, int]] = []
    for run in range(KILLS):
        reported += [(run, *saved) for saved in write_until_killed(path, run, messages=20 + 15 * run)]

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = ChatStore(path, OWNER)
    for run, conversation_id, message_id, n in reported:
        kept = {message.id: message.content for message in store.messages(conversation_id)}
        assert kept[message_id] == f"run{run} message {n} " + "x" * 4000
    assert len(store.summaries()) == KILLS
    # The database takes new writes after the kills.
    last_conversation = reported[-1][1]
    store.add(last_conversation, Message(USER, "after the kills"))
    assert store.messages(last_conversation, last=1)[0].content == "after the kills"
