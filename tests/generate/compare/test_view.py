"""Generate's Compare mode on screen (lib/generate/compare/view.py): what users see, and what was sent."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib import state
from lib.generate import logprobs
from lib.generate.compare import export as compare_export
from lib.generate.compare import stats as compare_stats
from lib.generate.compare import view as compare_view
from lib.generate.compare.form import ColumnSetup, CompareForm
from lib.generate.compare.record import CompareRecord
from lib.ollama.errors import ResponseError
from lib.ollama.stream import Answer
from tests.conftest import choose_models
from tests.generate.conftest import PNG
from tests.ollama.test_stream import overlapped

REPLY = " ".join(f"word{number}" for number in range(20))
LONG_REPLY = " ".join(f"word{number}" for number in range(300))
MODELS = ("llama3.2:latest", "llava:7b", "qwen3:0.6b")


@pytest.fixture
def page(open_app) -> AppTest:
    at = open_app("app_pages/generate.py")
    at.segmented_control(key=state.GENERATE_MODE_INPUT).set_value("compare").run()
    assert not at.exception
    return at


def columns(at: AppTest, *models: str) -> None:
    choose_models(at, state.COMPARE_COUNT_INPUT, state.COMPARE_MODEL_INPUT, models)


def option(at: AppTest, column: int, name: str):
    return at.number_input(key=f"compare_{column}_option_{name}")


def compare(at: AppTest, prompt: str = "Why is the sky blue?", **run_options) -> AppTest:
    at.text_area(key=state.COMPARE_PROMPT_INPUT).input(prompt)
    at.button(key=state.COMPARE_RUN_BUTTON).click().run(**run_options)
    assert not at.exception
    return at


def sent(fake) -> list[dict]:
    return [request.body for request in fake.requests_to("/api/generate")]


def texts(elements) -> str:
    """The elements' text as the user reads it (Markdown escapes removed)."""
    return re.sub(r"\\(.)", r"\1", "\n".join(element.value for element in elements))


def headings(at: AppTest) -> list[str]:
    """Column headings as the user reads them (their Markdown escapes removed)."""
    return [re.sub(r"\\(.)", r"\1", heading.value) for heading in at.subheader]


def summary(at: AppTest):
    return at.dataframe[0].value


def test_every_column_reaches_the_fake_with_its_own_options(page, fake):
    columns(page, "llama3.2:latest", "llama3.2:latest", "qwen3:0.6b")
    option(page, 0, "temperature").set_value(0.2)
    option(page, 1, "temperature").set_value(1.0)
    option(page, 2, "top_k").set_value(20)
    page.segmented_control(key=f"{state.COMPARE_THINK_INPUT}_2").set_value(False)
    page.number_input(key=state.COMPARE_SEED_INPUT).set_value(42)
    page.text_area(key=state.COMPARE_SYSTEM_INPUT).input("Be brief.")
    compare(page)
    common = {"prompt": "Why is the sky blue?", "system": "Be brief.", "stream": True}
    assert sorted(sent(fake), key=str) == sorted(
        [
            {"model": "llama3.2:latest", **common, "options": {"temperature": 0.2, "seed": 42}},
            {"model": "llama3.2:latest", **common, "options": {"temperature": 1.0, "seed": 42}},
            {"model": "qwen3:0.6b", **common, "options": {"top_k": 20, "seed": 42}, "think": False},
        ],
        key=str,
    )
    assert headings(page)[:3] == ["A · llama3.2:latest", "B · llama3.2:latest", "C · qwen3:0.6b"]
    captions = texts(page.caption)
    assert "temperature 0.2 · seed 42" in captions and "top k 20 · seed 42 · no thinking" in captions


