"""Write one database per store with the code of the moment: the fixtures of the storage migration tests.

The files in ``tests/storage/fixtures/v_current/`` were written by this script at the commit that added it,
with the stores as they were before they moved onto :mod:`lib.storage` (``lib/sqlite_store.py``, PRAGMA
``user_version`` schemas: chats 5, documents 2, arena 1, evals 1, library 1). They are "a database written by the
current code": each store's migration test upgrades its file and checks that nothing was lost. Do not write them
again once a store has moved (the script would then write a database of the new kind); add another folder
(``v_<name>``) if a later format needs fixtures of its own.

    .venv/bin/python -m tests.storage.make_fixtures tests/storage/fixtures/v_current

The content is in the constants below, so a test can compare what it reads with what was written. Every column of
every table holds something other than its default somewhere: owned and unowned rows, a chat with tool rounds,
grounding, a format, a thinking level and a server; an arena room, battles and votes; an eval set, run and answers;
a document with passages and vectors, attached to a chat; library presets and prompts.
"""

from __future__ import annotations

import sqlite3
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np

from lib.arena.records import Battle, Contestant
from lib.arena.store import ArenaStore
from lib.chat.history import ASSISTANT, AWAITING, USER, Conversation, Message
from lib.chat.sources import Grounding, Source
from lib.chat.store import ChatStore
from lib.documents.records import Document, Passage
from lib.documents.store import DocumentStore
from lib.evals.records import Answer, Candidate, Check, CheckResult, JudgeVerdict, Prompt, PromptSet, Run
from lib.evals.store import EvalStore
from lib.library.store import LibraryStore
from lib.ollama.stats import RunStats
from lib.tools.choice import ToolChoice
from lib.tools.refusal import Refusal
from lib.tools.steps import Round, Step

ALICE = "user:alice"
BROWSER = "browser:0123456789abcdef"

# Library: (owner, kind, name, body); the None owner is a row saved by a store without owner.
LIBRARY_ITEMS: list[tuple[str | None, str, str, Any]] = [
    (ALICE, "preset", "Precise", {"options": {"temperature": 0.1, "top_p": 0.5, "seed": 7}, "keep_alive": "10m"}),
    (ALICE, "preset", "creative", {"options": {"temperature": 1.3}, "think": "high"}),
    (ALICE, "prompt", "Translate", {"text": "Translate {{text}} into {{language}}.", "values": {"language": "中文"}}),
    (BROWSER, "preset", "Precise", {"options": {"temperature": 0.0}}),
    (BROWSER, "prompt", "Summarise", {"text": "Summarise:\n{{text}}", "system": "Be brief.", "values": {}}),
    (None, "prompt", "unowned", {"text": "A prompt from before owners."}),
]

STATS = RunStats(
    time_to_first_token=0.42,
    first_token_measured=True,
    prompt_tokens=31,
    prompt_tokens_per_second=812.5,
    output_tokens=57,
    output_tokens_per_second=23.75,
    load_time=1.5,
    total_time=3.9,
)
SERVER = "http://gpu-box:11434"
SCHEMA = {"type": "object", "properties": {"answer": {"type": "number"}}, "required": ["answer"]}
CUSTOM_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
IMAGE = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="  # 1x1 PNG
PASSAGES = [
    Passage(0, 0, "Ollama runs language models on your own machine.", page=1, heading="Introduction"),
    Passage(0, 1, "PostgreSQL and SQLite both keep the studio's data.", page=2, heading="Storage"),
    Passage(0, 2, "第三段：中文的段落。", page=None, heading=""),
]
VECTORS = np.array([[0.1, 0.2, 0.3, 0.4], [0.5, -0.6, 0.7, -0.8], [1e-3, 2.5, -3.25, 4.0]], dtype="<f4")


