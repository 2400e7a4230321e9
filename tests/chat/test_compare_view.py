"""Chat's compare mode on screen (lib/chat/compare_view.py): the mode switch, the models to compare, each
column's history and its "continue" button, and every column's answer streamed and saved at once."""

from __future__ import annotations

import json
import re
import time

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import state
from lib.chat.compare import LatestTokens
from lib.chat.compare_view import mode_label
from lib.chat.history import ASSISTANT, DONE, FAILED, STOPPED, USER, Conversation, Message
from lib.chat.store import ChatStore
from lib.ollama.client import OllamaClient
from lib.ollama.stream import CHAT, Request, Streams
from tests.chat.conftest import PAGE, PNG_BASE64, open_chat, pick, picture, query_value, ref, send_to_all
from tests.ollama.test_stream import overlapped

LONG_REPLY = " ".join(f"word{number}" for number in range(300))


def texts(elements) -> str:
    return "\n".join(element.value for element in elements)


def columns(at: AppTest) -> list[str]:
    return [heading.value.replace("\\", "") for heading in at.subheader]


# The mode switch


def test_the_modes_are_named_for_what_they_do():
    assert (mode_label("single"), mode_label("compare")) == ("One model", "Compare models")


def test_the_mode_switch_remembers_the_mode_chosen():
    def script() -> None:
        import streamlit as st

        from lib.chat import compare_view

        st.session_state["chosen"] = compare_view.mode_switch()

    at = AppTest.from_function(script)
    at.session_state[state.CHAT_MODE_INPUT] = "single"
    at.run()
    switch = at.segmented_control(key=state.CHAT_MODE_INPUT)
    assert switch.options == ["One model", "Compare models"]
    switch.set_value("compare").run()
    assert at.session_state["chosen"] == "compare" and at.session_state[state.CHAT_MODE] == "compare"


# The models to compare


def choose() -> None:
    import streamlit as st

    from lib import state
    from lib.chat import compare_view

    state.init()
    st.session_state["chosen"] = compare_view.choose_models()


def test_each_column_starts_on_another_chat_model_and_thinking_models_think(studio_env, fake):
    at = AppTest.from_function(choose, default_timeout=30).run()
    assert at.segmented_control(key=state.CHAT_COMPARE_COUNT_INPUT).value == 2
    assert at.session_state["chosen"] == ([ref("llama3.2:latest"), ref("llava:7b")], [None, None])  # cannot think
    at.segmented_control(key=state.CHAT_COMPARE_COUNT_INPUT).set_value(4).run()
    models, thinks = at.session_state["chosen"]
    assert [model.model for model in models] == ["llama3.2:latest", "llava:7b", "qwen3:0.6b", "llama3.2:latest"]
    assert thinks == [None, None, True, None]


# A column's history


def history(store, conversation, can_continue: bool) -> None:
    from lib import state
    from lib.chat import compare_view

    state.init()
    compare_view.draw_history(store, conversation, can_continue=can_continue)  # no image: its server is not asked


def column(store: ChatStore, *replies: Message, model: str = "llava:7b") -> Conversation:
    conversation = Conversation(model=model)
    conversation.id = store.create(conversation)
    store.add(conversation.id, Message(USER, "Question"))
    for reply in replies:
        store.add(conversation.id, reply)
    return conversation


def continue_buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button if b.key and b.key.startswith("chat_compare_continue_")]


def test_a_column_with_an_answer_offers_to_continue_with_its_model(store):
    conversation = column(store, Message(ASSISTANT, "An answer."), model="my_model")
    at = AppTest.from_function(history, args=(store, conversation, True)).run()
    assert [(m.name, m.markdown[0].value) for m in at.chat_message] == [(USER, "Question"), (ASSISTANT, "An answer.")]
    assert continue_buttons(at) == ["Continue with my\\_model"]


@pytest.mark.parametrize(
    ("replies", "can_continue"),
    [
        ((Message(ASSISTANT, "An answer."),), False),  # a new message is on its way
        ((Message(ASSISTANT, "", status=FAILED, error="Down."),), True),  # nothing to continue from
        ((), True),  # no answer yet
    ],
)
def test_no_continue_without_an_answer_to_continue_from(store, replies, can_continue):
    conversation = column(store, *replies)
    at = AppTest.from_function(history, args=(store, conversation, can_continue)).run()
    assert continue_buttons(at) == []