def test_the_streams_overlap_and_each_column_shows_its_answer_and_figures(page, fake):
    fake.token_delay = 0.02
    for number in range(3):
        fake.script_reply(f"Answer {number}: {REPLY}")
    columns(page, *MODELS)
    compare(page)
    requests = fake.requests_to("/api/generate")
    assert len(requests) == 3
    assert overlapped(fake)
    shown = texts(page.markdown)
    assert all(f"Answer {number}: {REPLY}" in shown for number in range(3))
    assert texts(page.markdown).count("Tokens/s: **") == 3  # three columns: compact figures, not metrics
    table = summary(page)
    assert list(table["Column"]) == ["A · llama3.2:latest", "B · llava:7b", "C · qwen3:0.6b"]
    assert list(table["Status"]) == ["done"] * 3 and table["Tokens/s"].notna().all()
    assert "the server answered the columns in parallel" in texts(page.caption)
    assert "Best, highlighted" in texts(page.caption)


def test_a_server_that_queues_the_columns_is_called_out(page, fake):
    fake.token_delay = 0.02
    fake.num_parallel = 1
    fake.script_reply(REPLY)
    fake.script_reply(REPLY)
    columns(page, "llama3.2:latest", "llama3.2:latest")
    option(page, 1, "temperature").set_value(1.5)
    compare(page)
    said = texts(page.caption)
    assert "The server queued these requests" in said
    assert "started writing only after" in said and "OLLAMA_NUM_PARALLEL" in said


def test_a_server_that_runs_one_model_at_a_time_is_called_out_too(page, fake):
    """Different models on a server that keeps one loaded (OLLAMA_MAX_LOADED_MODELS=1) queue as well."""
    fake.token_delay = 0.02
    fake.max_loaded_models = 1
    fake.script_reply(REPLY)
    fake.script_reply(REPLY)
    columns(page, "llama3.2:latest", "qwen3:0.6b")
    compare(page)
    said = texts(page.caption)
    assert "The server queued these requests" in said and "in parallel" not in said.split("OLLAMA")[0]


def test_stop_closes_every_stream_and_keeps_the_partial_answers(page, fake):
    fake.token_delay = 0.05
    for _ in range(3):
        fake.script_reply(LONG_REPLY)
    columns(page, *MODELS[:2], "llama3.2:latest")
    page.text_area(key=state.COMPARE_PROMPT_INPUT).input("Tell me a long story.")
    # A click during a run interrupts the script at its next Streamlit call; AppTest does the
    # same when a run outlives its timeout, which is how Stop is exercised here.
    with pytest.raises(RuntimeError, match="timed out"):
        page.button(key=state.COMPARE_RUN_BUTTON).click().run(timeout=3)
    assert fake.wait_for(
        lambda f: (
            len(f.requests_to("/api/generate")) == 3
            and all(r.client_disconnected for r in f.requests_to("/api/generate"))
        ),
        timeout=10,
    )
    assert all(request.chunks_sent < 300 for request in fake.requests_to("/api/generate"))
    page.button(key=state.COMPARE_RUN_BUTTON).set_value(False)
    page.run()
    assert texts(page.warning).count("Stopped before the answer was complete.") == 3
    assert list(summary(page)["Status"]) == ["stopped"] * 3
    assert "word0 word1" in texts(page.markdown)
    assert page.text_area(key=state.COMPARE_PROMPT_INPUT).value == "Tell me a long story."


def test_blind_mode_hides_the_models_until_revealed(page, fake):
    columns(page, *MODELS)
    page.toggle(key=state.COMPARE_BLIND_INPUT).set_value(True)
    compare(page)
    answers = headings(page)[:3]
    assert sorted(answers) == ["Answer 1", "Answer 2", "Answer 3"]
    table = summary(page)
    assert list(table["Column"]) == ["Answer 1", "Answer 2", "Answer 3"] and "Settings" not in table.columns
    shown = "\n".join([*headings(page), texts(page.caption), texts(page.markdown), texts(page.info)])
    assert not any(model in shown for model in ("llama3.2", "llava", "qwen3"))
    assert not page.get("download_button")
    record = page.session_state[state.COMPARE_LAST]
    assert record.order != (0, 1, 2)  # shown in another order than set up
    page.button(key=state.COMPARE_REVEAL_BUTTON).click().run()
    revealed = headings(page)[:3]
    assert revealed == [f"Answer {position + 1} · {MODELS[column]}" for position, column in enumerate(record.order)]
    assert [button.label for button in page.get("download_button")] == ["Export as Markdown", "Export as JSON"]


