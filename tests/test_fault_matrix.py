"""The fault matrix: every page against every way a server can fail, in one browser session each.

Rows are faults, columns are pages; ``EXPECTED`` is the table (docs/fault-matrix.md shows it for
people). Each cell runs the same story with AppTest against the fake server:

1. open the page with some input (and, on Chat, an earlier exchange; on Evals, a saved set);
2. break the server, do the page's main action;
3. the user sees a sentence (an error or warning box, no exception, no traceback) containing the
   cell's text, their input is still there, a partial answer stays, the chat history is intact;
   a broken battle takes no vote, and a broken run goes on to its end with every answer failed;
4. the server is fixed (faults cleared, address corrected or API key entered in the sidebar), the
   same action is done again in the same session, and it works.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.access.visitor import BROWSER
from lib.chat.history import ASSISTANT, USER, Conversation, Message
from lib.chat.store import ChatStore
from lib.documents import ingest
from lib.documents.store import DocumentStore
from lib.evals.store import EvalStore
from lib.fleet.models import ModelRef
from lib.ollama.stream import DONE, FAILED
from tests.conftest import SAME_BROWSER
from tests.evals.screens import small_set
from tests.streamlit_process import free_port

ENTRY_POINT = str(Path(__file__).resolve().parents[1] / "Home.py")
REPLY = "alpha beta gamma delta epsilon zeta eta theta iota kappa"
PROMPT = "Why is the sky blue?"
TEXTS = ["cats purr softly", "dogs bark loudly", "git push to remote"]
PULLED = "tinyllama:latest"
API_KEY = "matrix-key-7f3a"
SHORT_TIMEOUT = 1.0
CAPABILITY_ERROR = '"llama3.2:latest" does not support tools'
CONTESTANTS = ("llama3.2:latest", "llava:7b")  # Arena and Evals: two models that answer without thinking first
DOCUMENTS_MODEL = "nomic-embed-text:latest"
DOCUMENT_NAME = "notes.md"
DOCUMENT = b"# Cats\n\nCats purr when they are content.\n\n# Bread\n\nBake the bread until the crust is brown.\n"

# The path each page's main action calls.
ACTION_PATH = {
    "generate": "/api/generate",
    "chat": "/api/chat",
    "embeddings": "/api/embed",
    "models": "/api/pull",
    "arena": "/api/generate",
    "evals": "/api/chat",
    "documents": "/api/embed",
}

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
PAGES = ("generate", "chat", "embeddings", "models", "arena", "evals", "documents")
EXPECTED: dict[str, tuple[str, str, str, str, str, str, str]] = {
    # Generate, Chat, Embeddings, Models (pull), Arena, Evals, Documents (a file added to the library)
    "down": ("Nothing is answering",) * 7,
    "drop": (
        "dropped before the answer",
        "dropped before the answer",
        "closed the connection",
        "dropped before the answer",
        "dropped before the answer",
        "dropped before the answer",
        "closed the connection",
    ),
    "error_line": ("model runner has unexpectedly stopped",) * 2
    + ("Model runner has unexpectedly stopped.",)
    + ("model runner has unexpectedly stopped",) * 3
    + ("Model runner has unexpectedly stopped.",),
    "404": ("not found",) * 5 + ("is not installed on this server", "not found"),
    "400": ("does not support tools",) * 7,
    "500": ("Out of memory.",) * 7,
    "502_html": ("HTTP 502",) * 7,
    "garbage": ("not Ollama's JSON",) * 7,
    "slow_first": ("sent nothing for 1 second.",) * 7,
    "401": ("needs an API key",) * 7,
}
STREAMED = {"generate", "chat", "arena", "evals"}
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


def held(at: AppTest, key: str):
    """What session state holds under ``key``, None before anything was put there."""
    return at.session_state[key] if key in at.session_state else None  # noqa: SIM401 (AppTest's has no .get)


def open_app(fake, monkeypatch, tmp_path, page_path: str, host: str) -> AppTest:
    monkeypatch.setenv("OLLAMA_HOST", host)
    monkeypatch.delenv("OLLAMA_API_KEY", raising=False)
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30)
    at.run()
    at.switch_page(page_path)
    return at


# One driver per page: prepare input, act, check what stayed, check success.


class Page:
    """What a driver does unless it says otherwise."""

    replies = 1  # how many answers the main action asks for (each gets REPLY)
    acts_when_down = False  # the main action can be tried while the server is down at start

    def open(self, at: AppTest) -> None:
        """Before the page's first run."""

    def after_fault(self, at: AppTest, fault: str) -> None:
        """What else the page must show after the fault, besides the checks every cell makes."""


