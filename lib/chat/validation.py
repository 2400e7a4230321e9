"""The strict schema of a conversation file, and what of a saved chat can still be used.

An import is checked here completely before anything is saved: every field's type, numbers that
are finite and in range (a parameter's range comes from :mod:`lib.parameters.catalog`), times a
calendar can show, sizes (messages, text lengths, images), valid Unicode, known roles and statuses,
and images that really decode as PNG, JPEG or WebP. The first problem raises :class:`Invalid`, whose
:class:`Problem` says where it is and what is wrong ("message 3, created_at: must be a finite
number"), worded by :func:`describe` in the session's language.

Chats already saved (by older code, or written to the database by hand) are read with the same
rules but leniently: :func:`stored_options`, :func:`stored_stats` and the other ``stored_`` readers
keep what is valid and return the problems with the rest, so the page can draw the chat, say what
was left out and still offer Delete.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from lib import thinking
from lib.chat.history import (
    ASSISTANT,
    AWAITING,
    CUT_OFF,
    DONE,
    FAILED,
    STOPPED,
    USER,
    Conversation,
    Format,
    Message,
    strip_data_url,
)
from lib.formatting import whole_number
from lib.generate import schema
from lib.i18n import Markdown, escape, markdown, t
from lib.ollama.stats import STAT_NAMES, RunStats
from lib.parameters.catalog import OPTION_SPECS, OptionSpec, parse_keep_alive
from lib.thinking import Think
from lib.tools import custom, steps
from lib.tools.choice import ToolChoice
from lib.tools.steps import Round
from lib.ui.markdown_safety import escape_markdown

FORMAT = "ollama-studio.conversation"
VERSION = 1

MAX_MESSAGES = 10_000
MAX_TEXT = 1_000_000  # characters of a message, its thinking or the system prompt
MAX_TITLE = 1_000
MAX_NAME = 500  # a model's name
MAX_URL = 2_000  # a server's address
MAX_ERROR = 10_000
MAX_STOPS = 50
MAX_STOP = 1_000
MAX_KEEP_ALIVE = 100  # characters of a duration such as "5m"
MAX_KEEP_ALIVE_SECONDS = 10**9
MAX_IMAGES = 20  # per message
MAX_IMAGE_MB = 10
MAX_IMAGE_BYTES = MAX_IMAGE_MB * 1024 * 1024
MAX_MEGAPIXELS = 40
MAX_FIGURE = 1e12  # a statistic: seconds, tokens or tokens per second
EARLIEST = 0.0  # 1970-01-01 UTC
LATEST = 253_402_300_799.0  # 9999-12-31 23:59:59 UTC, the last second a calendar (datetime) can show
SHOWN_NAME = 40  # characters of a key from the file named in a sentence

_MAGIC = {"PNG": (b"\x89PNG\r\n\x1a\n",), "JPEG": (b"\xff\xd8\xff",)}
_OPTIONS: dict[str, OptionSpec] = {spec.name: spec for spec in OPTION_SPECS}
_STATUSES = (DONE, STOPPED, FAILED, CUT_OFF, AWAITING)
_COUNTS = frozenset({"output_tokens", "prompt_tokens", "tokens"})
_FLAGS = frozenset({"first_token_measured"})
# "answer_format": a conversation's ``format`` (the file's own "format" names the file format).
_CONVERSATION_KEYS = frozenset(
    {
        "format",
        "version",
        "title",
        "model",
        "system",
        "options",
        "keep_alive",
        "think",
        "created_at",
        "messages",
        "tools",
        "answer_format",
        "server",
    }
)
_MESSAGE_KEYS = frozenset(
    {
        "role",
        "content",
        "thinking",
        "images",
        "stats",
        "status",
        "error",
        "model",
        "created_at",
        "tools",
        "format",
        "server",
    }
)
_SERVER_KEYS = frozenset({"url", "name"})

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """What is wrong and where: ``where`` is the path in the file (keys, list positions from 0),
    ``key`` a catalog key and ``values`` its placeholders. Data, worded by :func:`describe`."""

    where: Path
    key: str
    values: Mapping[str, Any] = field(default_factory=dict)


class Invalid(ValueError):
    """A value breaks the schema; ``problem`` says where and how."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.key)
        self.problem = problem