def test_the_export_contains_every_column(page, fake):
    for number in range(4):
        fake.script_reply(f"Reply {number}.")
    columns(page, *MODELS, "llama3.2:latest")
    option(page, 3, "temperature").set_value(0.7)
    compare(page)
    assert [button.label for button in page.get("download_button")] == ["Export as Markdown", "Export as JSON"]
    record = page.session_state[state.COMPARE_LAST]
    markdown = compare_export.to_markdown(record)
    for heading in ("## A · llama3.2:latest", "## B · llava:7b", "## C · qwen3:0.6b", "## D · llama3.2:latest"):
        assert heading in markdown
    assert all(f"Reply {number}." in markdown for number in range(4))
    exported = compare_export.to_dict(record)["columns"]
    assert sorted(map(str, (column["request"] for column in exported))) == sorted(map(str, sent(fake)))
    assert sorted(column["answer"] for column in exported) == [f"Reply {number}." for number in range(4)]
    assert exported[3]["request"]["options"] == {"temperature": 0.7}


def test_a_problem_in_one_column_sends_nothing(page, fake):
    columns(page, *MODELS[:2])
    option(page, 1, "temperature").set_value(0.5)
    page.text_input(key="compare_1_option_keep_alive").input("soon")
    compare(page)
    assert "Nothing was sent. Column B:" in texts(page.error)
    assert fake.requests_to("/api/generate") == []


def test_the_form_survives_a_visit_to_another_page(page, fake):
    columns(page, "qwen3:0.6b", "llama3.2:latest", "llava:7b")
    option(page, 2, "temperature").set_value(0.4)
    page.text_area(key=state.COMPARE_PROMPT_INPUT).input("Kept?").run()
    page.switch_page("app_pages/home.py").run()
    page.switch_page("app_pages/generate.py").run()
    assert page.segmented_control(key=state.GENERATE_MODE_INPUT).value == "compare"
    assert page.text_area(key=state.COMPARE_PROMPT_INPUT).value == "Kept?"
    assert [page.selectbox(key=f"{state.COMPARE_MODEL_INPUT}_{i}").value.model for i in range(3)] == [
        "qwen3:0.6b",
        "llama3.2:latest",
        "llava:7b",
    ]
    assert option(page, 2, "temperature").value == 0.4


def finished(first: float, seconds: float, tokens: int) -> Answer:
    final = {
        "done": True,
        "done_reason": "stop",
        "eval_count": tokens,
        "eval_duration": int(seconds * 1e9),
        "total_duration": int((seconds + first) * 1e9),
    }
    return Answer(content="Blue.", final=final, first_token=first, ended_after=first + seconds)


def summary_record(blind: bool = False) -> CompareRecord:
    form = CompareForm(
        prompt="Why?",
        columns=(
            ColumnSetup("llama3.2:latest", {"temperature": 0.2}),
            ColumnSetup("qwen3:0.6b"),
            ColumnSetup("llava:7b"),
        ),
        blind=blind,
    )
    results = (
        finished(0.3, 1.0, 40),
        finished(0.1, 2.0, 40),
        Answer(content="Bl", stopped=True, first_token=0.2),
    )
    bodies = tuple({"model": setup.model} for setup in form.columns)
    return CompareRecord(1, datetime(2026, 11, 25, 18, 0, 0), form, bodies, results, order=(2, 0, 1) if blind else ())


