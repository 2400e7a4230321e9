"""The Generate form kept in session state (lib/generate/form_state.py) and its widgets seeded from it."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from lib import state
from lib.fleet.models import ModelRef
from lib.generate.form import GenerateForm, encode_image
from tests.generate.conftest import option, texts

SAVED = GenerateForm(
    model="qwen3:0.6b",
    prompt="Kept prompt",
    system="Be brief.",
    think=False,
    images=("QUJD",),
    options={"temperature": 0.4},
    keep_alive="5m",
)


def test_the_form_survives_a_visit_to_another_page(page, fake):
    page.text_area(key=state.GENERATE_PROMPT_INPUT).input("Keep me").run()
    page.text_area(key=state.GENERATE_SYSTEM_INPUT).input("Be brief.").run()
    option(page, "temperature").set_value(0.4).run()
    page.switch_page("app_pages/home.py").run()
    page.switch_page("app_pages/generate.py").run()
    assert page.text_area(key=state.GENERATE_PROMPT_INPUT).value == "Keep me"
    assert page.text_area(key=state.GENERATE_SYSTEM_INPUT).value == "Be brief."
    assert option(page, "temperature").value == 0.4
    assert page.selectbox(key=state.GENERATE_MODEL_INPUT).value == ModelRef("llama3.2:latest", fake.url)


def seeded(saved: "GenerateForm | None", typed: dict) -> None:
    """Widget values after :func:`form_state.seed`, for a saved form and values the widgets still hold."""
    import streamlit as st

    from lib import state
    from lib.generate import form_state

    if saved is not None:
        form_state.save(saved)
    for key, value in typed.items():
        st.session_state[key] = value
    form_state.seed()
    for name, key in form_state.WIDGET_KEYS.items():
        st.text(f"{name}={st.session_state.get(key)!r}")
    st.text(f"saved={state.get(state.GENERATE_FORM) is not None}")


def shown(at: AppTest) -> dict[str, str]:
    assert not at.exception
    return dict(text.value.split("=", 1) for text in at.text)


def test_seed_gives_widgets_that_lost_their_value_the_saved_one_and_keeps_the_others():
    at = AppTest.from_function(seeded, args=(SAVED, {state.GENERATE_PROMPT_INPUT: "Typed now"})).run()
    values = shown(at)
    assert values["prompt"] == "'Typed now'"
    assert values["system"] == "'Be brief.'"
    assert values["model"] == "ModelRef(model='qwen3:0.6b', server='http://127.0.0.1:11434')"  # the sidebar's
    assert values["think"] == "False"


def test_seed_without_a_saved_form_uses_the_defaults_and_leaves_the_model_to_the_picker():
    at = AppTest.from_function(seeded, args=(None, {})).run()
    values = shown(at)
    assert values["model"] == "None"  # not set: the picker starts on the sidebar's default model
    assert values["prompt"] == "''" and values["stream"] == "True" and values["output_format"] == "'plain'"
    assert values["saved"] == "False"  # seeding saves nothing


def restored(form: "GenerateForm") -> None:
    import streamlit as st

    from lib import state
    from lib.generate import form_state

    before = form_state.uploader_key()
    st.session_state[state.GENERATE_PROMPT_INPUT] = "Typed before"
    form_state.restore(form)
    st.text(f"prompt={st.session_state[state.GENERATE_PROMPT_INPUT]}")
    st.text(f"model={st.session_state[state.GENERATE_MODEL_INPUT]}")
    st.text(f"think={st.session_state[state.GENERATE_THINK_INPUT]}")
    st.text(f"saved={form_state.saved() == form}")
    st.text(f"fresh uploader={form_state.uploader_key() != before}")
    st.text(f"temperature={st.session_state.get('generate_option_temperature')}")
    st.text(f"keep alive={st.session_state.get('generate_option_keep_alive')}")


def test_restore_puts_the_form_into_every_widget_and_gives_a_fresh_uploader():
    values = shown(AppTest.from_function(restored, args=(SAVED,)).run())
    assert values == {
        "prompt": "Kept prompt",
        "model": "ModelRef(model='qwen3:0.6b', server='http://127.0.0.1:11434')",
        "think": "False",
        "saved": "True",
        "fresh uploader": "True",
        "temperature": "0.4",
        "keep alive": "5m",
    }


def uploads(files: list[bytes]) -> None:
    import io

    import streamlit as st

    from lib.generate import form_state

    form_state.save(form_state.saved().with_values(images=("OLD",)))
    st.session_state[form_state.uploader_key()] = [io.BytesIO(data) for data in files]
    form_state.take_uploads()
    st.text(" ".join(form_state.saved().images) or "none")
    form_state.drop_images()
    st.text(" ".join(form_state.saved().images) or "none")


def test_uploaded_files_become_the_forms_images_and_can_be_dropped():
    at = AppTest.from_function(uploads, args=([b"\x89PNG", b"GIF8"],)).run()
    assert not at.exception
    assert at.text[0].value.split() == [encode_image(b"\x89PNG"), encode_image(b"GIF8")]
    assert at.text[1].value == "none"


def test_removing_every_uploaded_file_leaves_no_images():
    at = AppTest.from_function(uploads, args=([],)).run()
    assert texts(at.text) == "none\nnone"