def _fail(where: Path, key: str, **values: Any) -> Invalid:
    return Invalid(Problem(where, key, values))


# Wording


def describe(problem: Problem) -> Markdown:
    """``problem`` as a sentence in the session's language: "At message 3, created_at: must be …"."""
    what = t(problem.key, **problem.values)
    if not problem.where:
        return what
    return t("chat_import.problem", where=where_text(problem.where), what=what)


def where_text(where: Path) -> Markdown:
    """A path as people read it: ``("messages", 2, "images", 0)`` is "message 3, image 1",
    ``("options", "stop", 1)`` is "options.stop, item 2"."""
    parts: list[str] = []
    names: list[str] = []
    for step in where:
        if isinstance(step, str):
            names.append(step)
            continue
        parent = names.pop() if names and names[-1] in ("messages", "images") else None
        if names:
            parts.append(".".join(_shown_name(name) for name in names))
            names = []
        if parent == "messages":
            parts.append(t("chat_import.at_message", number=step + 1))
        elif parent == "images":
            parts.append(t("chat_import.at_image", number=step + 1))
        else:
            parts.append(t("chat_import.at_item", number=step + 1))
    if names:
        parts.append(".".join(_shown_name(name) for name in names))
    return markdown(t("chat_import.separator").join(parts))  # each part escaped or worded by t()


def _shown_name(name: str) -> str:
    """A key as a sentence can show it: the file's own keys can be anything, so cut, made valid and escaped."""
    if len(name) > SHOWN_NAME:
        name = name[:SHOWN_NAME] + "…"
    return escape(name.encode("utf-8", "backslashreplace").decode("utf-8"))


def _figure(value: float) -> str:
    return whole_number(value) if float(value).is_integer() else f"{value:g}"


# Reading the file


def parse(data: bytes | str) -> Any:
    """The file's JSON; :class:`Invalid` when it is not JSON, or is nested too deeply to read safely.

    ``json`` reads nested lists and objects recursively: a file nested thousands of levels deep
    raises ``RecursionError``, caught here. NaN and Infinity are read as numbers and refused where
    they appear, so the sentence can say where.
    """
    try:
        return json.loads(data)
    except RecursionError:
        raise _fail((), "chat_import.too_deep") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _fail((), "chat_export.not_json") from None
    except ValueError:  # an integer of more than 4,300 digits (Python's limit on reading one)
        raise _fail((), "chat_import.number_too_long") from None


def conversation_file(document: Any) -> tuple[Conversation, list[Message]]:
    """The conversation and messages of a parsed file; :class:`Invalid` at the first problem.

    The conversation's title may still be empty (the caller names it) and ``updated_at`` is now.
    """
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _fail((), "chat_export.not_ours", format=FORMAT)
    version = document.get("version")
    if isinstance(version, bool) or version != VERSION:
        found = "…" if isinstance(version, (dict, list)) else markdown(_shown_name(repr(version)))
        raise _fail((), "chat_export.wrong_version", found=found, version=VERSION)
    _known_keys(document, _CONVERSATION_KEYS, ())
    raw_messages = document.get("messages")
    if not isinstance(raw_messages, list):
        raise _fail(("messages",), "chat_import.must_be_list")
    if len(raw_messages) > MAX_MESSAGES:
        raise _fail(("messages",), "chat_import.too_many_messages", limit=whole_number(MAX_MESSAGES))
    options = document.get("options")
    if options is not None and not isinstance(options, dict):
        raise _fail(("options",), "chat_import.must_be_object")
    conversation = Conversation(
        title=_text(document.get("title"), ("title",), MAX_TITLE),
        model=_text(document.get("model"), ("model",), MAX_NAME),
        server=server(document.get("server"), ("server",)),
        system=_text(document.get("system"), ("system",), MAX_TEXT),
        options={name: option(name, value, ("options", name)) for name, value in (options or {}).items()},
        keep_alive=keep_alive(document.get("keep_alive"), ("keep_alive",)),
        think=_think(document.get("think"), ("think",)),
        tools=_tools(document.get("tools"), ("tools",)),
        format=output_format(document.get("answer_format"), ("answer_format",)),
    )
    conversation.created_at = _time(document.get("created_at"), ("created_at",), conversation.created_at)
    messages = [_message(item, ("messages", index)) for index, item in enumerate(raw_messages)]
    return conversation, messages