def test_the_summary_has_a_row_per_column_as_shown_and_the_best_row_of_each_speed_figure():
    frame, winners = compare_view.summary_frame(summary_record())
    assert list(frame[compare_view.COLUMN]) == ["A · llama3.2:latest", "B · qwen3:0.6b", "C · llava:7b"]
    assert list(frame[compare_view.SETTINGS]) == ["temperature 0.2", "model defaults", "model defaults"]
    assert list(frame[compare_view.STATUS]) == ["done", "done", "stopped"]
    assert list(frame[compare_stats.OUTPUT_TOKENS][:2]) == [40, 40]
    assert winners == {
        compare_stats.TIME_TO_FIRST_TOKEN: 1,
        compare_stats.TOKENS_PER_SECOND: 0,
        compare_stats.TOTAL_TIME: 0,
    }


def test_an_empty_or_failed_column_is_never_crowned_best():
    form = CompareForm(prompt="Say OK.", columns=(ColumnSetup("llama3.2:latest"), ColumnSetup("qwen3:0.6b")))
    empty = Answer(content="", final={"done": True, "eval_count": 0, "total_duration": 10_000_000}, ended_after=0.01)
    empty.first_token = None
    failed = Answer(content="O", first_token=0.01, ended_after=0.02)
    failed.fail(ResponseError("errors.server_said", {"said": "boom"}, status_code=500), 0.02)
    for broken in (empty, failed):
        record = CompareRecord(1, datetime(2026, 12, 7), form, ({}, {}), (finished(0.3, 1.0, 40), broken))
        _frame, winners = compare_view.summary_frame(record)
        assert winners == {}  # one answer has nothing to beat, and the broken column wins nothing


def test_a_stopped_column_shows_the_time_to_first_token_it_measured():
    frame, _winners = compare_view.summary_frame(summary_record())
    assert frame[compare_stats.TIME_TO_FIRST_TOKEN][2] == 0.2
    assert frame[compare_stats.TOKENS_PER_SECOND].isna()[2]


def test_a_blind_summary_names_no_model_and_shows_no_settings():
    frame, winners = compare_view.summary_frame(summary_record(blind=True))
    assert list(frame[compare_view.COLUMN]) == ["Answer 1", "Answer 2", "Answer 3"]
    assert compare_view.SETTINGS not in frame.columns
    assert list(frame[compare_view.STATUS]) == ["stopped", "done", "done"]  # shown order: C, A, B
    assert winners[compare_stats.TIME_TO_FIRST_TOKEN] == 2  # B, shown third


def test_summary_columns_are_titled_in_the_sessions_language():
    assert [compare_view.column_title(name) for name in (compare_view.COLUMN, compare_view.STATUS)] == [
        "Column",
        "Status",
    ]
    assert compare_view.column_title(compare_stats.TOKENS_PER_SECOND) == "Tokens/s"


def test_empty_figures_are_dashes_and_others_are_worded():
    assert compare_view._seconds_text(float("nan")) == "—"
    assert compare_view._rate_text(1234.56) == "1,234.6"
    assert compare_view._count_text(12345.0) == "12,345"


def seeded_columns(saved_models: tuple[str | None, ...], installed: list[str]) -> None:
    import streamlit as st

    from lib import state
    from lib.fleet.models import ModelRef
    from lib.generate.compare import view as compare_view
    from lib.generate.compare.form import ColumnSetup, CompareForm

    state.put(state.COMPARE_FORM, CompareForm(columns=tuple(ColumnSetup(model) for model in saved_models)))
    for column in range(4):
        compare_view.seed_column(column, [ModelRef(model, "http://laptop:11434") for model in installed])
        seeded = st.session_state.get(f"{state.COMPARE_MODEL_INPUT}_{column}")
        st.text(str(seeded and seeded.model))


def test_a_column_keeps_its_saved_model_and_a_new_one_starts_on_another_installed_model():
    at = AppTest.from_function(seeded_columns, args=(("qwen3:0.6b", None), ["llama3.2:latest", "llava:7b"])).run()
    assert [text.value for text in at.text] == ["qwen3:0.6b", "llava:7b", "llama3.2:latest", "llava:7b"]


def test_with_nothing_installed_a_new_column_is_left_to_the_model_picker():
    at = AppTest.from_function(seeded_columns, args=((None, None), [])).run()
    assert [text.value for text in at.text] == ["None"] * 4