def write_documents(folder: Path) -> int:
    """The document (Alice's) and an unowned one; returns the id of Alice's, which her chat uses."""
    store = DocumentStore(folder / "documents.sqlite3", owner=ALICE)
    document = Document("guide.pdf", "pdf", 48_213, "ab" * 32, "nomic-embed-text", added_at=1_760_000_000.25)
    document_id = store.add(document, PASSAGES, VECTORS)
    DocumentStore(folder / "documents.sqlite3").add(
        Document("notes.txt", "text", 12, "cd" * 32, "nomic-embed-text", added_at=1_760_000_100.5),
        [Passage(0, 0, "An unowned note.")],
        np.array([[1.0, 0.0, 0.0, 0.0]], dtype="<f4"),
    )
    return document_id


def write_chats(folder: Path, document_id: int) -> int:
    """Alice's chat with everything, the browser's plain chat, an unowned one; returns Alice's chat id."""
    store = ChatStore(folder / "chats.sqlite3", owner=ALICE)
    chat = Conversation(
        title="Weather and sums",
        model="qwen3:0.6b",
        server=SERVER,
        system="You are terse.",
        options={"temperature": 0.3, "num_ctx": 8192},
        keep_alive="30m",
        think="high",
        tools=ToolChoice(("calculator", "current_time"), (CUSTOM_TOOL,)),
        format=SCHEMA,
        created_at=1_760_000_200.125,
        updated_at=1_760_000_200.125,
    )
    chat_id = store.create(chat)
    store.add(
        chat_id, Message(USER, "What is 6*7, and the weather in Paris?", images=[IMAGE], created_at=1_760_000_201)
    )
    rounds = [
        Round(
            "Let me compute.",
            "The user wants a product.",
            [
                Step("calculator", {"expression": "6*7"}, result="42"),
                Step("calculator", ["bad"], result="No.", refusal=Refusal("tools.arguments_not_object")),
            ],
        ),
        Round("", "", [Step("get_weather", {"city": "Paris"}, result="Sunny, 21 °C", custom=True)]),
    ]
    grounding = Grounding(
        models=("nomic-embed-text",),
        sources=(
            Source(1, "guide.pdf", PASSAGES[0].text, 0.83, page=1, heading="Introduction", document_id=document_id),
        ),
        sent=({"role": "system", "content": "Use the sources."},),
        min_score=0.5,
    )
    store.add(
        chat_id,
        Message(
            ASSISTANT,
            '{"answer": 42}',
            thinking="Six times seven.",
            stats=STATS,
            model="qwen3:0.6b",
            server=SERVER,
            created_at=1_760_000_202.5,
            grounding=grounding,
            tools=rounds,
            format=SCHEMA,
        ),
    )
    store.add(chat_id, Message(USER, "And in Rome?", created_at=1_760_000_203))
    store.add(
        chat_id,
        Message(
            ASSISTANT,
            "",
            status=AWAITING,
            model="qwen3:0.6b",
            server=SERVER,
            created_at=1_760_000_204,
            tools=[Round("", "", [Step("get_weather", {"city": "Rome"}, custom=True)])],
        ),
    )
    browser = ChatStore(folder / "chats.sqlite3", owner=BROWSER)
    plain = browser.create(Conversation(model="llama3.2:1b", think=True, created_at=1_760_000_300))
    browser.add(plain, Message(USER, "Hello", created_at=1_760_000_301))
    browser.add(
        plain,
        Message(ASSISTANT, "", status="failed", error="chat.error_unreachable", model="llama3.2:1b", created_at=3e9),
    )
    unowned = ChatStore(folder / "chats.sqlite3")
    old = unowned.create(Conversation(title="From before owners", model="mistral", think=False, created_at=1.0))
    unowned.add(old, Message(USER, "Old question", created_at=2.0))
    unowned.add(old, Message(ASSISTANT, "Old answer", status="stopped", model="mistral", created_at=3.0))
    return chat_id


