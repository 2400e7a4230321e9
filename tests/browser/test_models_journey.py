"""Models in a real browser: pull a model, watch the bar reach 100 %, find it in the table, delete it."""

from playwright.sync_api import Page, expect


def test_pull_then_delete_a_model(app, fake, page: Page):
    fake.token_delay = 0.02
    page.goto(app.url)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Models").click()
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Models")).to_be_visible()

    main.get_by_role("tab", name="Pull").click()
    main.get_by_label("Model name").fill("tinyllama:latest")
    main.get_by_role("button", name="Pull").click()
    expect(main.get_by_test_id("stProgress")).to_be_visible()
    expect(main.get_by_test_id("stProgress")).to_contain_text("100%", timeout=30_000)
    expect(main.get_by_text("tinyllama:latest is installed.")).to_be_visible()

    main.get_by_role("tab", name="Installed").click()
    table = main.get_by_test_id("stDataFrame")
    expect(table).to_contain_text("tinyllama:latest")

    details = main.get_by_role("combobox", name="Model", exact=True)
    details.click()
    details.fill("tinyllama")
    page.keyboard.press("Enter")
    main.get_by_role("button", name="Delete…").click()
    expect(main.get_by_text("Delete tinyllama:latest from the server?")).to_be_visible()
    main.get_by_role("button", name="Delete tinyllama:latest").click()
    expect(main.get_by_text("Deleted tinyllama:latest.")).to_be_visible()
    expect(table).not_to_contain_text("tinyllama:latest")
    assert [r.body for r in fake.requests_to("/api/delete")] == [{"model": "tinyllama:latest"}]
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_in_chinese_pull_then_switch_language_on_the_same_tab(app, fake, page: Page):
    fake.token_delay = 0.02
    page.goto(f"{app.url}/models?lang=zh")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="模型")).to_be_visible()
    expect(main.get_by_test_id("stDataFrame")).to_be_visible()

    main.get_by_role("tab", name="拉取").click()
    main.get_by_label("模型名称").fill("gemma3:270m")
    main.get_by_role("button", name="拉取").click()
    expect(main.get_by_test_id("stProgress")).to_contain_text("100% · 完成", timeout=30_000)
    expect(main.get_by_text("gemma3:270m 已安装。")).to_be_visible()

    page.get_by_test_id("stSidebar").get_by_role("radio", name="English").click()
    expect(main.get_by_role("tab", name="Pull", selected=True)).to_be_visible()
    expect(main.get_by_text("gemma3:270m is installed.")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_a_slow_load_can_be_cancelled(app, fake, page: Page):
    fake.add_fault("/api/generate", "slow_first", delay=30)
    page.goto(app.url + "/models")
    main = page.get_by_test_id("stMain")
    main.get_by_role("tab", name="Running").click()
    main.get_by_role("button", name="Load", exact=True).click()
    expect(main.get_by_text("A large model can take minutes on a slow disk.")).to_be_visible(timeout=10_000)
    main.get_by_role("button", name="Cancel", exact=True).click()
    expect(main.get_by_text("was cancelled")).to_be_visible()
    assert fake.wait_for(lambda f: f.requests_to("/api/generate")[-1].client_disconnected, timeout=10)
    expect(main.get_by_role("button", name="Load", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