class GeneratePage(Page):
    path = "app_pages/generate.py"

    def prepare(self, at: AppTest) -> None:
        # Once the sidebar points at the server that is back, the session has two servers: "llama3.2:latest · …".
        box = at.selectbox(key=state.GENERATE_MODEL_INPUT)
        box.select(next(option for option in box.options if option.startswith("llama3.2:latest"))).run()
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


class ChatPage(Page):
    path = "app_pages/chat.py"
    acts_when_down = True
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


class EmbeddingsPage(Page):
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


class ModelsPage(Page):
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


class ArenaPage(Page):
    """A battle of two models on one prompt; the prompt is typed once, and must stay through every battle."""

    path = "app_pages/arena.py"
    replies = 2
    acts_when_down = True

    def __init__(self) -> None:
        self.typed = False

    def prepare(self, at: AppTest) -> None:
        at.segmented_control(key=state.ARENA_PICK_INPUT).set_value("choose").run()
        at.segmented_control(key=state.ARENA_COUNT_INPUT).set_value(len(CONTESTANTS)).run()
        for slot, model in enumerate(CONTESTANTS):
            box = at.selectbox(key=f"{state.ARENA_MODEL_INPUT}_{slot}")
            box.select(ModelRef(model, box.value.server))
        at.run()

    def act(self, at: AppTest, fake) -> None:
        """New battle when one is on screen (the prompt must come back in the box), then Start."""
        if held(at, state.ARENA_BATTLE) is not None:
            at.button(key=state.ARENA_NEW_BUTTON).click().run()
        box = at.text_area(key=state.ARENA_PROMPT_INPUT)
        if self.typed:
            assert box.value == PROMPT
        else:
            box.input(PROMPT)
            self.typed = True
        at.button(key=state.ARENA_START_BUTTON).click().run()

    def input_kept(self, at: AppTest) -> bool:
        """In the box while the set-up is drawn; else above the battle, as the prompt it was given."""
        run = held(at, state.ARENA_BATTLE)
        if run is None:
            return at.text_area(key=state.ARENA_PROMPT_INPUT).value == PROMPT
        return run.prompt == PROMPT and PROMPT in [markdown.value for markdown in at.main.markdown]

    def columns(self, at: AppTest) -> list[str]:
        """Each column's answer as drawn, A first."""
        run = held(at, state.ARENA_BATTLE)
        shown = []
        for letter in run.letters if run is not None else ():
            try:
                block = at.main.get_by_key(f"arena_result_{letter}")
            except KeyError:
                shown.append("")
                continue
            shown.append("".join(markdown.value for markdown in block.markdown))
        return shown

    def partial(self, at: AppTest) -> str:
        """Column A's answer: both columns met the fault after the same lines."""
        answers = self.columns(at)
        assert len(set(answers)) == 1, answers
        return answers[0]

    def after_fault(self, at: AppTest, fault: str) -> None:
        run = held(at, state.ARENA_BATTLE)
        if fault == "down":  # Start sent nothing: the set-up said why
            assert run is None
            return
        assert run.failed and run.revealed  # no vote on a battle the server broke
        assert not [button for button in at.button if button.key and button.key.startswith(state.ARENA_VOTE_BUTTON)]

    def succeeded(self, at: AppTest) -> bool:
        run = held(at, state.ARENA_BATTLE)
        return (
            run is not None
            and sorted(run.models) == sorted(CONTESTANTS)  # the models chosen before the fault
            and run.votable
            and self.columns(at) == [REPLY] * len(CONTESTANTS)
            and not at.error
        )