def _message(item: Any, where: Path) -> Message:
    if not isinstance(item, dict):
        raise _fail(where, "chat_import.must_be_object")
    _known_keys(item, _MESSAGE_KEYS, where)
    role = item.get("role")
    if role not in (USER, ASSISTANT):
        raise _fail((*where, "role"), "chat_import.bad_role")
    status = item.get("status", DONE)
    if status not in _STATUSES:
        raise _fail((*where, "status"), "chat_import.bad_status")
    raw_stats = item.get("stats")
    if raw_stats is not None and not isinstance(raw_stats, dict):
        raise _fail((*where, "stats"), "chat_import.must_be_object")
    message = Message(
        role=role,
        content=_text(item.get("content"), (*where, "content"), MAX_TEXT),
        thinking=_text(item.get("thinking"), (*where, "thinking"), MAX_TEXT),
        images=_images(item.get("images"), (*where, "images")),
        stats=_stats(raw_stats, (*where, "stats")) if raw_stats else None,
        status=status,
        # Errors without a key are shown as plain text (lib.chat.history.saved_error_text): escaped here, once.
        error=escape_markdown(_text(item.get("error"), (*where, "error"), MAX_ERROR)),
        model=_text(item.get("model"), (*where, "model"), MAX_NAME),
        server=server(item.get("server"), (*where, "server")),
        tools=_rounds(item.get("tools"), (*where, "tools")),
        format=output_format(item.get("format"), (*where, "format")),
    )
    message.created_at = _time(item.get("created_at"), (*where, "created_at"), message.created_at)
    return message


def server(value: Any, where: Path) -> str:
    """The address of the server a chat or an answer was on, from ``{"url": …, "name": …}`` (the name is for
    people reading the file); "" when the file does not say (files exported before servers were kept)."""
    if value is None:
        return ""
    if not isinstance(value, dict):
        raise _fail(where, "chat_import.must_be_object")
    _known_keys(value, _SERVER_KEYS, where)
    _text(value.get("name"), (*where, "name"), MAX_NAME)
    return _text(value.get("url"), (*where, "url"), MAX_URL)


def _think(value: Any, where: Path) -> Think:
    """On, off, or a level's name (:data:`lib.thinking.LEVELS`; "max" too: a server too old for it gets "high")."""
    if isinstance(value, str) and value in thinking.LEVELS:
        return value
    if value is not None and not isinstance(value, bool):
        raise _fail(where, "tools.bad_think", levels=", ".join(thinking.LEVELS))
    return bool(value)


def _tools(value: Any, where: Path) -> ToolChoice:
    try:
        return ToolChoice.from_data(value)
    except custom.Invalid as invalid:
        raise Invalid(_tool_problem(invalid, where)) from None


def _tool_problem(invalid: custom.Invalid, where: Path) -> Problem:
    """A tool declaration's problem at its place in the file; a schema problem inside it worded now."""
    values = {name: schema.say(v) if isinstance(v, schema.Problem) else v for name, v in invalid.values.items()}
    return Problem((*where, invalid.tool - 1) if invalid.tool else where, invalid.key, values)