def write_arena(folder: Path) -> None:
    store = ArenaStore(folder / "arena.sqlite3", owner=ALICE)
    room = store.open_room()
    contestants = (
        Contestant(
            "A",
            "qwen3:0.6b",
            {"options": {"temperature": 0.2}, "system": "Be fair.", "think": "low", "server": SERVER},
            "Answer A",
            "thinking A",
            stats=STATS,
            size=522_000_000,
        ),
        Contestant("B", "llama3.2:1b", {"options": {}}, "Answer B", status="stopped", size=None),
    )
    in_room = store.save_battle(
        Battle("Which is larger?", contestants, ("maths", "quick"), room.code, created_at=1_760_000_400)
    )
    store.show_in_room(room.code, in_room)
    store.room_vote(room.code, in_room, "voter-1", "A")
    store.room_vote(room.code, in_room, "voter-2", "tie")
    failed = Contestant("C", "gemma3:1b", status="failed", error="The server is unreachable.", size=815_000_000)
    store.save_battle(Battle("Write a haiku", (contestants[1], failed, contestants[0]), created_at=1_760_000_500))
    plain = store.save_battle(Battle("Say hi", contestants, ("greeting",), created_at=1_760_000_600))
    store.vote(plain, "alice", "bad")
    store.close_room(room.code)
    ArenaStore(folder / "arena.sqlite3", owner=BROWSER).save_battle(Battle("Browser's battle", contestants))


def write_evals(folder: Path) -> None:
    store = EvalStore(folder / "evals.sqlite3", owner=ALICE)
    prompts = (
        Prompt("What is 2+2?", ("maths",), checks=(Check("contains", "4"), Check("max_tokens", 20))),
        Prompt(
            "Give JSON",
            system="Answer in JSON.",
            images=(IMAGE,),
            schema=SCHEMA,
            checks=(Check("json_schema"), Check("regex", r"\d+")),
        ),
    )
    set_id = store.save_set(PromptSet("Basics", prompts, "Two small prompts."))
    saved = store.get_set(set_id)
    assert saved is not None
    candidates = (
        Candidate("qwen3:0.6b", {"temperature": 0.0}, "Be exact.", "medium", "qwen low temp"),
        Candidate("llama3.2:1b", think=None),
    )
    verdict = JudgeVerdict("gemma3:4b", {"model": "gemma3:4b", "prompt": "Judge"}, "A is right.", score=8.5, winner=0)
    run_id = store.start_run(Run(saved, candidates, judge="gemma3:4b", rubric="Correct and short.", created_at=1.76e9))
    store.save_answer(
        run_id,
        Answer(
            0,
            0,
            "4",
            "2+2",
            stats=STATS,
            seconds=1.25,
            checks=(CheckResult(Check("contains", "4"), True, "", {"at": 0}),),
            verdict=verdict,
        ),
    )
    store.save_answer(
        run_id, Answer(1, 0, '{"answer": 1}', checks=(CheckResult(Check("json_schema"), False, "schema"),))
    )
    store.save_answer(run_id, Answer(0, 1, "", status="failed", error="The model is not on the server."))
    store.finish_run(run_id)
    EvalStore(folder / "evals.sqlite3", owner=BROWSER).save_set(PromptSet("Browser's", (Prompt("Hi"),)))


def write_library(folder: Path) -> None:
    for owner, kind, name, body in LIBRARY_ITEMS:
        LibraryStore(folder / "library.sqlite3", owner=owner).save(kind, name, body)


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.glob("*.sqlite3*")):
        raise SystemExit(f"{folder} already holds databases: write the fixtures into an empty folder.")
    document_id = write_documents(folder)
    chat_id = write_chats(folder, document_id)
    DocumentStore(folder / "documents.sqlite3", owner=ALICE).attach(chat_id, document_id)
    DocumentStore(folder / "documents.sqlite3").attach(999, document_id)  # an unowned attachment
    write_arena(folder)
    write_evals(folder)
    write_library(folder)
    for path in sorted(folder.glob("*.sqlite3")):
        _checkpoint(path)
        print(path)


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the file (still in WAL mode, as the app leaves it): the fixture is the one file."""
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "fixtures" / "v_current")