class EvalsPage(Page):
    """A run of a three-prompt set over two candidates, started on New run and waited for until its job ends."""

    path = "app_pages/evals.py"
    replies = 6

    def __init__(self, data_dir: Path) -> None:
        self.store = EvalStore(data_dir / "evals.sqlite3", owner=f"{BROWSER}:{SAME_BROWSER}")
        self.set_id = self.store.save_set(small_set())
        self.prompts = self.store.get_set(self.set_id).prompts
        self.runs_before = 0

    def open(self, at: AppTest) -> None:
        at.session_state[state.VISITOR_TOKEN] = SAME_BROWSER  # the browser the set was saved for
        at.session_state[state.EVALS_TAB] = "New run"

    def prepare(self, at: AppTest) -> None:
        at.session_state[state.EVALS_TAB] = "New run"
        at.run()
        at.segmented_control(key=state.EVALS_COUNT_INPUT).set_value(len(CONTESTANTS)).run()
        for candidate, model in enumerate(CONTESTANTS):
            box = at.selectbox(key=f"{state.EVALS_MODEL_INPUT}_{candidate}")
            box.select(ModelRef(model, box.value.server))
        at.run()

    def act(self, at: AppTest, fake) -> None:
        """Start on New run (the set and candidates as left), then wait for the job and draw the page again."""
        if at.session_state[state.EVALS_TAB] != "New run":
            at.session_state[state.EVALS_TAB] = "New run"
            at.run()
        self.runs_before = len(self.store.runs())
        at.button(key=state.EVALS_START_BUTTON).click().run()
        tracked = held(at, state.EVALS_JOB)
        if tracked is not None and len(self.store.runs()) > self.runs_before:
            assert tracked.job.wait(60)
            at.run()

    def new_run(self):
        runs = self.store.runs()
        return runs[0] if len(runs) > self.runs_before else None

    def input_kept(self, at: AppTest) -> bool:
        """The set is as saved, and the New run tab still has it and the two candidates chosen."""
        if self.store.get_set(self.set_id).prompts != self.prompts:
            return False
        form = held(at, state.EVALS_FORM) or {}
        models = [form.get(f"{state.EVALS_MODEL_INPUT}_{candidate}") for candidate in range(len(CONTESTANTS))]
        chosen = [model.model if isinstance(model, ModelRef) else None for model in models]
        return form.get(state.EVALS_RUN_SET_INPUT) == self.set_id and chosen == list(CONTESTANTS)

    def partial(self, at: AppTest) -> str:
        """The answer of the cell shown under the grid (the first prompt, the first candidate)."""
        try:
            block = at.main.get_by_key("evals_answer")
        except KeyError:
            return ""
        return "".join(markdown.value for markdown in block.markdown)

    def after_fault(self, at: AppTest, fault: str) -> None:
        """Every answer was asked and saved failed with a sentence: the run went on past each failure."""
        if fault == "down":  # nothing to start: New run said why in place of the candidates
            assert not [button for button in at.button if button.key == state.EVALS_START_BUTTON]
            return
        run = self.new_run()
        if fault == "401":  # Start asks the server for its models first, so it started nothing, and said why
            assert run is None and any("The run did not start" in text for text in boxes(at)), boxes(at)
            return
        assert run is not None and run.finished_at is not None
        assert len(run.answers) == len(self.prompts) * len(CONTESTANTS)
        assert all(answer.status == FAILED and is_sentence(answer.error) for answer in run.answers), run.answers
        if fault == "404":  # each candidate's sentence names its own model, whatever model the server named
            assert {(a.candidate_index, a.error.split()[0]) for a in run.answers} == set(enumerate(CONTESTANTS))
        assert f"Every answer is in ({len(run.answers)} failed)." in [success.value for success in at.success]

    def succeeded(self, at: AppTest) -> bool:
        run = self.new_run()
        return (
            run is not None
            and run.prompt_set.id == self.set_id  # the set and the candidates chosen before the fault
            and [candidate.model for candidate in run.candidates] == list(CONTESTANTS)
            and run.finished_at is not None
            and len(run.answers) == len(self.prompts) * len(CONTESTANTS)
            and all(answer.status == DONE and answer.content == REPLY for answer in run.answers)
            and at.selectbox(key=state.EVALS_RUN_INPUT).value == run.id  # Results shows the new run
            and not at.error
        )