def test_a_column_not_saved_yet_draws_nothing(store):
    at = AppTest.from_function(history, args=(store, Conversation(model="m"), True)).run()
    assert not at.exception and not at.chat_message


# Every column's answer


def respond_all(store, conversations) -> None:
    import streamlit as st

    from lib import state
    from lib.chat import compare_view

    state.init()
    compare_view.respond_all(store, conversations, st.columns(len(conversations)))


def test_every_column_is_answered_in_its_pane_and_saved_to_its_chat(studio_env, fake, store):
    conversations = [column(store, model="llama3.2:latest"), column(store, model="qwen3:0.6b")]
    conversations[1].think = True
    at = AppTest.from_function(respond_all, args=(store, conversations), default_timeout=30)
    at.run()
    assert not at.exception
    bodies = {request.body["model"]: request.body for request in fake.requests_to("/api/chat")}
    assert "think" not in bodies["llama3.2:latest"] and bodies["qwen3:0.6b"]["think"] is True
    answers = [store.messages(conversation.id)[-1] for conversation in conversations]
    assert [(a.role, a.status, a.model) for a in answers] == [
        (ASSISTANT, DONE, "llama3.2:latest"),
        (ASSISTANT, DONE, "qwen3:0.6b"),
    ]
    # The page reruns once every answer is in, so a pane may still show only the start of its answer.
    assert answers[0].content.startswith(at.columns[0].chat_message[0].markdown[0].value.removesuffix(" ▌"))
    assert at.columns[1].chat_message[0].expander[0].label == "Thinking" and answers[1].thinking
    assert at.session_state[state.CHAT_ANSWERING].is_set()


# Through the page


def test_every_model_answers_the_message_at_the_same_time_and_each_column_is_saved(compare, fake, store):
    fake.token_delay = 0.01
    pick(compare, "llama3.2:latest", "llava:7b", "qwen3:0.6b")
    send_to_all(compare, "Why is the sky blue?")
    assert not compare.exception
    requests = fake.requests_to("/api/chat")
    assert sorted(r.body["model"] for r in requests) == ["llama3.2:latest", "llava:7b", "qwen3:0.6b"]
    assert all(r.body["messages"] == [{"role": "user", "content": "Why is the sky blue?"}] for r in requests)
    assert overlapped(fake, "/api/chat")
    assert columns(compare) == ["llama3.2:latest", "llava:7b", "qwen3:0.6b"]
    assert [m.name for m in compare.chat_message] == [USER, ASSISTANT] * 3
    saved = {summary.title: summary.messages for summary in store.summaries()}
    assert saved == {f"Why is the sky blue? · {model}": 2 for model in ("llama3.2:latest", "llava:7b", "qwen3:0.6b")}
    assert query_value(compare, "compare") == "1,2,3"


def test_stop_closes_every_stream_and_saves_what_arrived(compare, fake, store, open_app):
    fake.token_delay = 0.05
    fake.script_reply(LONG_REPLY)
    fake.script_reply(LONG_REPLY)
    pick(compare, "llama3.2:latest", "llava:7b")
    # A click on the chat box's stop button interrupts the script at its next Streamlit call;
    # AppTest does the same when a run outlives its timeout.
    with pytest.raises(RuntimeError, match="timed out"):
        send_to_all(compare, "Talk for a long time", timeout=3)
    assert fake.wait_for(
        lambda f: (
            len(f.requests_to("/api/chat")) == 2 and all(r.client_disconnected for r in f.requests_to("/api/chat"))
        ),
        timeout=10,
    )
    assert all(r.chunks_sent < 300 for r in fake.requests_to("/api/chat"))
    assert fake.wait_for(lambda _f: all(store.count(summary.id) == 2 for summary in store.summaries()))
    for summary in store.summaries():
        answer = store.messages(summary.id)[-1]
        assert answer.role == ASSISTANT and answer.status == STOPPED
        assert answer.content and LONG_REPLY.startswith(answer.content)
    again = open_app(PAGE, query={"compare": "1,2"})
    assert texts(again.caption).count("Stopped before the end of the answer.") == 2


# Issue 18: the same system prompt and parameters for every column; a column's failure shown and kept


