"""Embeddings in a real browser: paste texts, embed them, see the similarity heatmap drawn."""

import re

from playwright.sync_api import Page, expect

TEXTS = ["The cat purred on the sofa.", "A kitten purrs in the sun.", "Git commits record history.",
         "Push the commit to the remote.", "Bake bread until golden."]


def test_paste_texts_and_see_the_heatmap(app, fake, page: Page):
    page.goto(app.url + "/embeddings")
    main = page.get_by_test_id("stMain")
    box = main.get_by_label("One text per line")
    box.fill("\n".join(TEXTS))
    box.press("Control+Enter")
    main.get_by_role("button", name=re.compile("Embed 5 texts")).click()

    expect(page.get_by_test_id("stMetric").filter(has_text="Texts")).to_contain_text("5")
    heatmap = main.get_by_test_id("stVegaLiteChart").first
    expect(heatmap).to_be_visible()
    drawing = heatmap.locator("canvas, svg").first
    expect(drawing).to_be_visible()
    box_size = drawing.bounding_box()
    assert box_size is not None and box_size["width"] > 100 and box_size["height"] > 100
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert [len(r.body["input"]) for r in fake.requests_to("/api/embed")] == [5]
