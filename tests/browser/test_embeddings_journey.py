"""Embeddings in a real browser: paste texts, embed them, see the similarity heatmap drawn."""

import re

from playwright.sync_api import Page, expect

TEXTS = [
    "The cat purred on the sofa.",
    "A kitten purrs in the sun.",
    "Git commits record history.",
    "Push the commit to the remote.",
    "Bake bread until golden.",
]


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


def test_upload_a_csv_and_embed_its_text_column(app, fake, page: Page, tmp_path):
    upload = tmp_path / "notes.csv"
    upload.write_text(
        "id,sentence,topic\n1,Cats purr softly,pets\n2,Dogs bark loudly,pets\n3,Git pushes commits,code\n"
    )
    page.goto(app.url + "/embeddings")
    main = page.get_by_test_id("stMain")
    main.get_by_text("File", exact=True).click()
    main.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    expect(main.get_by_test_id("stSelectbox").filter(has_text="Text column").locator("input")).to_have_value("sentence")
    main.get_by_role("button", name=re.compile("Embed 3 texts")).click()

    expect(main.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert [r.body["input"] for r in fake.requests_to("/api/embed")] == [
        ["Cats purr softly", "Dogs bark loudly", "Git pushes commits"]
    ]


def test_the_chinese_example_in_chinese(app, fake, page: Page):
    page.goto(app.url + "/embeddings?lang=zh")
    main = page.get_by_test_id("stMain")
    main.get_by_role("button", name="试试示例").click()
    expect(main.get_by_label("每行一条文本")).to_have_value(re.compile("^猫在温暖的窗台上打着呼噜。"))
    main.get_by_role("button", name=re.compile("嵌入 10 条文本")).click()

    expect(page.get_by_test_id("stMetric").filter(has_text="文本数")).to_contain_text("10")
    expect(main.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    expect(main.get_by_role("tab", name="最相近的文本")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert [len(r.body["input"]) for r in fake.requests_to("/api/embed")] == [10]