class DocumentsPage(Page):
    """A file added to the library on the Documents page, indexed in the background; after a fault the upload
    stays listed with its sentence, and Try again indexes the same file without uploading it again."""

    path = "app_pages/documents.py"

    def __init__(self, data_dir: Path) -> None:
        self.store = DocumentStore(data_dir / "documents.sqlite3", owner=f"{BROWSER}:{SAME_BROWSER}")
        ingest.VECTORS.clear()  # vectors kept in memory from another cell would spare the server its fault

    def open(self, at: AppTest) -> None:
        at.session_state[state.VISITOR_TOKEN] = SAME_BROWSER

    def prepare(self, at: AppTest) -> None:
        at.selectbox(key=state.DOCUMENTS_MODEL_INPUT).select(DOCUMENTS_MODEL).run()

    def act(self, at: AppTest, fake) -> None:
        """Upload the file the first time; after that, Try again on the upload the fault left."""
        again = [button for button in at.button if button.key and button.key.startswith("documents_retry_")]
        if again:
            again[0].click().run()
        else:
            uploader = next(u for u in at.file_uploader if u.key.startswith(state.DOCUMENTS_LIBRARY_UPLOAD_INPUT))
            uploader.upload(DOCUMENT_NAME, DOCUMENT, "text/markdown").run()
        for upload in held(at, state.DOCUMENTS_JOBS) or []:
            assert upload.job.wait(30)
        at.run()

    def input_kept(self, at: AppTest) -> bool:
        """The file is still there to index again: listed with its failure, or in the library."""
        listed = [upload.name for upload in held(at, state.DOCUMENTS_JOBS) or []]
        return listed == [DOCUMENT_NAME] or [d.name for d in self.store.documents()] == [DOCUMENT_NAME]

    def partial(self, at: AppTest) -> str:
        return ""

    def after_fault(self, at: AppTest, fault: str) -> None:
        if fault != "down":
            assert self.store.documents() == []  # nothing half-indexed is kept

    def succeeded(self, at: AppTest) -> bool:
        documents = self.store.documents()
        return [d.name for d in documents] == [DOCUMENT_NAME] and documents[0].passages == 2 and not at.error


def driver(page: str, data_dir: Path) -> Page:
    if page == "chat":
        return ChatPage(data_dir)
    if page == "evals":
        return EvalsPage(data_dir)
    if page == "documents":
        return DocumentsPage(data_dir)
    return {"generate": GeneratePage, "embeddings": EmbeddingsPage, "models": ModelsPage, "arena": ArenaPage}[page]()


@pytest.mark.parametrize("cell", CELLS, ids=[f"{c.fault}-{c.page}" for c in CELLS])
def test_fault_matrix(cell: Cell, fake, monkeypatch, tmp_path):
    page = driver(cell.page, tmp_path)
    for _ in range(page.replies):
        fake.script_reply(REPLY)
    down = cell.fault == "down"
    at = open_app(fake, monkeypatch, tmp_path, page.path, f"127.0.0.1:{free_port()}" if down else fake.url)
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
        if page.acts_when_down:
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
    page.after_fault(at, cell.fault)

    # The server is back: same session, no restart.
    fake.clear_faults()
    for _ in range(page.replies):
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
