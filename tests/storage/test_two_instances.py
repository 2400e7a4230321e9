"""Two app instances writing to ONE conversation at once, each a process with its own engine and connections:
questions, answers and answers replaced in a tight loop lose nothing, and no answer ever follows another.

On PostgreSQL that is several instances sharing one database (issue 23); on SQLite, several processes on one
file. The second answer in a row is refused (``AnswerExists``) by a check that reads, then writes: only the
store's write lock (SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's advisory lock) keeps the two from both passing it.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time

from lib.chat.history import ASSISTANT, USER, Conversation
from lib.chat.store import ChatStore
from lib.storage.database import DATABASE_URL_ENV
from tests.storage.backends import Backend
from tests.streamlit_process import ROOT

ROUNDS = 150
# One instance: waits for the moment it is given (both start at once, however busy the machine), then asks,
# answers and replaces its answers; prints what was saved, as JSON.
INSTANCE = """
import json, sys, time
from lib.chat.history import ASSISTANT, USER, Message
from lib.chat.store import AnswerExists, ChatStore

name, conversation_id, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
store = ChatStore(owner="user:ann")
store.ready()
print("ready", flush=True)
time.sleep(max(0.0, float(sys.stdin.readline()) - time.time()))
saved, refused = {}, 0
for n in range(rounds):
    question = f"{name} question {n}"
    saved[store.add(conversation_id, Message(USER, question))] = question
    try:
        answer_id = store.add(conversation_id, Message(ASSISTANT, f"{name} answer {n}"))
    except AnswerExists:
        refused += 1
        continue
    replaced = f"{name} answer {n}, replaced"
    if not store.replace_answer(answer_id, Message(ASSISTANT, replaced, model="m")):
        raise SystemExit(f"answer {answer_id} could not be replaced")
    saved[answer_id] = replaced
print(json.dumps({"saved": saved, "refused": refused}), flush=True)
"""


def start(name: str, conversation_id: int, backend: Backend, data: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "OLLAMA_STUDIO_DATA_DIR": data}
    environment.pop(DATABASE_URL_ENV, None)
    if backend.url:
        environment[DATABASE_URL_ENV] = backend.url
    instance = subprocess.Popen(
        [sys.executable, "-c", INSTANCE, name, str(conversation_id), str(ROUNDS)],
        cwd=ROOT,
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert instance.stdout is not None and instance.stdout.readline().strip() == "ready"
    return instance


def test_two_instances_writing_one_conversation_at_once_lose_nothing(backend: Backend):
    store = ChatStore(owner="user:ann")
    conversation_id = store.create(Conversation(title="shared"))
    data = os.environ["OLLAMA_STUDIO_DATA_DIR"]  # the test's: both instances open the same SQLite file there
    instances = {name: start(name, conversation_id, backend, data) for name in ("a", "b")}
    start_at = time.time() + 1.0  # both are ready: they begin together, not as each is handed the word
    for instance in instances.values():
        assert instance.stdin is not None
        instance.stdin.write(f"{start_at}\n")
        instance.stdin.flush()
    reports = {}
    for name, instance in instances.items():
        output, _ = instance.communicate(timeout=300)
        assert instance.returncode == 0, output
        reports[name] = json.loads(output)

    saved = {int(key): text for report in reports.values() for key, text in report["saved"].items()}
    messages = store.messages(conversation_id)
    assert {message.id: message.content for message in messages} == saved  # every message, replaced where it was
    assert len(messages) == len(saved) == 2 * 2 * ROUNDS - sum(report["refused"] for report in reports.values())
    roles = [message.role for message in messages]
    assert roles[0] == USER and (ASSISTANT, ASSISTANT) not in set(itertools.pairwise(roles))
    for name in instances:  # each instance's questions in the order it asked them
        asked = [m.content for m in messages if m.role == USER and m.content.startswith(f"{name} ")]
        assert asked == [f"{name} question {n}" for n in range(ROUNDS)]
    authors = [message.content[0] for message in messages]
    assert authors.index("b") < len(authors) - 1 - authors[::-1].index("a"), "the two never wrote at once"
    assert store.summaries()[0].messages == len(saved)