def test_every_column_gets_the_system_prompt_and_parameters_and_keeps_them(compare, fake, store):
    pick(compare, "llama3.2:latest", "qwen3:0.6b")
    compare.text_area(key=state.CHAT_COMPARE_SYSTEM_INPUT).input("Answer in one word.")
    compare.number_input(key="chat_compare_option_num_predict").set_value(5)
    compare.text_input(key="chat_compare_option_keep_alive").input("10m").run()
    send_to_all(compare, "Say OK.")
    bodies = [r.body for r in fake.requests_to("/api/chat")]
    assert len(bodies) == 2
    for body in bodies:
        assert body["messages"][0] == {"role": "system", "content": "Answer in one word."}
        assert body["options"] == {"num_predict": 5} and body["keep_alive"] == "10m"
    for summary in store.summaries():
        saved = store.get(summary.id)
        assert (saved.system, saved.options, saved.keep_alive) == ("Answer in one word.", {"num_predict": 5}, "10m")


def test_a_column_that_fails_says_so_at_once_and_its_failure_is_saved(compare, fake, store):
    fake.add_cloud_models()
    st.cache_data.clear()  # the page read the model list before the cloud models were listed
    fake.token_delay = 0.02
    fake.script_reply(LONG_REPLY)
    pick(compare, "qwen3:0.6b", "llama3.2:latest")
    compare.selectbox(key=f"{state.CHAT_COMPARE_MODEL_INPUT}_1").set_value(ref("gpt-oss:120b-cloud")).run()
    send_to_all(compare, "Hello")
    assert not compare.exception
    shown = " ".join(error.value for error in compare.error)
    assert "This is a cloud model" in shown
    assert not any("Waiting for" in caption.value for caption in compare.caption)
    failed = [store.messages(s.id)[-1] for s in store.summaries() if "cloud" in s.title]
    assert [m.status for m in failed] == [FAILED]


def test_a_failure_that_arrived_before_stop_is_kept_not_marked_stopped(fake):
    fake.add_cloud_models()
    client = OllamaClient(fake.url)
    streams = Streams(client, [Request(CHAT, "gpt-oss:120b-cloud", {"messages": [{"role": "user", "content": "x"}]})])
    assert fake.wait_for(lambda f: len(f.requests_to("/api/chat")) == 1 and f.requests_to("/api/chat")[0].status)
    time.sleep(0.2)  # the failure sits in the inbox: the page never read it
    streams.stop()
    assert streams.answers[0].error is not None and not streams.answers[0].stopped


# Issue 22: a think control per column (one model at two levels), one output format, one image for every column


def think_in(at: AppTest, column: int, value) -> None:
    at.segmented_control(key=f"{state.CHAT_COMPARE_THINK_INPUT}_{column}").set_value(value).run()


def test_one_model_at_two_levels_is_two_columns_and_each_is_asked_at_its_level(compare, fake, store):
    fake.install("gpt-oss:20b")
    st.cache_data.clear()  # the page read the model list before the install
    compare.run()
    pick(compare, "gpt-oss:20b", "gpt-oss:20b")
    assert compare.segmented_control(key=f"{state.CHAT_COMPARE_THINK_INPUT}_0").options == ["Low", "Medium", "High"]
    # The same model the same way twice: said, and nothing can be sent until one column changes.
    assert "Columns 1 and 2 would ask the same model the same way." in texts(compare.warning)
    assert compare.chat_input(key=state.CHAT_COMPARE_PROMPT_INPUT).proto.disabled
    think_in(compare, 0, "low")
    think_in(compare, 1, "high")
    assert not compare.warning
    send_to_all(compare, "Is 97 a prime number?")
    assert not compare.exception
    bodies = [r.body for r in fake.requests_to("/api/chat")]
    assert sorted(body["think"] for body in bodies) == ["high", "low"]
    assert columns(compare) == ["gpt-oss:20b · Low", "gpt-oss:20b · High"]
    low, high = (
        [store.messages(s.id)[-1] for s in store.summaries() if s.title.endswith(level)] for level in ("Low", "High")
    )
    assert len(low[0].thinking) < len(high[0].thinking)  # high reasons more
    assert all(answer.stats and answer.stats.output_tokens_per_second for answer in (low[0], high[0]))
    assert {s.title for s in store.summaries()} == {
        "Is 97 a prime number? · gpt-oss:20b · Low",
        "Is 97 a prime number? · gpt-oss:20b · High",
    }
    # The saved levels come back with the comparison (a reload opens it from the address).
    assert sorted(store.get(s.id).think for s in store.summaries()) == ["high", "low"]