def export_app(record: "CompareRecord") -> None:
    from lib.generate.compare import view as compare_view

    compare_view.show_export(record)


def test_a_blind_comparison_is_exported_only_once_revealed():
    record = summary_record(blind=True)
    hidden = AppTest.from_function(export_app, args=(record,)).run()
    assert hidden.caption[0].value == "Reveal the models to export the comparison."
    assert not hidden.get("download_button")
    record.revealed = True
    shown = AppTest.from_function(export_app, args=(record,)).run()
    assert [button.proto.label for button in shown.get("download_button")] == ["Export as Markdown", "Export as JSON"]


def install_gpt_oss(at: AppTest, fake) -> None:
    fake.install("gpt-oss:20b")
    st.cache_data.clear()  # the model list is cached for a few seconds
    at.run()


def test_columns_may_differ_only_by_thinking_level(page, fake):
    install_gpt_oss(page, fake)
    columns(page, "gpt-oss:20b", "gpt-oss:20b")
    levels = page.segmented_control(key=f"{state.COMPARE_THINK_INPUT}_0")
    assert levels.options == ["Low", "Medium", "High"] and levels.value == "medium"
    levels.set_value("low")
    page.segmented_control(key=f"{state.COMPARE_THINK_INPUT}_1").set_value("high")
    compare(page)
    assert sorted(body["think"] for body in sent(fake)) == ["high", "low"]
    assert headings(page)[:2] == ["A · gpt-oss:20b · low", "B · gpt-oss:20b · high"]
    table = summary(page)
    assert list(table["Column"]) == ["A · gpt-oss:20b · low", "B · gpt-oss:20b · high"]
    low, high = table["Thinking (characters)"].tolist()
    assert high > 3 * low > 0  # high thinks much longer: set beside speed and total time in the same table
    assert table["Thinking time"].notna().all() and table["Total time"].notna().all()
    assert "Thought for" in texts(page.caption)
    exported = json.loads(compare_export.to_json(page.session_state[state.COMPARE_LAST]))
    assert [column["request"]["think"] for column in exported["columns"]] == ["low", "high"]


def test_on_and_off_tell_the_same_model_apart(page, fake):
    columns(page, "qwen3:0.6b", "qwen3:0.6b")
    page.segmented_control(key=f"{state.COMPARE_THINK_INPUT}_1").set_value(False)
    compare(page)
    assert [body.get("think") for body in sent(fake)].count(False) == 1
    assert headings(page)[:2] == ["A · qwen3:0.6b", "B · qwen3:0.6b · no thinking"]


def test_a_model_that_cannot_think_has_the_control_disabled_and_sends_no_think(page, fake):
    columns(page, "llama3.2:latest", "qwen3:0.6b")
    assert page.segmented_control(key=f"{state.COMPARE_THINK_INPUT}_0.unavailable").disabled
    compare(page)
    assert [body.get("think") for body in sorted(sent(fake), key=lambda body: body["model"])] == [None, True]


def test_one_image_goes_to_the_columns_that_can_see_and_the_others_say_so(page, fake):
    columns(page, "llava:7b", "llama3.2:latest")
    page.file_uploader(key=f"{state.COMPARE_IMAGE_INPUT}_0").set_value(("dot.png", PNG, "image/png")).run()
    assert "`llama3.2:latest` cannot see images" in "\n".join(caption.value for caption in page.caption)
    compare(page, "What is in this picture?")
    bodies = {body["model"]: body for body in sent(fake)}
    assert bodies["llava:7b"]["images"] == [base64.b64encode(PNG).decode()]
    assert "images" not in bodies["llama3.2:latest"]
    said = texts(page.caption)
    assert "The image was sent with the prompt." in said and "it got the prompt alone" in said
    request_tabs = next(expander for expander in page.expander if expander.label == "API requests")
    assert base64.b64encode(PNG).decode() not in request_tabs.code[0].value  # shortened for reading


