"""The "API request" panel (lib/generate/request_preview.py): the exact body, as JSON, curl and Python."""

from __future__ import annotations

import json
from datetime import datetime

from streamlit.testing.v1 import AppTest

from lib.generate.form import Draft, GenerateForm, checked
from lib.generate.record import RunRecord
from tests.conftest import ENTRY_POINT
from tests.generate.conftest import codes, generate, option, sent

FORM = GenerateForm(model="llama3.2:latest", prompt="Why is the sky blue?")
LAST_BODY = {"model": "llama3.2:latest", "prompt": "Earlier", "stream": True, "images": ["QUJD" * 1000]}


def request_panel(at: AppTest) -> dict[str, str]:
    panel = next(expander for expander in at.expander if expander.label == "API request")
    return {tab.label: tab.code[0].value for tab in panel.tabs}


def test_the_request_panel_shows_the_exact_body_curl_and_python(page, fake):
    option(page, "temperature").set_value(0.2)
    generate(page)
    shown = request_panel(page)
    assert json.loads(shown["JSON body"]) == sent(fake)
    assert shown["curl"].startswith(f"curl {fake.url}/api/generate \\")
    assert "Authorization" not in shown["curl"]
    assert "'temperature': 0.2" in shown["Python (requests)"]
    assert "stream=True" in shown["Python (requests)"]


def test_the_request_panel_never_shows_the_api_key(fake, monkeypatch, tmp_path):
    fake.api_key = "sk-secret-123"
    monkeypatch.setenv("OLLAMA_HOST", fake.url)
    monkeypatch.setenv("OLLAMA_API_KEY", "sk-secret-123")
    monkeypatch.setenv("OLLAMA_STUDIO_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(ENTRY_POINT, default_timeout=30)
    at.run()
    at.switch_page("app_pages/generate.py").run()
    generate(at)
    assert fake.requests_to("/api/generate")[-1].headers["Authorization"] == "Bearer sk-secret-123"
    shown = request_panel(at)
    assert '-H "Authorization: Bearer $OLLAMA_API_KEY"' in shown["curl"]
    assert "os.environ['OLLAMA_API_KEY']" in shown["Python (requests)"]
    everything = "\n".join(codes(at) + [m.value for m in at.markdown] + [c.value for c in at.caption])
    assert "sk-secret-123" not in everything
    assert "The API key is not shown" in "\n".join(c.value for c in at.caption)


def panel_app(draft: "Draft", shown_run: "RunRecord | None") -> None:
    from lib.generate import request_preview
    from lib.ollama.client import OllamaClient

    request_preview.panel(OllamaClient("http://gpu-box:11434"), draft, shown_run)


def open_panel(draft: Draft, shown_run: RunRecord | None = None) -> AppTest:
    at = AppTest.from_function(panel_app, args=(draft, shown_run)).run()
    assert not at.exception
    return at


def test_a_sendable_form_shows_the_request_it_would_send_now():
    at = open_panel(checked(FORM, {"completion"}))
    assert at.caption[0].value == "What Generate sends for the form as it is now."
    shown = request_panel(at)
    assert json.loads(shown["JSON body"]) == {
        "model": "llama3.2:latest",
        "prompt": "Why is the sky blue?",
        "stream": True,
    }
    assert shown["curl"].startswith("curl http://gpu-box:11434/api/generate \\")
    assert "http://gpu-box:11434/api/generate" in shown["Python (requests)"]
    assert "The API key is not shown" not in "\n".join(c.value for c in at.caption)


def test_a_form_that_cannot_be_sent_shows_the_last_request_and_why(downloads):
    last = RunRecord(1, datetime(2026, 11, 25, 14, 2, 7), FORM, LAST_BODY)
    at = open_panel(Draft(FORM, None, "Type a prompt first."), last)
    captions = [caption.value for caption in at.caption]
    assert captions[0] == "The form cannot be sent as it is: Type a prompt first. Shown: the last request sent."
    shown = json.loads(request_panel(at)["JSON body"])
    assert shown["prompt"] == "Earlier"
    assert shown["images"] == ["<image 1: 4 KB of base64>"]  # shortened for reading
    assert any(caption.startswith("Images are shortened here.") for caption in captions)
    assert [(d["file_name"], json.loads(d["data"])) for d in downloads] == [("generate-request.json", LAST_BODY)]


def test_before_any_run_a_form_that_cannot_be_sent_shows_only_why():
    at = open_panel(Draft(FORM, None, "Pick a model first."))
    assert [caption.value for caption in at.caption] == ["The form cannot be sent as it is: Pick a model first."]
    assert not at.tabs and not at.get("download_button")