def test_a_thinking_model_on_and_off_side_by_side(compare, fake, store):
    pick(compare, "qwen3:0.6b", "qwen3:0.6b")
    think_in(compare, 1, False)
    send_to_all(compare, "Hello")
    assert sorted(r.body["think"] for r in fake.requests_to("/api/chat")) == [False, True]
    assert columns(compare) == ["qwen3:0.6b · thinking", "qwen3:0.6b · no thinking"]


def test_a_json_format_goes_to_every_column_and_each_answer_is_checked_and_pretty_printed(compare, fake, store):
    pick(compare, "llama3.2:latest", "qwen3:0.6b")
    compare.segmented_control(key=state.CHAT_COMPARE_FORMAT_INPUT).set_value("schema").run()
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    compare.text_area(key=state.CHAT_COMPARE_SCHEMA_INPUT).input(json.dumps(schema)).run()
    fake.script_reply('{"city": "Paris"}')
    fake.script_reply('{"town": 3}')
    send_to_all(compare, "Where is the Eiffel tower?")
    assert not compare.exception
    assert [r.body["format"] for r in fake.requests_to("/api/chat")] == [schema, schema]
    shown = sorted(code.value for code in compare.code)
    assert shown == ['{\n  "city": "Paris"\n}', '{\n  "town": 3\n}']
    assert "The answer does not match the schema:" in texts(compare.error)
    assert "The answer matches the schema." in texts(compare.success)


def test_a_schema_with_a_mistake_is_said_and_holds_the_message_back(compare):
    compare.segmented_control(key=state.CHAT_COMPARE_FORMAT_INPUT).set_value("schema").run()
    compare.text_area(key=state.CHAT_COMPARE_SCHEMA_INPUT).input("{not json").run()
    assert compare.error and compare.chat_input(key=state.CHAT_COMPARE_PROMPT_INPUT).proto.disabled


def test_one_image_goes_to_every_column_that_can_see_and_the_others_say_so(compare, fake, store):
    pick(compare, "llava:7b", "llama3.2:latest")
    prompt = compare.chat_input(key=state.CHAT_COMPARE_PROMPT_INPUT)
    prompt.upload("cat.png", picture("PNG"), "image/png")
    prompt.set_value("What is in the picture?").run()
    assert not compare.exception
    bodies = {r.body["model"]: r.body for r in fake.requests_to("/api/chat")}
    assert bodies["llava:7b"]["messages"][-1]["images"] == [PNG_BASE64]
    assert "images" not in bodies["llama3.2:latest"]["messages"][-1]
    assert texts(compare.caption).count("llama3.2:latest cannot see images: this column was sent the text only.") == 1
    assert all(store.messages(s.id)[0].images == [PNG_BASE64] for s in store.summaries())  # the question as asked


def test_each_answer_is_checked_against_the_format_it_was_asked_in_not_the_one_chosen_now(compare, fake, store):
    pick(compare, "llama3.2:latest", "qwen3:0.6b")
    fake.script_reply("Paris, of course.")
    fake.script_reply("It is in Paris.")
    send_to_all(compare, "Where is the Eiffel tower?")
    compare.segmented_control(key=state.CHAT_COMPARE_FORMAT_INPUT).set_value("json").run()
    assert not compare.exception and not compare.warning  # the free-text answers are not called broken JSON
    fake.script_reply('{"city": "Paris"}')
    fake.script_reply("not JSON")
    send_to_all(compare, "And as JSON?")
    assert [store.messages(s.id)[-1].format for s in store.summaries()] == ["json", "json"]
    assert [store.messages(s.id)[1].format for s in store.summaries()] == [None, None]
    assert len(compare.warning) == 1 and "not valid JSON" in compare.warning[0].value


# Issue 23: the same model on two servers is one comparison, each column streaming from its own server


def test_the_same_model_on_two_servers_is_one_comparison_each_column_on_its_own(two_servers, fake, gpu, store):
    at = open_chat()
    at.segmented_control(key=state.CHAT_MODE_INPUT).set_value("compare").run()
    assert "qwen3:0.6b · gpu" in at.selectbox(key=f"{state.CHAT_COMPARE_MODEL_INPUT}_0").options
    pick(at, ref("qwen3:0.6b", fake.url), ref("qwen3:0.6b", gpu.url))
    assert not at.warning  # not "the same model the same way": another server
    send_to_all(at, "Who is faster?")
    assert not at.exception
    assert (len(fake.requests_to("/api/chat")), len(gpu.requests_to("/api/chat"))) == (1, 1)
    assert columns(at) == ["qwen3:0.6b · laptop", "qwen3:0.6b · gpu"]
    answers = {store.get(s.id).server: store.messages(s.id)[-1] for s in store.summaries()}
    assert {url: answer.server for url, answer in answers.items()} == {fake.url: fake.url, gpu.url: gpu.url}
    figures = [texts(pane.chat_message[1].caption) for pane in at.columns if pane.chat_message]
    assert figures[0].startswith("qwen3:0.6b · laptop · ") and figures[1].startswith("qwen3:0.6b · gpu · ")
    assert all("tokens/s" in line for line in figures)  # the speed figures, side by side
    assert {s.title for s in store.summaries()} == {
        "Who is faster? · qwen3:0.6b · laptop",
        "Who is faster? · qwen3:0.6b · gpu",
    }