def test_the_image_is_kept_across_a_visit_to_another_page_and_can_be_removed(page, fake):
    columns(page, "llava:7b", "llama3.2:latest")
    page.file_uploader(key=f"{state.COMPARE_IMAGE_INPUT}_0").set_value(("dot.png", PNG, "image/png")).run()
    page.switch_page("app_pages/home.py").run()
    page.switch_page("app_pages/generate.py").run()
    compare(page)
    assert next(body for body in sent(fake) if body["model"] == "llava:7b")["images"]
    page.button(key=state.COMPARE_CLEAR_IMAGE_BUTTON).click().run()
    compare(page)
    assert not any("images" in body for body in sent(fake)[-2:])


def tinted(at: AppTest) -> list[str]:
    return [element.proto.body for element in at.get("html") if "lp-view" in element.proto.body]


def test_token_probabilities_in_every_column_and_where_each_parts_from_the_first(page, fake):
    columns(page, "llama3.2:latest", "qwen3:0.6b", "llama3.2:latest")
    page.toggle(key=state.COMPARE_LOGPROBS_INPUT).set_value(True).run()
    page.number_input(key=state.COMPARE_TOP_LOGPROBS_INPUT).set_value(4)
    page.number_input(key=state.COMPARE_SEED_INPUT).set_value(7)
    compare(page)
    assert all(body["logprobs"] is True and body["top_logprobs"] == 4 for body in sent(fake))
    assert not tinted(page)  # the answers first show as text
    page.segmented_control(key=state.COMPARE_VIEW_INPUT).set_value("tokens").run()
    views = tinted(page)
    assert len(views) == 3
    record = page.session_state[state.COMPARE_LAST]
    first, second = (logprobs.tokens(record.results[column].logprobs) for column in (0, 1))
    parted = logprobs.divergence(first, second)
    assert parted is not None and parted.reference is not None and parted.other is not None
    said = texts(page.caption)
    assert "Token for token the same as A." in said  # column C: same model, same seed, same settings
    if parted.index:
        assert f"Same as A for the first {parted.index} tokens, then “{parted.other}” where A has" in said
    else:
        assert f"Differs from A from the first token: “{parted.other}” where A has" in said
    assert [view.count(' lp-mark"') for view in views] == [0, 1, 0]
    spans = views[1].split('<span class="lp lp')[1:]
    assert ' lp-mark"' in spans[parted.index].split(">", 1)[0]  # the token where B parts from A is outlined
    assert "The first token that differs from A." in views[1]
    assert page.selectbox(key=f"{state.COMPARE_TOKEN_INPUT}_1_1").value == parted.index  # the picker starts there


def test_a_json_schema_goes_to_every_column_and_each_answer_is_checked_against_it(page, fake):
    columns(page, "llama3.2:latest", "llava:7b")
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    page.segmented_control(key=state.COMPARE_FORMAT_INPUT).set_value("schema").run()
    page.text_area(key=state.COMPARE_SCHEMA_INPUT).input(json.dumps(schema)).run()
    fake.script_reply('{"city": "Paris"}')
    fake.script_reply('{"town": 3}')
    compare(page, "Where is the Eiffel tower?")
    assert not page.exception
    assert [body["format"] for body in sent(fake)] == [schema, schema]
    answers = [code.value for code in page.main.code if code.language == "json" and '"model"' not in code.value]
    assert sorted(answers) == [
        '{\n  "city": "Paris"\n}',
        '{\n  "town": 3\n}',
    ]
    assert "The answer matches the schema." in texts(page.success)
    assert "The answer does not match the schema:" in texts(page.error)


def test_a_schema_with_a_mistake_holds_the_comparison_back_with_a_sentence(page, fake):
    columns(page, "llama3.2:latest", "llava:7b")
    page.segmented_control(key=state.COMPARE_FORMAT_INPUT).set_value("schema").run()
    page.text_area(key=state.COMPARE_SCHEMA_INPUT).input('{"type": "strang"}').run()
    compare(page)
    assert sent(fake) == []
    assert "Fix the JSON schema above first" in texts(page.warning) + texts(page.error)
