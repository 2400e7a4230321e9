"""The fault matrix: every page against every way a server can fail, in one browser session each.

Rows are faults, columns are pages; ``EXPECTED`` is the table (docs/fault-matrix.md shows it for
people). Each cell runs the same story with AppTest against the fake server:

1. open the page with some input (and, on Chat, an earlier exchange);
2. break the server, do the page's main action;
3. the user sees a sentence (an error or warning box, no exception, no traceback) containing the
   cell's text, their input is still there, a partial answer stays, the chat history is intact;
4. the server is fixed (faults cleared, address corrected or API key entered in the sidebar), the
   same action is done again in the same session, and it works.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.chat.history import ASSISTANT, USER, Conversation, Message
from lib.chat.store import ChatStore
from tests.streamlit_process import free_port

ENTRY_POINT = str(Path(__file__).resolve().parents[1] / "Home.py")
REPLY = "alpha beta gamma delta epsilon zeta eta theta iota kappa"
PROMPT = "Why is the sky blue?"
TEXTS = ["cats purr softly", "dogs bark loudly", "git push to remote"]
PULLED = "tinyllama:latest"
API_KEY = "matrix-key-7f3a"
SHORT_TIMEOUT = 1.0
CAPABILITY_ERROR = '"llama3.2:latest" does not support tools'

# The path each page's main action calls.
ACTION_PATH = {"generate": "/api/generate", "chat": "/api/chat", "embeddings": "/api/embed", "models": "/api/pull"}

# How each fault is produced on the fake server (or, for "down", in the environment).
FAULTS: dict[str, tuple[str, dict]] = {
    "down": ("", {}),
    "drop": ("drop", {"after": 3}),
    "error_line": ("error_line", {"after": 3, "message": "model runner has unexpectedly stopped"}),
    "404": ("http", {"status": 404, "message": "model 'llama3.2:latest' not found"}),
    "400": ("http", {"status": 400, "message": CAPABILITY_ERROR}),
    "500": ("http", {"status": 500, "message": "out of memory"}),
    "502_html": ("html", {}),
    "garbage": ("garbage", {}),
    "slow_first": ("slow_first", {"delay": SHORT_TIMEOUT + 1}),
    "401": ("", {}),
}

# The matrix: what the user reads, per fault (rows) and page (columns).
PAGES = ("generate", "chat", "embeddings", "models")
EXPECTED: dict[str, tuple[str, str, str, str]] = {
    # Generate, Chat, Embeddings, Models (pull)
    "down": ("Nothing is answering", "Nothing is answering", "Nothing is answering", "Nothing is answering"),
    "drop": (
        "dropped before the answer",
        "dropped before the answer",
        "closed the connection",
        "dropped before the answer",
    ),
    "error_line": ("model runner has unexpectedly stopped",) * 2
    + ("Model runner has unexpectedly stopped.", "model runner has unexpectedly stopped"),
    "404": ("not found",) * 4,
    "400": ("does not support tools",) * 4,
    "500": ("Out of memory.",) * 4,
    "502_html": ("HTTP 502",) * 4,
    "garbage": ("not Ollama's JSON",) * 4,
    "slow_first": ("sent nothing for 1 second.",) * 4,
    "401": ("needs an API key",) * 4,
}
STREAMED = {"generate", "chat"}
PARTIAL_FAULTS = {"drop", "error_line"}


@dataclass
class Cell:
    fault: str
    page: str
    expected: str


CELLS = [Cell(fault, page, EXPECTED[fault][column]) for fault in FAULTS for column, page in enumerate(PAGES)]


# Helpers


def boxes(at: AppTest) -> list[str]:
    """Every error and warning box the user sees, main area and sidebar."""
    return [str(element.value) for element in [*at.error, *at.warning]]


def is_sentence(text: str) -> bool:
    """A message a person can read: ends like a sentence, no traceback, no raw JSON or HTML."""
    plain = text.strip().rstrip("*`")
    return (
        len(plain.split()) >= 3
        and plain[-1] in ".!?)"
        and "Traceback" not in text
        and 'File "' not in text
        and "{" not in text
        and "<html" not in text.lower()
    )


def assert_readable(at: AppTest, expected: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    shown = boxes(at)
    matching = [text for text in shown if expected in text]
    assert matching, f"no box containing {expected!r}; shown: {shown}"
    assert all(is_sentence(text) for text in matching), matching


def open_app(fake, monkeypatch, tmp_path, page_path: str, host: str) -> AppTest:
    monkeypatch.setenv("OLLAMA_HOST", host)
    monkeypatch.delenv("OLLAMA_API_KEY", raising=False)
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30)
    at.run()
    at.switch_page(page_path)
    return at


# One driver per page: prepare input, act, check what stayed, check success.


class GeneratePage:
    path = "app_pages/generate.py"

    def prepare(self, at: AppTest) -> None:
        at.selectbox(key=state.GENERATE_MODEL_INPUT).select("llama3.2:latest").run()
        at.text_area(key=state.GENERATE_PROMPT_INPUT).input(PROMPT).run()

    def act(self, at: AppTest, fake) -> None:
        at.button(key=state.GENERATE_RUN_BUTTON).click().run()

    def input_kept(self, at: AppTest) -> bool:
        return at.text_area(key=state.GENERATE_PROMPT_INPUT).value == PROMPT

    def partial(self, at: AppTest) -> str:
        tabs = [tab for tab in at.tabs if tab.label == "Raw text"]
        return tabs[0].code[0].value if tabs else ""

    def succeeded(self, at: AppTest) -> bool:
        return self.partial(at) == REPLY and not at.error


class ChatPage:
    path = "app_pages/chat.py"
    history = (("user", "Earlier question"), ("assistant", "Earlier answer."))

    def __init__(self, data_dir: Path) -> None:
        store = ChatStore(data_dir / "chats.sqlite3")
        self.conversation_id = store.create(Conversation(model="llama3.2:latest", title="Matrix"))
        for role, text in self.history:
            store.add(self.conversation_id, Message(USER if role == "user" else ASSISTANT, text))

    def open(self, at: AppTest) -> None:
        at.query_params["chat"] = str(self.conversation_id)

    def prepare(self, at: AppTest) -> None:
        pass

    def act(self, at: AppTest, fake) -> None:
        at.chat_input(key=state.CHAT_PROMPT_INPUT).set_value(PROMPT).run()

    def retry(self, at: AppTest) -> None:
        next(b for b in at.button if b.label == "Retry").click().run()

    def messages(self, at: AppTest) -> list[tuple[str, str]]:
        return [(m.name, "\n".join(md.value for md in m.markdown)) for m in at.chat_message]

    def input_kept(self, at: AppTest) -> bool:
        shown = self.messages(at)
        return shown[:2] == list(self.history) and shown[2] == ("user", PROMPT)

    def partial(self, at: AppTest) -> str:
        shown = self.messages(at)
        return shown[3][1] if len(shown) > 3 else ""

    def succeeded(self, at: AppTest) -> bool:
        return self.messages(at) == [*self.history, ("user", PROMPT), ("assistant", REPLY)] and not at.error


class EmbeddingsPage:
    path = "app_pages/embeddings.py"

    def prepare(self, at: AppTest) -> None:
        at.text_area(key=state.EMBED_LINES_INPUT).input("\n".join(TEXTS)).run()

    def act(self, at: AppTest, fake) -> None:
        at.button(key=state.EMBED_RUN_BUTTON).click().run()

    def input_kept(self, at: AppTest) -> bool:
        return at.text_area(key=state.EMBED_LINES_INPUT).value == "\n".join(TEXTS)

    def partial(self, at: AppTest) -> str:
        return ""

    def succeeded(self, at: AppTest) -> bool:
        result = at.session_state[state.EMBED_RESULT]
        return result is not None and len(result.items) == len(TEXTS) and not at.error


class ModelsPage:
    path = "app_pages/models.py"

    def prepare(self, at: AppTest) -> None:
        at.session_state[state.MODELS_TAB] = "Pull"
        at.run()

    def act(self, at: AppTest, fake) -> None:
        """Type the name the first time (a form sends typed values only with its submit button), then Pull."""
        if at.session_state[state.MODELS_PULL_JOB] is not None:
            at.button(key="models_pull_dismiss").click().run()
        name = at.text_input(key=state.MODELS_PULL_NAME_INPUT)
        if name.value != PULLED:
            name.input(PULLED)
        at.button(key="models_pull_submit").click().run()
        job = at.session_state[state.MODELS_PULL_JOB]
        if job is not None:
            assert job.wait(20)
        at.run()

    def input_kept(self, at: AppTest) -> bool:
        """The name stays in the form, or, while the page shows the connection help instead, for its return."""
        drawn = [box for box in at.text_input if box.key == state.MODELS_PULL_NAME_INPUT]
        return drawn[0].value == PULLED if drawn else at.session_state[state.MODELS_PULL_NAME] == PULLED

    def partial(self, at: AppTest) -> str:
        return ""

    def succeeded(self, at: AppTest) -> bool:
        return any(f"{PULLED} is installed" in s.value for s in at.success) and not at.error


def driver(page: str, data_dir: Path):
    if page == "chat":
        return ChatPage(data_dir)
    return {"generate": GeneratePage, "embeddings": EmbeddingsPage, "models": ModelsPage}[page]()


@pytest.mark.parametrize("cell", CELLS, ids=[f"{c.fault}-{c.page}" for c in CELLS])
def test_fault_matrix(cell: Cell, fake, monkeypatch, tmp_path):
    fake.script_reply(REPLY)
    page = driver(cell.page, tmp_path)
    down = cell.fault == "down"
    at = open_app(fake, monkeypatch, tmp_path, page.path, f"127.0.0.1:{free_port()}" if down else fake.url)
    if isinstance(page, ChatPage):
        page.open(at)
    at.run()
    assert not at.exception

    if not down:
        page.prepare(at)
        assert not at.exception
    if cell.fault == "slow_first":
        at.number_input(key=state.MODEL_TIMEOUT_INPUT).set_value(SHORT_TIMEOUT).run()
    if cell.fault == "401":
        fake.api_key = API_KEY
    kind, params = FAULTS[cell.fault]
    if kind:
        fake.add_fault(ACTION_PATH[cell.page], kind, times=0, **params)

    if down:
        assert_readable(at, cell.expected)
        if isinstance(page, ChatPage):
            page.act(at, fake)
            assert_readable(at, cell.expected)
            assert page.input_kept(at)
    else:
        page.act(at, fake)
        assert_readable(at, cell.expected)
        assert page.input_kept(at)
        if cell.page in STREAMED and cell.fault in PARTIAL_FAULTS:
            kept = page.partial(at)
            assert kept and REPLY.startswith(kept.strip()) and kept.strip() != REPLY

    # The server is back: same session, no restart.
    fake.clear_faults()
    fake.script_reply(REPLY)
    if down:
        at.text_input(key=state.SERVER_URL_INPUT).input(fake.url).run()
    if cell.fault == "401":
        at.text_input(key=state.API_KEY_INPUT).input(API_KEY).run()
    if cell.fault == "slow_first":
        at.number_input(key=state.MODEL_TIMEOUT_INPUT).set_value(30.0).run()
    if isinstance(page, ChatPage):
        page.retry(at)
    else:
        if down:
            page.prepare(at)
        else:
            assert page.input_kept(at)
        page.act(at, fake)
    assert not at.exception
    assert page.succeeded(at), boxes(at)