def _rounds(value: Any, where: Path) -> list[Round]:
    if value is None:
        return []
    try:
        return steps.from_data(value)
    except steps.Unreadable as unreadable:
        raise _fail((*where, *unreadable.where), unreadable.key, **unreadable.values) from None


def output_format(value: Any, where: Path) -> Format:
    """An answer format: none, ``"json"``, or a JSON schema that can be sent (checked as Generate checks one)."""
    if value is None or value == "json":
        return value
    if not isinstance(value, dict):
        raise _fail(where, "tools.bad_format")
    try:
        return schema.parse_schema(json.dumps(value))
    except schema.InvalidSchema as error:
        raise _fail(where, "tools.bad_format_schema", problem=schema.say(error.problem)) from None


def _known_keys(document: dict[str, Any], known: frozenset[str], where: Path) -> None:
    for key in document:
        if key not in known:
            raise _fail((*where, key), "chat_import.unknown_field")


def _text(value: Any, where: Path, limit: int) -> str:
    """Text of at most ``limit`` characters, valid Unicode; missing or null is empty."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _fail(where, "chat_import.must_be_text")
    if len(value) > limit:
        raise _fail(where, "chat_import.too_long", limit=whole_number(limit))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # JSON's "\ud800" escapes give lone surrogates, which are not text
        raise _fail(where, "chat_import.not_unicode") from None
    return value


def _flag(value: Any, where: Path) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _fail(where, "chat_import.must_be_boolean")
    return value


def _number(value: Any, where: Path) -> float:
    """A number (``true`` is not one) that is not NaN or infinite; the caller checks its range.

    An integer too large for a float is infinite here, so that range check refuses it.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(where, "chat_import.must_be_number")
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(where, "chat_import.not_finite")
    if isinstance(value, int) and abs(value) >= 2**1023:
        return math.inf if value > 0 else -math.inf
    return float(value)


def _time(value: Any, where: Path, default: float) -> float:
    """Seconds since 1970, in the years a calendar can show; missing or null is ``default``."""
    if value is None:
        return default
    seconds = _number(value, where)
    if not EARLIEST <= seconds <= LATEST:
        raise _fail(where, "chat_import.bad_time")
    return seconds


def sane_time(value: Any) -> float | None:
    """``value`` when it is a time a calendar can show, else None (a saved chat's time can be anything)."""
    try:
        return _time(value, (), 0.0) if value is not None else None
    except Invalid:
        return None


def option(name: str, value: Any, where: Path) -> Any:
    """One of the parameters the panel sets, of its type and in its range, or the stop sequences."""
    if name == "stop":
        return _stops(value, where)
    spec = _OPTIONS.get(name)
    if spec is None:
        raise _fail(where, "chat_import.unknown_option", known=", ".join([*_OPTIONS, "stop"]))
    number = _number(value, where)
    low, high = _figure(spec.minimum), _figure(spec.maximum)
    if spec.kind is int and not number.is_integer():
        raise _fail(where, "chat_import.must_be_whole_number_in", minimum=low, maximum=high)
    if not spec.minimum <= number <= spec.maximum:
        key = "chat_import.must_be_whole_number_in" if spec.kind is int else "chat_import.must_be_number_in"
        raise _fail(where, key, minimum=low, maximum=high)
    return spec.kind(number)


def _stops(value: Any, where: Path) -> list[str]:
    if not isinstance(value, list):
        raise _fail(where, "chat_import.must_be_list_of_text")
    if len(value) > MAX_STOPS:
        raise _fail(where, "chat_import.too_many", limit=MAX_STOPS)
    for index, stop in enumerate(value):
        if not isinstance(stop, str):
            raise _fail((*where, index), "chat_import.must_be_text")
        _text(stop, (*where, index), MAX_STOP)
    return value


