"""Home in a real browser: the connection doctor against a live server and against none."""

import requests
from playwright.sync_api import Page, expect

from tests.streamlit_process import free_port


def test_home_shows_version_and_model_count(app, fake, page: Page):
    page.goto(app.url)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(f"Connected to Ollama {fake.version}")).to_be_visible()
    installed = page.get_by_test_id("stMetric").filter(has_text="Installed models")
    expect(installed).to_contain_text(str(len(requests.get(f"{fake.url}/api/tags", timeout=5).json()["models"])))
    expect(page.get_by_test_id("stSidebar")).to_contain_text(f"Ollama {fake.version}")


def test_home_without_a_server_shows_the_help_panel(start_app, page: Page):
    down = start_app(OLLAMA_HOST=f"127.0.0.1:{free_port()}")
    page.goto(down.url)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("What to try")).to_be_visible()
    expect(main.get_by_text("Nothing is answering")).to_be_visible()
    expect(main.get_by_role("button", name="Retry")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
