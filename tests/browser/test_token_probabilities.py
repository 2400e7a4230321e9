"""Generate's token probabilities in a real browser: the answer tinted by confidence, a token's tip on hover,
and hostile tokens that stay text."""

import os
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.test_generate_journey import open_generate, type_prompt

HOSTILE = 'Paris is <img src=x onerror="window.__pwned=1"> the capital <script>window.__pwned=2</script> of France.'
WHOLE_ANSWER = 20_000  # ms
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp"))


def test_the_answer_tinted_by_confidence_shows_a_tokens_alternatives_on_hover(app, fake, page: Page):
    fake.script_reply(HOSTILE)
    open_generate(page, app)
    main = page.get_by_test_id("stMain")
    main.get_by_text("Token probabilities", exact=True).click()
    alternatives = main.get_by_label("Alternatives", exact=True)
    expect(alternatives).to_be_enabled()
    alternatives.fill("4")
    alternatives.press("Enter")
    type_prompt(page, "What is the capital of France?")
    main.get_by_role("button", name="Generate").click()
    tab = main.get_by_role("tab", name="Token probabilities")
    tab.click(timeout=WHOLE_ANSWER)
    panel = main.get_by_role("tabpanel", name="Token probabilities")
    tokens = panel.locator(".lp-view .lp")
    expect(tokens.first).to_be_visible()
    body = fake.requests_to("/api/generate")[-1].body
    assert body["logprobs"] is True and body["top_logprobs"] == 4
    assert tokens.count() > 10

    # Hostile tokens are text: no element was made of them, no script ran.
    view = panel.locator(".lp-view")
    assert view.locator("img, script").count() == 0
    assert '<img src=x onerror="window.__pwned=1">' in view.inner_text().replace("\u21b5", "")
    assert page.evaluate("() => window.__pwned") is None

    # Every token is coloured by its bucket; hovering one shows its tip, drawn from a plain-text attribute.
    colours = {tokens.nth(i).evaluate("e => getComputedStyle(e).backgroundColor") for i in range(tokens.count())}
    assert len(colours) >= 2
    target = tokens.nth(0)
    target.scroll_into_view_if_needed()
    target.hover()
    tip = target.evaluate("e => getComputedStyle(e, '::after').content")
    assert tip.startswith('"Token 1: ') and "%" in tip
    assert target.get_attribute("data-tip").count("\n") == 4  # its line, then four alternatives
    page.screenshot(path=str(SHOTS / "token-probabilities-hover.png"))

    # The picker shows the alternatives of a token without a mouse.
    expect(panel.get_by_test_id("stDataFrame")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
