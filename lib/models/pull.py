"""A pull that runs in a background thread, so it survives page switches and reruns.

The page keeps the :class:`PullJob` in session state and polls :meth:`PullJob.view` from a
fragment that reruns every second. The worker thread owns its own client (``requests``
sessions are not thread-safe) and never calls Streamlit: Streamlit commands need the script
thread's context, so everything it learns goes through this object, guarded by a lock. It
keeps a failure as the error itself: the message is worded when the page reads it, in the
language of the session that shows it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import Enum

from lib.i18n import escape, markdown, t
from lib.models.pull_progress import PullProgress, Snapshot
from lib.ollama.client import OllamaClient
from lib.ollama.errors import OllamaError, ResponseError, StreamError
from lib.ui.errors import error_text


class Outcome(str, Enum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class JobView:
    """A consistent picture of a job at one moment, safe to read in the script thread."""

    model: str
    outcome: Outcome
    progress: Snapshot
    failure: OllamaError | None
    crash: str | None  # the type of an unexpected exception that ended the worker
    cancel_requested: bool
    server: str = ""  # the base URL of the server pulling the model ("": the sidebar's)
    copied_from: str = ""  # the base URL of the server whose list the model was copied from, if it was

    @property
    def finished(self) -> bool:
        return self.outcome is not Outcome.RUNNING

    @property
    def error(self) -> str | None:
        """Why the pull failed, in the language of the session reading it; ``None`` if it did not."""
        if self.failure is not None:
            return failure_message(self.model, self.failure)
        if self.crash is not None:
            return t("models.pull_crashed", model=self.model, kind=self.crash)
        return None


class PullJob:
    """Pull ``model`` with ``client`` (a clone the job owns and closes) in a daemon thread.

    The job keeps its client, so it pulls onto that server whatever server the page shows meanwhile;
    ``copied_from`` names the server whose model this pull copies (Copy to another server).
    """

    def __init__(self, client: OllamaClient, model: str, *, copied_from: str = "") -> None:
        self.model = model
        self.server = client.base_url
        self.copied_from = copied_from
        self._client = client
        self._lock = threading.Lock()
        self._progress = PullProgress()
        self._outcome = Outcome.RUNNING
        self._failure: OllamaError | None = None
        self._crash: str | None = None
        self._cancel = threading.Event()
        self._acknowledged = False
        self._thread = threading.Thread(target=self._run, name=f"pull {model}", daemon=True)

    def start(self) -> PullJob:
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Stop the download now: the connection is cut even if the server has gone quiet."""
        self._cancel.set()
        self._client.abort()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker ends (tests and shutdown); True when it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def view(self) -> JobView:
        with self._lock:
            return JobView(
                self.model,
                self._outcome,
                self._progress.snapshot(),
                self._failure,
                self._crash,
                self._cancel.is_set(),
                self.server,
                self.copied_from,
            )

    def acknowledge(self) -> bool:
        """True the first time it is called after the job finished: the page refreshes its lists once."""
        with self._lock:
            if self._outcome is Outcome.RUNNING or self._acknowledged:
                return False
            self._acknowledged = True
            return True

    def _run(self) -> None:
        stream = self._client.pull(self.model)
        try:
            for chunk in stream:
                with self._lock:
                    self._progress.update(chunk)
                if self._cancel.is_set():
                    self._finish(Outcome.CANCELLED)
                    return
            self._finish(Outcome.SUCCEEDED)
        except OllamaError as error:
            if self._cancel.is_set():
                self._finish(Outcome.CANCELLED)
            else:
                self._finish(Outcome.FAILED, failure=error)
        except Exception as error:
            self._finish(Outcome.FAILED, crash=type(error).__name__)
        finally:
            stream.close()
            self._client.close()

    def _finish(self, outcome: Outcome, failure: OllamaError | None = None, crash: str | None = None) -> None:
        with self._lock:
            self._outcome = outcome
            self._failure = failure
            self._crash = crash


def failure_message(model: str, error: OllamaError) -> str:
    """The server's words, plus what they mean for a pull when we can tell."""
    if isinstance(error, StreamError) and error.server_message:
        text = escape(error.server_message)
    else:
        text = error_text(error)
    text = text if text.endswith((".", "!", "?", "。", "！", "？")) else markdown(text + ".")
    if not_in_registry(error):
        return t("models.pull_not_in_registry", model=model, text=text)
    if isinstance(error, StreamError):
        return t("models.pull_broke_off", model=model, text=text)
    return t("models.pull_refused", model=model, text=text)


def not_in_registry(error: OllamaError) -> bool:
    """Whether a pull failed because the registry has no model by that name (a 404, or the server's
    "file does not exist" / "not found"), as for a model created on a server rather than pulled."""
    lowered = f"{error.server_message} {error_text(error)}".lower()
    missing = isinstance(error, ResponseError) and error.status_code == 404
    return missing or "file does not exist" in lowered or "not found" in lowered
