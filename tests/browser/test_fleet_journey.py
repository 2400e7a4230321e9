"""Several servers in a real browser: add a second server in the sidebar, find it on Home, and pull a model
onto it from the Models page (the pull reaches that server, not the first)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.fake_ollama import FakeOllama


def test_add_a_server_see_it_on_home_and_pull_a_model_onto_it(app, fake, page: Page):
    with FakeOllama(token_delay=0.02) as gpu:
        page.goto(app.url)
        main = page.get_by_test_id("stMain")
        sidebar = page.get_by_test_id("stSidebar")
        expect(main.get_by_text(f"Connected to Ollama {fake.version}")).to_be_visible()
        expect(sidebar).not_to_contain_text("servers ·")

        sidebar.get_by_text("Connection").click()
        sidebar.get_by_role("button", name="Add a server").click()
        form = page.get_by_test_id("stPopoverBody")
        form.get_by_role("textbox", name="Address").fill(gpu.url)
        form.get_by_role("textbox", name="Short name (optional)").fill("gpu")
        form.get_by_role("button", name="Add", exact=True).click()

        expect(sidebar).to_contain_text("2 servers · 2 answering")
        expect(main.get_by_role("heading", name="gpu")).to_be_visible()
        expect(main.get_by_text(f"Connected to Ollama {gpu.version} at {gpu.url}.")).to_be_visible()

        page.keyboard.press("Escape")
        sidebar.get_by_test_id("stSidebarNav").get_by_role("link", name="Models").click()
        expect(main.get_by_role("heading", name="Models")).to_be_visible()
        server = main.get_by_role("combobox", name="Server", exact=True)
        server.click()
        page.get_by_role("option", name=f"gpu · {gpu.url}").click()
        main.get_by_role("tab", name="Pull").click()
        expect(main.get_by_text("The model is pulled onto gpu.")).to_be_visible()
        main.get_by_label("Model name").fill("tinyllama:latest")
        main.get_by_role("button", name="Pull").click()
        expect(main.get_by_text("Pulling tinyllama:latest onto gpu")).to_be_visible()
        expect(main.get_by_test_id("stProgress")).to_contain_text("100%", timeout=30_000)
        expect(main.get_by_text("tinyllama:latest is installed.")).to_be_visible()

        assert [r.body["model"] for r in gpu.requests_to("/api/pull")] == ["tinyllama:latest"]
        assert fake.requests_to("/api/pull") == []
        expect(page.get_by_test_id("stException")).to_have_count(0)
