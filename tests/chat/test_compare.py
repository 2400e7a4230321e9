"""Chat's compare mode (lib/chat/compare.py): the address, the columns as saved chats, reading every column
at once, and leaving the comparison; the last tests go through the page."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib import state
from lib.chat import compare as chat_compare
from lib.chat.history import ASSISTANT, USER, Conversation, Message
from lib.chat.store import ChatStore
from tests.chat.conftest import PAGE, pick, query_value, ref, send_to_all


def columns(at: AppTest) -> list[str]:
    return [heading.value.replace("\\", "") for heading in at.subheader]


# The address and the saved columns


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("3,4,5", [3, 4, 5]),
        (" 3, 4 ", [3, 4]),
        ("1,2,3,4", [1, 2, 3, 4]),
        ("3", None),
        ("1,2,3,4,5", None),
        ("3,,4", None),
        ("3,x", None),
        ("-1,2", None),
        ("", None),
        ("¹,²", None),  # digits to str.isdigit, not to int()
        ("١,٢", None),  # Arabic-Indic digits, which int() reads
        ("1,12345678901234567890", None),  # past SQLite's largest integer
        ("3,3", None),  # one chat cannot be two columns
        ("0,1", None),
    ],
)
def test_the_address_names_two_to_four_conversations(text, ids):
    assert chat_compare.parse_ids(text) == ids


COMPARE_IGNORED = (
    "The address names a comparison that cannot be opened (it needs 2 to 4 different chats of yours), "
    "so a new comparison starts."
)


@pytest.mark.parametrize("wanted", ["¹,²", "1,12345678901234567890", "3", "1,1", "1,2"])
def test_a_comparison_the_address_cannot_open_is_ignored_with_a_notice(store, wanted):
    store.create(Conversation(model="a"))
    at = AppTest.from_function(open_columns, args=(store,))
    at.query_params["compare"] = wanted
    at.run()
    assert not at.exception
    assert at.session_state["opened"] is None and "compare" not in at.query_params
    assert [toast.value for toast in at.toast] == [COMPARE_IGNORED]
    at.run()
    assert not at.toast


def test_a_comparison_opened_from_the_address_gives_no_notice(store):
    ids = [store.create(Conversation(model=m)) for m in ("a", "b")]
    at = AppTest.from_function(open_columns, args=(store,))
    at.query_params["compare"] = f"{ids[0]},{ids[1]}"
    at.run()
    assert at.session_state["opened"] == ids and not at.toast


def test_a_columns_title_is_the_first_message_then_the_model():
    assert chat_compare.column_title("Why is the sky blue?", "llava:7b") == "Why is the sky blue? · llava:7b"
    assert chat_compare.column_title("first line\nsecond line", "m") == "first line second line · m"


def open_columns(store) -> None:
    import streamlit as st

    from lib.chat import compare

    opened = compare.open_columns(store)
    st.session_state["opened"] = None if opened is None else [c.id for c in opened]


def test_a_new_session_opens_the_comparison_in_the_address(store):
    ids = [store.create(Conversation(model=m)) for m in ("a", "b")]
    at = AppTest.from_function(open_columns, args=(store,))
    at.query_params["compare"] = f"{ids[0]},{ids[1]}"
    at.run()
    assert at.session_state["opened"] == ids and at.session_state[state.CHAT_COMPARE] == ids


def test_a_comparison_with_a_deleted_column_closes_and_leaves_the_address(store):
    ids = [store.create(Conversation(model=m)) for m in ("a", "b")]
    store.delete(ids[1])
    at = AppTest.from_function(open_columns, args=(store,))
    at.query_params["compare"] = f"{ids[0]},{ids[1]}"
    at.run()
    assert at.session_state["opened"] is None and at.session_state[state.CHAT_COMPARE] is None
    assert "compare" not in at.query_params


def test_without_a_comparison_nothing_is_open(store):
    at = AppTest.from_function(open_columns, args=(store,)).run()
    assert at.session_state["opened"] is None and "compare" not in at.query_params


def mode() -> None:
    import streamlit as st

    from lib.chat import compare

    st.session_state["mode"] = compare.mode()


@pytest.mark.parametrize(
    ("query", "chosen", "expected"),
    [({}, None, "single"), ({"compare": "1,2"}, None, "compare"), ({"compare": "1,2"}, "single", "single")],
)
def test_the_mode_is_the_one_chosen_else_compare_when_the_address_names_a_comparison(query, chosen, expected):
    at = AppTest.from_function(mode)
    at.query_params.update(query)
    if chosen:
        at.session_state[state.CHAT_MODE] = chosen
    at.run()
    assert at.session_state["mode"] == expected and at.session_state[state.CHAT_MODE_INPUT] == expected


def start(store, refs, text: str) -> None:
    import streamlit as st

    from lib.chat import compare

    started = compare.start(store, refs, [False, True], text)
    compare.add_message(store, started, text)
    st.session_state["started"] = [c.id for c in started]


def test_the_first_message_saves_one_chat_per_column_with_the_message_in_each(studio_env, fake, store):
    refs = [ref("llama3.2:latest"), ref("qwen3:0.6b")]
    at = AppTest.from_function(start, args=(store, refs, "Hello there")).run()
    ids = at.session_state["started"]
    saved = [store.get(conversation_id) for conversation_id in ids]
    assert [(c.title, c.model, c.think, c.server) for c in saved] == [
        ("Hello there · llama3.2:latest", "llama3.2:latest", False, fake.url),
        ("Hello there · qwen3:0.6b", "qwen3:0.6b", True, fake.url),
    ]
    assert all([(m.role, m.content) for m in store.messages(i)] == [(USER, "Hello there")] for i in ids)
    assert at.session_state[state.CHAT_COMPARE] == ids
    assert query_value(at, "compare") == f"{ids[0]},{ids[1]}"


def test_a_message_added_to_a_column_without_an_id_is_skipped(store: ChatStore):
    saved = store.create(Conversation(model="m"))
    chat_compare.add_message(store, [Conversation(model="unsaved"), Conversation(id=saved, model="m")], "Hi")
    assert [(m.role, m.content) for m in store.messages(saved)] == [(USER, "Hi")]
    assert [s.messages for s in store.summaries()] == [1]


def latest_tokens(store, conversation, kept) -> None:
    import streamlit as st

    from lib.chat import compare

    compare.keep_tokens(kept)
    st.session_state["tokens"] = compare.latest_tokens(store, conversation)


ENTRY = {"token": "Blue", "logprob": -0.1}


def test_the_token_probabilities_kept_are_those_of_the_latest_answer_only(store):
    conversation = Conversation(model="a")
    conversation.id = store.create(conversation)
    store.add(conversation.id, Message(USER, "Colour?"))
    answer = store.add(conversation.id, Message(ASSISTANT, "Blue"))
    kept = {conversation.id: chat_compare.LatestTokens(answer, (ENTRY,))}
    at = AppTest.from_function(latest_tokens, args=(store, conversation, kept)).run()
    assert at.session_state["tokens"] == (ENTRY,)
    at = AppTest.from_function(latest_tokens, args=(store, conversation, {})).run()
    assert at.session_state["tokens"] is None  # not asked for
    store.add(conversation.id, Message(USER, "Sure?"))  # the answer is no longer the latest message
    at = AppTest.from_function(latest_tokens, args=(store, conversation, kept)).run()
    assert at.session_state["tokens"] is None


def test_leaving_compare_mode_takes_the_comparison_out_of_the_address():
    def script() -> None:
        from lib.chat import compare

        compare.leave_address()

    at = AppTest.from_function(script)
    at.query_params["compare"] = "1,2"
    at.run()
    assert "compare" not in at.query_params


# Leaving the comparison


def test_continue_with_one_column_opens_its_chat_in_one_model_mode():
    def script(conversation_id: int) -> None:
        from lib.chat import compare

        compare.continue_with(conversation_id)

    at = AppTest.from_function(script, args=(7,))
    at.session_state[state.CHAT_COMPARE] = [7, 8]
    at.run()
    assert at.session_state[state.CHAT_COMPARE] is None
    assert (at.session_state[state.CHAT_MODE], at.session_state[state.CHAT_MODE_INPUT]) == ("single", "single")
    assert at.session_state[state.CHAT_CONVERSATION] == 7


# Through the page


def bodies_by_model(fake) -> dict[str, list[dict]]:
    sent: dict[str, list[dict]] = {}
    for request in fake.requests_to("/api/chat"):
        sent.setdefault(request.body["model"], []).append(request.body)
    return sent


def test_each_column_keeps_its_own_history(compare, fake, store):
    pick(compare, "llama3.2:latest", "llava:7b")
    send_to_all(compare, "First question")
    answers = {summary.title.split(" · ")[1]: store.messages(summary.id)[1].content for summary in store.summaries()}
    assert answers["llama3.2:latest"] != answers["llava:7b"]
    send_to_all(compare, "Second question")
    for model, bodies in bodies_by_model(fake).items():
        assert bodies[-1]["messages"] == [
            {"role": "user", "content": "First question"},
            {"role": "assistant", "content": answers[model]},
            {"role": "user", "content": "Second question"},
        ]
    assert all(summary.messages == 4 for summary in store.summaries())


def test_continue_with_one_answer_goes_on_with_that_model_alone(compare, fake, store):
    pick(compare, "llama3.2:latest", "llava:7b")
    send_to_all(compare, "Pick me")
    continue_button = next(b for b in compare.button if b.label == "Continue with llava:7b")
    continue_button.click().run()
    assert compare.segmented_control(key=state.CHAT_MODE_INPUT).value == "single"
    assert compare.title[0].value == "Pick me · llava:7b"
    assert compare.selectbox(key=state.CHAT_MODEL_INPUT).value == ref("llava:7b")
    before = len(fake.requests_to("/api/chat"))
    compare.chat_input(key=state.CHAT_PROMPT_INPUT).set_value("Go on").run()
    sent = fake.requests_to("/api/chat")
    assert len(sent) == before + 1
    assert sent[-1].body["model"] == "llava:7b"
    assert [m["content"] for m in sent[-1].body["messages"]][::2] == ["Pick me", "Go on"]


def test_a_reload_keeps_the_comparison(compare, fake, open_app):
    pick(compare, "llama3.2:latest", "llava:7b")
    send_to_all(compare, "Remember me")
    reloaded = open_app(PAGE, query={"compare": "1,2"})
    assert reloaded.segmented_control(key=state.CHAT_MODE_INPUT).value == "compare"
    assert columns(reloaded) == ["llama3.2:latest", "llava:7b"]
    assert len(reloaded.chat_message) == 4


def test_new_comparison_starts_over(compare, fake):
    pick(compare, "llama3.2:latest", "llava:7b")
    send_to_all(compare, "Hello")
    next(b for b in compare.button if b.label == "New comparison").click().run()
    assert compare.segmented_control(key=state.CHAT_COMPARE_COUNT_INPUT).value == 2
    assert not compare.chat_message
    assert "compare" not in compare.query_params


@pytest.mark.parametrize(
    ("model", "think", "models", "label"),
    [
        ("gpt-oss:20b", "high", ["gpt-oss:20b", "gpt-oss:20b"], "gpt-oss:20b · High"),
        ("gpt-oss:20b", "low", ["gpt-oss:20b", "qwen3:0.6b"], "gpt-oss:20b · Low"),  # a level is always said
        ("qwen3:0.6b", True, ["qwen3:0.6b", "qwen3:0.6b"], "qwen3:0.6b · thinking"),
        ("qwen3:0.6b", False, ["qwen3:0.6b", "qwen3:0.6b"], "qwen3:0.6b · no thinking"),
        ("qwen3:0.6b", True, ["qwen3:0.6b", "llava:7b"], "qwen3:0.6b"),  # on/off only where it tells columns apart
        ("llava:7b", None, ["llava:7b", "llava:7b"], "llava:7b"),
    ],
)
def test_a_column_is_named_by_its_model_and_its_level(model, think, models, label):
    assert chat_compare.column_label(model, think, models) == label


@pytest.mark.parametrize(
    ("models", "thinks", "same"),
    [
        (["a", "a"], ["low", "high"], None),
        (["a", "b", "a"], ["low", "low", "low"], (1, 3)),
        (["q", "q"], [True, False], None),
        (["q", "q", "l", "l"], [True, False, None, None], (3, 4)),
    ],
)
def test_columns_that_would_ask_the_same_model_the_same_way_are_found(models, thinks, same):
    assert chat_compare.same_columns(models, thinks) == same
