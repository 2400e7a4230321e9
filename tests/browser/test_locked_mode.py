"""Locked mode in a real browser: no address or key box, model management only after the admin password."""

from __future__ import annotations

from playwright.sync_api import Page, expect

PASSWORD = "a long random password"
MANAGEMENT = [".st-key-models_copy", ".st-key-models_delete"]


def assert_management_hidden(page: Page) -> None:
    expect(page.get_by_role("tab", name="Installed")).to_be_visible()
    expect(page.get_by_role("tab", name="Pull")).to_have_count(0)
    expect(page.get_by_role("tab", name="Create")).to_have_count(0)
    for selector in MANAGEMENT:
        expect(page.locator(selector)).to_have_count(0)


def test_a_locked_app_hides_the_address_the_key_and_model_management_until_the_password(
    start_app, fake_server, fake, page: Page, tmp_path
):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'admin_password = "{PASSWORD}"\n')
    app = start_app(OLLAMA_HOST=fake_server.url, OLLAMA_STUDIO_LOCKED="1", STREAMLIT_SECRETS_FILES=str(secrets))
    page.goto(app.url + "/models")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Connection").click()
    expect(sidebar).to_contain_text("fixed for this demo")
    expect(sidebar.get_by_label("Server address", exact=True)).to_have_count(0)
    expect(sidebar.get_by_label("API key", exact=True)).to_have_count(0)
    expect(page.locator("input[type=password]")).to_have_attribute("aria-label", "Administrator password")
    assert_management_hidden(page)

    sidebar.get_by_text("Administration").click()
    box = sidebar.get_by_label("Administrator password", exact=True).and_(sidebar.locator("input"))
    box.fill("not the password")
    box.press("Enter")
    expect(sidebar.get_by_test_id("stAlertContentError")).to_have_text("That is not the administrator password.")
    assert_management_hidden(page)

    box.fill(PASSWORD)
    box.press("Enter")
    expect(sidebar).to_contain_text("Signed in")
    expect(page.get_by_role("tab", name="Pull")).to_be_visible()
    expect(page.get_by_role("tab", name="Create")).to_be_visible()
    for selector in MANAGEMENT:
        expect(page.locator(selector)).to_be_visible()
    assert PASSWORD not in page.content()

    sidebar.get_by_role("button", name="Sign out").click()
    assert_management_hidden(page)

    # Five wrong passwords in a row: every try is refused for a while, the right one too.
    error = sidebar.get_by_test_id("stAlertContentError")
    for attempt in range(5):
        box.fill(f"guess {attempt}")
        box.press("Enter")
        expect(box).to_have_value("")
    expect(error).to_have_text("Too many wrong passwords. Wait 30 seconds, then try again.")
    box.fill(PASSWORD)
    box.press("Enter")
    expect(error).to_contain_text("Too many wrong passwords.")
    assert_management_hidden(page)