def keep_alive(value: Any, where: Path) -> str | int | None:
    """How long the model stays loaded: null, a whole number of seconds, or a duration such as ``5m``."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_KEEP_ALIVE_SECONDS:
        return value
    if isinstance(value, str) and len(value) <= MAX_KEEP_ALIVE:
        try:
            parse_keep_alive(value)
        except ValueError:
            pass
        else:
            return value
    raise _fail(where, "chat_import.bad_keep_alive")


def _images(value: Any, where: Path) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(where, "chat_import.must_be_list")
    if len(value) > MAX_IMAGES:
        raise _fail(where, "chat_import.too_many", limit=MAX_IMAGES)
    images = []
    for index, image in enumerate(value):
        if not isinstance(image, str):
            raise _fail((*where, index), "chat_import.image_not_text")
        image_bytes(image, (*where, index))
        images.append(strip_data_url(image))
    return images


def image_bytes(image: str, where: Path = ()) -> bytes:
    """The picture in ``image`` (base64, with or without a ``data:`` prefix), checked to decode as
    PNG, JPEG or WebP: its first bytes, its header, and every pixel (a damaged file fails here,
    not when drawn). Also the limits: :data:`MAX_IMAGE_MB` and :data:`MAX_MEGAPIXELS`."""
    plain = strip_data_url(image)
    if len(plain) > (MAX_IMAGE_BYTES // 3 + 1) * 4:
        raise _fail(where, "chat_import.image_too_large", limit=MAX_IMAGE_MB)
    try:
        data = base64.b64decode(plain, validate=True)
    except (binascii.Error, ValueError):
        raise _fail(where, "chat_import.not_base64") from None
    kind = _image_kind(data)
    if kind is None:
        raise _fail(where, "chat_import.not_an_image")
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as picture:
            width, height = picture.size
            if width * height > MAX_MEGAPIXELS * 1_000_000:
                raise _fail(where, "chat_import.image_too_many_pixels", limit=MAX_MEGAPIXELS)
            picture.load()
    except Invalid:
        raise
    except Image.DecompressionBombError:
        raise _fail(where, "chat_import.image_too_many_pixels", limit=MAX_MEGAPIXELS) from None
    except Exception:  # a decoder of untrusted bytes fails in many ways (OSError, SyntaxError, struct.error…)
        raise _fail(where, "chat_import.image_damaged", format=kind) from None
    return data


def _image_kind(data: bytes) -> str | None:
    """PNG, JPEG or WEBP by the file's first bytes (an SVG, a GIF or any other file is none of them)."""
    for kind, signatures in _MAGIC.items():
        if data.startswith(signatures):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _stats(value: dict[str, Any], where: Path) -> RunStats:
    """Figures under today's names or the older ones (:meth:`RunStats.from_dict`)."""
    return RunStats.from_dict({name: figure(name, number, (*where, name)) for name, number in value.items()})


def figure(name: str, value: Any, where: Path) -> Any:
    """One of an answer's figures: a finite number from 0 to :data:`MAX_FIGURE` (tokens: whole), or a flag."""
    if name not in STAT_NAMES:
        raise _fail(where, "chat_import.unknown_field")
    if value is None:
        return None
    if name in _FLAGS:
        return _flag(value, where)
    number = _number(value, where)
    if not 0 <= number <= MAX_FIGURE or (name in _COUNTS and not number.is_integer()):
        key = "chat_import.must_be_whole_number_in" if name in _COUNTS else "chat_import.must_be_number_in"
        raise _fail(where, key, minimum=0, maximum=_figure(MAX_FIGURE))
    return int(number) if name in _COUNTS else number


# Reading what is saved: keep what is valid, say what is not


def stored_json(text: Any, where: Path) -> tuple[Any, Problem | None]:
    """A column saved as JSON text, parsed; (None, the problem) when it cannot be read."""
    if not isinstance(text, str):
        return None, Problem(where, "chat_import.stored_not_json")
    try:
        return json.loads(text), None
    except (RecursionError, ValueError):
        return None, Problem(where, "chat_import.stored_not_json")


