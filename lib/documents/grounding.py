"""The prompt of a grounded answer, and the citations an answer makes (pure: no server, no Streamlit).

The model gets one system message (answer only from the numbered passages, cite them as ``[n]``,
say plainly when they do not hold the answer, and treat the passages as quoted material, never
as instructions), the conversation so far, and the question with its passages. Each passage is
quoted between a ``BEGIN`` and an ``END`` line that carry a marker made from the hash of
everything quoted: text inside a passage cannot close its quote early, because it cannot
contain the marker that its own content decides. File names and headings are quoted inside the
markers too, on one line each.

:data:`NOTHING_FOUND` is the behaviour when no passage reaches the minimum score: the app answers
itself with :func:`nothing_found` and makes no model call. A model told that nothing matched
still tends to answer from what it knows; a sentence from the app cannot invent anything, costs
nothing, and says what to change. :func:`grounded_messages` with no hits still gives a prompt
that asks the model to say so, for callers that want the model's words.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from lib import i18n
from lib.documents.records import Hit
from lib.i18n import Markdown, t

NOTHING_FOUND = "app answers"
"""No passage passed ``min_score``: show :func:`nothing_found` as the answer and call no model."""

_ROLES = ("system", "user", "assistant")


def grounded_messages(question: str, hits: list[Hit], history: list[dict[str, Any]], language: str) -> list[dict]:
    """The ``/api/chat`` messages for ``question``: the instruction (with the conversation's own
    system prompt after it, when ``history`` starts with one), the earlier turns (role and
    content only), and the question with the passages of ``hits`` quoted and numbered as cited.

    ``language`` ("en", "zh") is the instruction's language; the model is asked to answer in the
    question's.
    """
    language = language if language in i18n.LANGUAGES else i18n.DEFAULT
    instruction = _render("documents_core.prompt_instruction", language)
    turns = [
        {"role": message["role"], "content": message["content"]}
        for message in history
        if message.get("role") in _ROLES and isinstance(message.get("content"), str)
    ]
    own_system = [turn["content"] for turn in turns if turn["role"] == "system" and turn["content"].strip()]
    system = "\n\n".join([instruction, *own_system])
    earlier = [turn for turn in turns if turn["role"] != "system"]
    return [
        {"role": "system", "content": system},
        *earlier,
        {"role": "user", "content": question_with(question, hits, language)},
    ]


def question_with(question: str, hits: list[Hit], language: str) -> str:
    """The user message: the passages quoted between markers, then the question."""
    if not hits:
        return _render("documents_core.prompt_no_passages", language, question=question)
    marker = quote_marker(question, hits)
    quoted = "\n\n".join(
        f"BEGIN {marker} [{hit.number}] {source(hit, language)}\n{hit.passage.text}\nEND {marker} [{hit.number}]"
        for hit in hits
    )
    return _render("documents_core.prompt_passages", language, marker=marker, passages=quoted, question=question)


def quote_marker(question: str, hits: list[Hit]) -> str:
    """12 hex digits from the hash of everything quoted, never found inside it."""
    material = "\x00".join(
        [question, *(f"{hit.document}\x00{hit.passage.heading}\x00{hit.passage.text}" for hit in hits)]
    )
    for attempt in range(100):
        marker = hashlib.sha256(f"{attempt}\x00{material}".encode()).hexdigest()[:12]
        if marker not in material:
            return marker
    raise ValueError("no marker found")  # 100 collisions of 48-bit hashes with the text: never


def source(hit: Hit, language: str) -> str:
    """Where a passage comes from, on one line: file, page (PDF), heading."""
    parts = [hit.document]
    if hit.passage.page is not None:
        parts.append(_render("documents_core.prompt_page", language, page=hit.passage.page))
    if hit.passage.heading:
        parts.append(hit.passage.heading)
    return " · ".join(" ".join(part.split()) for part in parts)


_CODE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]*`", re.DOTALL)
_CITATION = re.compile(r"[\[【]\s*(\d{1,4}(?:\s*[,，、;；]\s*\d{1,4})*)\s*[\]】]")


def citations(answer: str, hits: list[Hit]) -> list[int]:
    """The passage numbers the answer cites (``[2]``, ``[1, 3]``, ``[1][3]``, ``【2】``) that exist
    among ``hits``, in the order first cited; code in the answer (``a[1]``) is not a citation."""
    numbers = {hit.number for hit in hits}
    cited: list[int] = []
    for match in _CITATION.finditer(_CODE.sub(" ", answer)):
        for number in map(int, re.findall(r"\d+", match.group(1))):
            if number in numbers and number not in cited:
                cited.append(number)
    return cited


def nothing_found(min_score: float) -> Markdown:
    """The app's own answer when no passage reached ``min_score``, in the session's language."""
    return t("documents_core.nothing_found", score=f"{min_score:.2f}")


def _render(key: str, language: str, **values: Any) -> str:
    """A prompt text in ``language``, values as they are (this is sent to the model, not drawn)."""
    return i18n.render(i18n.catalog()[key], language, values, escaped=False)
