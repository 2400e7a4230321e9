"""Generate in a real browser: a prompt, the answer streaming in, the stats, and Stop."""

import json

from playwright.sync_api import Page, expect

LONG_REPLY = "Streaming " + " ".join(f"word{n}" for n in range(60)) + " done."
WHOLE_ANSWER = 20_000  # ms: the stream takes a few seconds, longer than expect's default wait


def open_generate(page: Page, app, model: str = "llama3.2:latest") -> None:
    page.goto(app.url + "/generate")
    main = page.get_by_test_id("stMain")
    main.get_by_test_id("stSelectbox").filter(has_text="Model").click()
    page.get_by_role("option", name=model).click()
    expect(main.get_by_role("combobox", name="Model", exact=True)).to_have_value(model)


def type_prompt(page: Page, text: str) -> None:
    box = page.get_by_test_id("stMain").get_by_label("Prompt", exact=True)
    box.fill(text)
    box.press("Control+Enter")


def test_a_prompt_streams_its_answer_then_shows_the_stats(app, fake, page: Page):
    fake.token_delay = 0.05
    fake.script_reply(LONG_REPLY)
    open_generate(page, app)
    type_prompt(page, "Say something long")
    main = page.get_by_test_id("stMain")
    main.get_by_role("button", name="Generate").click()
    expect(main.get_by_text("Streaming word0")).to_be_visible()
    assert "done." not in main.inner_text()  # seen part-way: it streams, it does not arrive all at once
    tokens_per_second = main.get_by_test_id("stMetric").filter(has_text="Tokens/s")
    expect(tokens_per_second).to_contain_text("tok/s", timeout=WHOLE_ANSWER)
    expect(main.get_by_test_id("stMetric").filter(has_text="Time to first token")).to_be_visible()
    expect(main.get_by_role("tabpanel", name="Answer")).to_contain_text("word59 done.")
    body = fake.requests_to("/api/generate")[-1].body
    assert body == {"model": "llama3.2:latest", "prompt": "Say something long", "stream": True}
    main.get_by_text("API request").click()
    shown_body = main.get_by_role("tabpanel", name="JSON body").get_by_test_id("stCode")
    expect(shown_body).to_contain_text('"prompt": "Say something long"')
    assert json.loads(shown_body.inner_text()) == body
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_stop_closes_the_request_and_keeps_the_partial_answer(app, fake, page: Page):
    fake.token_delay = 0.05
    fake.script_reply(" ".join(f"word{n}" for n in range(400)))
    open_generate(page, app)
    type_prompt(page, "Talk for a long time")
    main = page.get_by_test_id("stMain")
    main.get_by_role("button", name="Generate").click()
    expect(main.get_by_text("word3", exact=False).first).to_be_visible()
    main.get_by_role("button", name="Stop").first.click()
    assert fake.wait_for(lambda f: f.requests_to("/api/generate")[-1].client_disconnected, timeout=10)
    assert fake.requests_to("/api/generate")[-1].chunks_sent < 400
    expect(main.get_by_text("Stopped before the answer was complete.")).to_be_visible()
    expect(main.get_by_text("word0 word1 word2", exact=False).first).to_be_visible()
    expect(main).not_to_contain_text("word399")
    expect(page.get_by_label("Prompt", exact=True)).to_have_value("Talk for a long time")


def test_with_the_parameters_open_the_answer_streams_in_view_with_a_stop_beside_it(app, fake, page: Page):
    """Issue 18: Generate sits under a form taller than the window; the answer is at the top of the other column."""
    page.set_viewport_size({"width": 1400, "height": 700})
    fake.token_delay = 0.05
    fake.script_reply(" ".join(f"word{n}" for n in range(300)))
    open_generate(page, app)
    type_prompt(page, "Talk for a while")
    main = page.get_by_test_id("stMain")
    main.get_by_text("Parameters", exact=True).click()
    generate_button = main.get_by_role("button", name="Generate")
    generate_button.scroll_into_view_if_needed()
    generate_button.click()
    live = page.locator(".st-key-generate_live")
    expect(main.get_by_text("word5", exact=False).first).to_be_visible()
    page.wait_for_timeout(800)  # the smooth scroll
    box = live.bounding_box()
    assert box is not None and 0 <= box["y"] < 700, box
    live.get_by_role("button", name="Stop").click()
    assert fake.wait_for(lambda f: f.requests_to("/api/generate")[-1].client_disconnected, timeout=10)
    expect(main.get_by_text("Stopped before the answer was complete.")).to_be_visible()