def stored_options(value: Any) -> tuple[dict[str, Any], list[Problem]]:
    """A saved chat's options: each valid one kept, each other one left out (the panel shows it
    empty, as for any option it cannot show: lib/parameters/panel.py) and named in a problem."""
    if not isinstance(value, dict):
        return {}, [Problem(("options",), "chat_import.must_be_object")]
    options: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, raw in value.items():
        try:
            options[name] = option(name, raw, ("options", name))
        except Invalid as error:
            problems.append(error.problem)
    return options, problems


def stored_keep_alive(value: Any) -> tuple[str | int | None, list[Problem]]:
    try:
        return keep_alive(value, ("keep_alive",)), []
    except Invalid as error:
        return None, [error.problem]


def stored_images(value: Any) -> tuple[list[str], list[Problem]]:
    """A saved message's images as a list of base64 texts; whether each decodes is checked when drawn
    (:func:`image_bytes`), as that means decoding it."""
    if not isinstance(value, list):
        return [], [Problem(("images",), "chat_import.must_be_list")]
    images = [image for image in value if isinstance(image, str)]
    problems = [
        Problem(("images", index), "chat_import.image_not_text")
        for index, image in enumerate(value)
        if not isinstance(image, str)
    ]
    return images, problems


def stored_stats(value: Any) -> tuple[RunStats | None, list[Problem]]:
    """A saved answer's figures: each valid one kept, the others named in problems."""
    if value is None:
        return None, []
    if not isinstance(value, dict):
        return None, [Problem(("stats",), "chat_import.must_be_object")]
    figures: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, raw in value.items():
        try:
            figures[name] = figure(name, raw, ("stats", name))
        except Invalid as error:
            problems.append(error.problem)
    return RunStats.from_dict(figures), problems


def stored_tools(text: Any) -> tuple[ToolChoice, list[Problem]]:
    """A saved chat's tools; none when the column cannot be read (the problem says why)."""
    if text is None:
        return ToolChoice(), []
    value, problem = stored_json(text, ("tools",))
    if problem is not None:
        return ToolChoice(), [problem]
    try:
        return ToolChoice.from_data(value, check_schemas=False), []
    except custom.Invalid as invalid:
        return ToolChoice(), [_tool_problem(invalid, ("tools",))]


def stored_format(text: Any) -> tuple[Format, list[Problem]]:
    """A saved format: ``"json"`` or a schema object (checked again when it is used); free text when unreadable."""
    if text is None:
        return None, []
    value, problem = stored_json(text, ("format",))
    if problem is not None:
        return None, [problem]
    if value == "json" or isinstance(value, dict):
        return value, []
    return None, [Problem(("format",), "tools.bad_format")]


def stored_rounds(text: Any) -> tuple[list[Round], list[Problem]]:
    """A saved answer's tool rounds; none when they cannot be read (the problem says where)."""
    if text is None:
        return [], []
    if not isinstance(text, str):
        return [], [Problem(("tools",), "chat_import.stored_not_json")]
    try:
        return steps.from_json(text), []
    except steps.Unreadable as unreadable:
        return [], [Problem(("tools", *unreadable.where), unreadable.key, unreadable.values)]


def stored_status(value: Any) -> tuple[str, list[Problem]]:
    if value in _STATUSES:
        return value, []
    return DONE, [Problem(("status",), "chat_import.bad_status")]


def stored_text(value: Any) -> str:
    """A saved text column as text, whatever was written into it (SQLite keeps any type in any column)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def stored_number(value: Any) -> float:
    """A saved time column as a float; NaN when it holds no number (:func:`sane_time` then refuses it)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return math.nan


def first_problem(problems: list[Problem]) -> Markdown:
    """The first of ``problems`` as a sentence, and how many more there are."""
    text = describe(problems[0])
    if len(problems) > 1:
        return markdown(text + " " + t("chat_import.more_problems", n=whole_number(len(problems) - 1)))
    return text