def test_a_column_whose_server_went_away_says_which_and_the_other_answers(two_servers, fake, gpu, store):
    at = open_chat()
    at.segmented_control(key=state.CHAT_MODE_INPUT).set_value("compare").run()
    pick(at, ref("qwen3:0.6b", fake.url), ref("llava:7b", gpu.url))
    gpu.stop()
    send_to_all(at, "Still there?")
    assert not at.exception
    assert "On **gpu**: Nothing is answering at" in texts(at.error)
    statuses = {store.get(s.id).model: store.messages(s.id)[-1].status for s in store.summaries()}
    assert statuses == {"qwen3:0.6b": DONE, "llava:7b": FAILED}


def test_a_column_on_a_server_the_session_does_not_have_holds_the_message_back(two_servers, fake, store):
    first = store.create(Conversation(model="qwen3:0.6b", server=fake.url))
    second = store.create(Conversation(model="qwen3:0.6b", server="http://10.9.9.9:11434"))
    at = open_chat({"compare": f"{first},{second}"})
    assert "Column 2 is on **10.9.9.9**, which is not one of this session's servers" in texts(at.warning)
    assert at.chat_input(key=state.CHAT_COMPARE_PROMPT_INPUT).proto.disabled


# Issue 22: token probabilities in every column, with where each parts from the first


def tinted(at: AppTest) -> list[str]:
    return [element.proto.body for element in at.get("html") if "lp-view" in element.proto.body]


def plain(elements) -> str:
    """The elements' text as the user reads it (Markdown escapes removed)."""
    return re.sub(r"\\(.)", r"\1", texts(elements))


def test_token_probabilities_in_every_column_and_where_each_parts_from_the_first(compare, fake, store):
    pick(compare, "llama3.2:latest", "llava:7b")
    assert not compare.toggle(key=state.CHAT_COMPARE_LOGPROBS_INPUT).value  # off by default
    compare.toggle(key=state.CHAT_COMPARE_LOGPROBS_INPUT).set_value(True).run()
    compare.number_input(key=state.CHAT_COMPARE_TOP_LOGPROBS_INPUT).set_value(4).run()
    fake.script_reply("The sky is blue by day.")
    fake.script_reply("The sky is red at dusk.")
    send_to_all(compare, "What colour is the sky?")
    assert not compare.exception
    bodies = [r.body for r in fake.requests_to("/api/chat")]
    assert len(bodies) == 2 and all(body["logprobs"] is True and body["top_logprobs"] == 4 for body in bodies)
    assert not tinted(compare)  # the answers first show as text
    compare.segmented_control(key=state.CHAT_COMPARE_VIEW_INPUT).set_value("tokens").run()
    views = tinted(compare)
    assert len(views) == 2
    # Which column got which reply is a race: the first column's answer is the one the others are compared with.
    first, second = (store.messages(int(i))[-1] for i in query_value(compare, "compare").split(","))
    mine, theirs = ("“ red”", "“ blue”") if first.content.startswith("The sky is blue") else ("“ blue”", "“ red”")
    said = plain(compare.caption)
    assert f"Same as llama3.2:latest for the first 3 tokens, then {mine} where llama3.2:latest has {theirs}." in said
    assert [view.count(' lp-mark"') for view in views] == [0, 1]
    spans = views[1].split('<span class="lp lp')[1:]
    assert len(spans) == len(second.content.split(" ")) + 1  # a token a word, and the full stop
    assert ' lp-mark"' in spans[3].split(">", 1)[0]  # the token where the second column parts from the first
    assert "The first token that differs from llama3.2:latest." in views[1]
    assert compare.selectbox(key=f"{state.CHAT_COMPARE_TOKEN_INPUT}_{second.id}").value == 3  # the picker starts there
    # The probabilities stay with the answers across a page switch (they are kept in the session).
    compare.switch_page("app_pages/generate.py").run()
    compare.switch_page(PAGE).run()
    assert not compare.exception and not tinted(compare)
    compare.segmented_control(key=state.CHAT_COMPARE_VIEW_INPUT).set_value("tokens").run()
    assert len(tinted(compare)) == 2


