"""The interface language in a real browser: the browser's own language, links, the sidebar switch."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import fresh_page


@pytest.fixture
def chinese_page(browser: Browser) -> Iterator[Page]:
    """A browser whose language is Simplified Chinese (navigator.language is zh-CN)."""
    with fresh_page(browser, locale="zh-CN") as new_page:
        yield new_page


def test_a_chinese_browser_gets_the_chinese_interface_and_a_link_that_keeps_it(app, chinese_page: Page):
    chinese_page.goto(app.url)
    expect(chinese_page.get_by_test_id("stMain").get_by_text("已连接到")).to_be_visible()
    expect(chinese_page).to_have_url(re.compile(r"[?&]lang=zh\b"))


def test_a_link_with_lang_opens_in_that_language_and_page_switches_keep_it(app, page: Page):
    page.goto(f"{app.url}/?lang=zh")
    expect(page.get_by_test_id("stMain").get_by_text("已安装模型")).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_text("模型", exact=True).click()
    expect(page).to_have_url(re.compile(r"/models\?(.*&)?lang=zh\b"))
    page.get_by_test_id("stSidebarNav").get_by_text("首页", exact=True).click()
    expect(page.get_by_test_id("stMain").get_by_text("已安装模型")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]lang=zh\b"))


def test_the_sidebar_switch_changes_the_language_and_the_url(app, page: Page):
    page.goto(app.url)
    expect(page.get_by_test_id("stMain").get_by_text("Installed models")).to_be_visible()
    page.get_by_test_id("stSidebar").get_by_role("radio", name="简体中文").click()
    expect(page.get_by_test_id("stMain").get_by_text("已安装模型")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_contain_text("对话")
    expect(page).to_have_url(re.compile(r"[?&]lang=zh\b"))
    page.get_by_test_id("stSidebar").get_by_role("radio", name="English").click()
    expect(page.get_by_test_id("stMain").get_by_text("Installed models")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]lang=en\b"))


def test_streamlits_own_uploader_words_follow_the_language(app, page: Page):
    """Streamlit has no setting for them; lib/ui/streamlit_chrome.py restyles them (checked via ::after)."""
    page.goto(f"{app.url}/embeddings?lang=zh")
    page.get_by_test_id("stMain").get_by_text("文件", exact=True).click()
    button = page.get_by_test_id("stFileUploaderDropzone").get_by_test_id("stMarkdownContainer").locator("p")
    expect(button).to_have_count(1)
    after = "e => getComputedStyle(e, '::after').content"
    assert button.evaluate(after) == '"上传"'
    hint = page.get_by_test_id("stFileUploaderDropzoneInstructions").locator("span")
    assert hint.evaluate(after) == '"单个文件不超过 20MB"'