def test_without_the_switch_no_token_probabilities_are_asked_for_or_offered(compare, fake, store):
    pick(compare, "llama3.2:latest", "llava:7b")
    assert compare.number_input(key=state.CHAT_COMPARE_TOP_LOGPROBS_INPUT).disabled
    send_to_all(compare, "What colour is the sky?")
    assert not compare.exception
    bodies = [r.body for r in fake.requests_to("/api/chat")]
    assert len(bodies) == 2 and not any("logprobs" in body or "top_logprobs" in body for body in bodies)
    assert all(control.key != state.CHAT_COMPARE_VIEW_INPUT for control in compare.get("segmented_control"))
    assert "token probabilities" not in texts(compare.caption)


def test_the_next_message_without_the_switch_drops_the_earlier_answers_probabilities(compare, fake, store):
    pick(compare, "llama3.2:latest", "llava:7b")
    compare.toggle(key=state.CHAT_COMPARE_LOGPROBS_INPUT).set_value(True).run()
    send_to_all(compare, "What colour is the sky?")
    compare.segmented_control(key=state.CHAT_COMPARE_VIEW_INPUT).set_value("tokens").run()
    assert len(tinted(compare)) == 2
    compare.toggle(key=state.CHAT_COMPARE_LOGPROBS_INPUT).set_value(False).run()
    send_to_all(compare, "And at night?")
    assert not compare.exception and not tinted(compare)
    assert "logprobs" not in fake.requests_to("/api/chat")[-1].body


def latest_columns(store, conversations, kept) -> None:
    from lib import state
    from lib.chat import compare, compare_view

    state.init()
    compare.keep_tokens(kept)
    labels = [conversation.model for conversation in conversations]
    answers = compare_view.latest_answers(store, conversations, labels)
    for conversation, latest in zip(conversations, answers, strict=True):
        compare_view.draw_history(store, conversation, can_continue=False, latest=latest)


def test_a_column_whose_server_sent_no_probabilities_says_so(store):
    entries = ({"token": "Blue", "logprob": -0.1}, {"token": ".", "logprob": -0.01})
    sure, old = column(store, Message(ASSISTANT, "Blue.")), column(store, Message(ASSISTANT, "Blue."))
    sure_answer, old_answer = (store.messages(c.id)[-1].id for c in (sure, old))
    kept = {sure.id: LatestTokens(sure_answer, entries), old.id: LatestTokens(old_answer)}
    at = AppTest.from_function(latest_columns, args=(store, [sure, old], kept)).run()
    assert not at.exception
    said = "The server sent no token probabilities: they need Ollama 0.12.11 or newer."
    assert [caption.value for caption in at.chat_message[3].caption].count(said) == 1  # the old server's answer
    assert said not in [caption.value for caption in at.chat_message[1].caption]
    at.segmented_control(key=state.CHAT_COMPARE_VIEW_INPUT).set_value("tokens").run()
    assert len(tinted(at)) == 1 and at.chat_message[3].markdown[0].value == "Blue."  # shown as text, and said
    assert said in [caption.value for caption in at.chat_message[3].caption]


def test_tokens_the_model_wrote_are_shown_as_text_and_run_nothing(store):
    hostile = '<img src=x onerror=alert(1)> " onmouseover="x'
    entries = ({"token": hostile, "logprob": -0.2, "top_logprobs": [{"token": "<script>", "logprob": -0.5}]},)
    first, second = column(store, Message(ASSISTANT, hostile)), column(store, Message(ASSISTANT, "Fine."))
    kept = {c.id: LatestTokens(store.messages(c.id)[-1].id, entries) for c in (first, second)}
    at = AppTest.from_function(latest_columns, args=(store, [first, second], kept)).run()
    at.segmented_control(key=state.CHAT_COMPARE_VIEW_INPUT).set_value("tokens").run()
    views = tinted(at)
    assert len(views) == 2
    assert all("<img" not in view and "<script>" not in view.split("</style>", 1)[1] for view in views)
    assert "&lt;img src=x onerror=alert(1)&gt;" in views[0]
