"""The Embeddings page, run with AppTest against the fake server (real HTTP, real client).

lib/embeddings/page.py and app_pages/embeddings.py: the sections in order, end to end.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from lib import state

ANIMALS = ["cats purr softly", "a kitten purrs", "dogs bark loudly", "git commit and push", "git push to remote"]


@pytest.fixture
def page(open_app) -> AppTest:
    at = open_app("app_pages/embeddings.py")
    assert not at.exception
    return at


def type_lines(at: AppTest, texts: list[str]) -> AppTest:
    return at.text_area(key=state.EMBED_LINES_INPUT).input("\n".join(texts)).run()


def embed(at: AppTest) -> AppTest:
    at.button(key=state.EMBED_RUN_BUTTON).click().run()
    assert not at.exception
    return at


def embed_bodies(fake) -> list[dict]:
    return [r.body for r in fake.requests_to("/api/embed")]


def charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


def chart_data(chart) -> dict[str, list[dict]]:
    """Every named dataset of a chart, as lists of row dicts."""
    return {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pylist() for d in chart.proto.datasets}


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_the_sections_come_in_order_and_results_only_after_a_run(page):
    assert [t.value for t in page.title] == ["Embeddings"]
    assert [h.value for h in page.subheader] == ["Texts", "Model"]
    assert not page.tabs
    embed(type_lines(page, ANIMALS))
    assert [h.value for h in page.subheader] == ["Texts", "Model", "Results"]
    assert [tab.label for tab in page.tabs] == ["Similarity", "Pairs", "Neighbours", "Search", "Map", "Download"]


def test_a_server_without_models_says_so_and_draws_nothing_else(open_app, fake):
    import requests

    for model in requests.get(f"{fake.url}/api/tags", timeout=5).json()["models"]:
        requests.delete(f"{fake.url}/api/delete", json={"model": model["name"]}, timeout=5).raise_for_status()
    at = open_app("app_pages/embeddings.py")
    assert not at.exception
    assert [i.value for i in at.info] == [
        "No models are installed. Pull an embedding model first, such as nomic-embed-text (274 MB)."
    ]
    assert not at.subheader and not at.text_area
    at.button(key="embed_pull").click().run()  # no terminal command: a button to Models → Pull, name typed in
    assert not at.exception
    assert at.text_input(key=state.MODELS_PULL_NAME_INPUT).value == "nomic-embed-text"


def test_embedding_models_are_offered_first(page):
    options = page.selectbox(key=state.EMBED_MODEL_INPUT).options
    assert options[:2] == ["all-minilm:latest", "nomic-embed-text:latest"]
    assert "llama3.2:latest (cannot embed)" in options
    assert page.selectbox(key=state.EMBED_MODEL_INPUT).value.model == "all-minilm:latest"


def test_empty_input_explains_and_sends_nothing(page, fake):
    assert any("Type or paste some texts" in i.value for i in page.info)
    assert page.button(key=state.EMBED_RUN_BUTTON).disabled
    type_lines(page, ["", "   "])
    assert page.button(key=state.EMBED_RUN_BUTTON).disabled
    assert fake.requests_to("/api/embed") == []


def test_texts_are_sent_in_batches_with_progress_and_the_options(page, fake):
    page.selectbox(key=state.EMBED_MODEL_INPUT).select("nomic-embed-text:latest").run()
    page.text_input(key=state.EMBED_PREFIX_INPUT).input("search_document: ").run()
    page.number_input(key=state.EMBED_DIMENSIONS_INPUT).set_value(64).run()
    page.text_input(key=state.EMBED_KEEP_ALIVE_INPUT).input("10m").run()
    texts = [f"note number {i}" for i in range(70)]
    embed(type_lines(page, texts))
    bodies = embed_bodies(fake)
    assert [len(body["input"]) for body in bodies] == [32, 32, 6]
    assert bodies[0]["input"][0] == "search_document: note number 0"
    assert {json.dumps({k: v for k, v in body.items() if k != "input"}, sort_keys=True) for body in bodies} == {
        json.dumps(
            {"model": "nomic-embed-text:latest", "truncate": True, "dimensions": 64, "keep_alive": "10m"},
            sort_keys=True,
        )
    }
    progress = page.get("progress")[0]
    assert progress.proto.value == 100 and "6 of 70 new texts" not in progress.proto.text
    assert "70 of 70 new texts embedded" in progress.proto.text
    assert metric(page, "Texts") == "70"
    assert metric(page, "Dimensions") == "64"
    assert metric(page, "Requests") == "3"
    assert any("length 1 (normalised)" in c.value for c in page.caption)


def test_only_changed_texts_are_embedded_again(page, fake):
    embed(type_lines(page, ANIMALS))
    assert len(embed_bodies(fake)) == 1
    changed = [*ANIMALS[:2], "dogs howl at night", *ANIMALS[3:]]
    type_lines(page, changed)
    assert any("have changed since these results" in i.value for i in page.info)
    embed(page)
    assert embed_bodies(fake)[1]["input"] == ["dogs howl at night"]
    embed(page)
    assert len(embed_bodies(fake)) == 2
    assert "every text was already embedded" in page.get("progress")[0].proto.text
    assert metric(page, "Requests") == "0"


def test_heatmap_shows_every_pair_with_labels_and_hover_text(page, fake):
    embed(type_lines(page, ANIMALS))
    heatmap = charts(page)[0]
    spec = json.loads(heatmap.proto.spec)
    datasets = chart_data(heatmap)
    cells = next(rows for rows in datasets.values() if rows and "similarity" in rows[0])
    texts = next(rows for rows in datasets.values() if rows and "text" in rows[0])
    assert len(cells) == 25
    assert {row["row"] for row in cells} == {f"{i} · {t}" for i, t in enumerate(ANIMALS, start=1)}
    diagonal = [row["similarity"] for row in cells if row["row"] == row["column"]]
    assert diagonal == pytest.approx([1.0] * 5, abs=1e-3)
    assert {row["text"] for row in texts} == set(ANIMALS)
    layer = spec["layer"][0]
    tooltips = {t["field"] for t in layer["encoding"]["tooltip"]}
    assert {"similarity", "row_text", "column_text"} <= tooltips
    order = layer["encoding"]["y"]["sort"]
    # Grouped order: the two cat texts sit together, and so do the two git texts.
    assert abs(order.index("1 · cats purr softly") - order.index("2 · a kitten purrs")) == 1
    assert abs(order.index("4 · git commit and push") - order.index("5 · git push to remote")) == 1


def test_without_grouping_the_heatmap_keeps_the_input_order(page):
    embed(type_lines(page, ANIMALS))
    page.toggle(key=state.EMBED_CLUSTER_INPUT).set_value(False).run()
    order = json.loads(charts(page)[0].proto.spec)["layer"][0]["encoding"]["y"]["sort"]
    assert order == [f"{i} · {t}" for i, t in enumerate(ANIMALS, start=1)]


def test_many_texts_show_a_subset_in_the_heatmap_and_all_in_the_tables(page):
    texts = [f"sentence {i} about topic {i % 7}" for i in range(75)]
    embed(type_lines(page, texts))
    assert any("shows 60 of 75 texts" in c.value for c in page.caption)
    cells = next(rows for rows in chart_data(charts(page)[0]).values() if rows and "similarity" in rows[0])
    assert len(cells) == 60 * 60
    page.number_input(key=state.EMBED_SUBSET_START_INPUT).set_value(70).run()
    cells = next(rows for rows in chart_data(charts(page)[0]).values() if rows and "similarity" in rows[0])
    assert {row["row"] for row in cells} >= {"75 · sentence 74 about topic 4", "16 · sentence 15 about topic 1"}
    page.radio(key=state.EMBED_SUBSET_INPUT).set_value("neighbourhood").run()
    page.selectbox(key=state.EMBED_SUBSET_CENTRE_INPUT).set_value(74).run()
    assert not page.exception
    neighbours = page.dataframe[1].value
    assert len(neighbours) == 75
    page.radio(key=state.EMBED_SUBSET_INPUT).set_value("range").run()
    embed(type_lines(page, texts[:65]))  # the chosen start (70) is past the end now
    assert not page.exception


def test_pairs_and_neighbours(page):
    embed(type_lines(page, ANIMALS))
    page.number_input(key=state.EMBED_TOP_K_INPUT).set_value(2).run()
    pairs = page.dataframe[0].value
    assert len(pairs) == 2
    assert {frozenset((row["Text A"], row["Text B"])) for _, row in pairs.iterrows()} == {
        frozenset(("cats purr softly", "a kitten purrs")),
        frozenset(("git commit and push", "git push to remote")),
    }
    assert list(pairs["Similarity"]) == sorted(pairs["Similarity"], reverse=True)
    neighbours = page.dataframe[1].value
    assert list(neighbours["Text"]) == ANIMALS
    assert neighbours.loc[3, "Neighbour 1"] == "git push to remote"


def test_search_ranks_texts_with_the_query_prefix(page, fake):
    page.selectbox(key=state.EMBED_MODEL_INPUT).select("nomic-embed-text:latest").run()
    next(b for b in page.button if b.label == "Use these prefixes").click().run()
    assert page.text_input(key=state.EMBED_PREFIX_INPUT).value == "search_document: "
    embed(type_lines(page, ANIMALS))
    assert embed_bodies(fake)[0]["input"][0] == "search_document: cats purr softly"
    page.text_input(key=state.EMBED_QUERY_INPUT).input("git push").run()
    assert not page.exception
    query_body = embed_bodies(fake)[-1]
    assert query_body["input"] == ["search_query: git push"]
    assert query_body["model"] == "nomic-embed-text:latest"
    ranked = page.dataframe[-1].value
    assert list(ranked["Rank"]) == [1, 2, 3, 4, 5]
    assert "Label" not in ranked.columns  # no text has a label
    assert set(ranked["Text"][:2]) == {"git commit and push", "git push to remote"}
    page.text_input(key=state.EMBED_QUERY_INPUT).input("git push").run()
    assert len(embed_bodies(fake)) == 2  # the query's vector is cached too


def test_pca_map_has_a_point_per_text_with_hover_text(page):
    embed(type_lines(page, ANIMALS))
    scatter = charts(page)[1]
    dots, numbers = json.loads(scatter.proto.spec)["layer"]
    assert dots["mark"]["type"] == "circle" and numbers["mark"]["type"] == "text"
    points = next(iter(chart_data(scatter).values()))
    assert [p["text"] for p in points] == ANIMALS
    assert [p["number"] for p in points] == ["1", "2", "3", "4", "5"]
    assert all(isinstance(p["x"], float) and isinstance(p["y"], float) for p in points)
    assert {t["field"] for t in dots["encoding"]["tooltip"]} == {"label", "text"}
    assert any("Principal component analysis" in c.value for c in page.caption)


def test_two_models_compared_side_by_side(page, fake):
    page.selectbox(key=state.EMBED_COMPARE_INPUT).select("nomic-embed-text:latest").run()
    embed(type_lines(page, ANIMALS))
    assert {body["model"] for body in embed_bodies(fake)} == {"all-minilm:latest", "nomic-embed-text:latest"}
    titles = [json.loads(c.proto.spec).get("title") for c in charts(page)]
    assert "all-minilm:latest" in titles and "nomic-embed-text:latest" in titles
    agreement = metric(page, "Rank agreement (Spearman)")
    assert -1.0 <= float(agreement) <= 1.0
    disagreements = page.dataframe[-1].value
    assert {"Text A", "Text B", "all-minilm:latest", "nomic-embed-text:latest"} <= set(disagreements.columns)
    assert len(disagreements) == 10


def test_downloads_are_offered_for_each_model(page):
    page.selectbox(key=state.EMBED_COMPARE_INPUT).select("nomic-embed-text:latest").run()
    embed(type_lines(page, ANIMALS))
    labels = [b.label for b in page.get("download_button")]
    assert labels == ["Vectors (CSV)", "Vectors (.npy)", "Similarity matrix (CSV)"] * 2


def test_a_model_that_cannot_embed_is_explained_before_sending(page, fake):
    type_lines(page, ANIMALS)
    page.selectbox(key=state.EMBED_MODEL_INPUT).select("llama3.2:latest (cannot embed)").run()
    message = page.error[0].value
    assert "llama3.2:latest is not an embedding model" in message
    assert "nomic-embed-text" in message and "qwen3-embedding" in message
    assert not page.get("button") or all(b.key != state.EMBED_RUN_BUTTON for b in page.button)
    assert fake.requests_to("/api/embed") == []


def test_server_error_while_embedding_is_shown(page, fake):
    fake.add_fault("/api/embed", "http", status=500, message="this model does not support embeddings")
    embed(type_lines(page, ANIMALS))
    assert "does not support embeddings" in page.error[0].value
    assert any("Embedding models include" in c.value for c in page.caption)


def test_too_long_text_with_truncation_off_is_explained(page):
    page.checkbox(key=state.EMBED_TRUNCATE_INPUT).uncheck().run()
    embed(type_lines(page, ["word " * 600]))
    assert "context length" in page.error[0].value
    assert any("turn on cutting long texts" in c.value for c in page.caption)


def test_truncated_text_is_warned_about(page, fake):
    embed(type_lines(page, ["word " * 600, "short text"]))
    warning = page.warning[0].value
    assert "1 text probably exceeded the model's context of 512 tokens" in warning
    assert "estimated" in warning
    assert list(page.dataframe[0].value["#"]) == [1]


def test_old_server_falls_back_to_one_request_per_text(page, fake):
    fake.legacy = True
    embed(type_lines(page, ANIMALS[:3]))
    assert len(fake.requests_to("/api/embeddings")) == 3
    assert metric(page, "Requests") == "3"
    assert any("older /api/embeddings" in c.value for c in page.caption)
    assert any("not normalised" in c.value for c in page.caption)


def test_settings_survive_a_page_switch(page):
    page.text_input(key=state.EMBED_PREFIX_INPUT).input("search_document: ").run()
    embed(type_lines(page, ANIMALS))
    page.switch_page("app_pages/home.py").run()
    page.switch_page("app_pages/embeddings.py").run()
    assert page.text_area(key=state.EMBED_LINES_INPUT).value == "\n".join(ANIMALS)
    assert page.text_input(key=state.EMBED_PREFIX_INPUT).value == "search_document: "
    assert len(charts(page)) >= 1


def test_table_source_starts_from_the_typed_lines(page, fake):
    type_lines(page, ANIMALS[:3])
    page.radio(key=state.EMBED_SOURCE_INPUT).set_value("table").run()
    assert not page.exception
    assert list(page.session_state[state.EMBED_TABLE]["Text"]) == ANIMALS[:3]
    embed(page)
    assert embed_bodies(fake)[0]["input"] == ANIMALS[:3]


def test_file_source_waits_for_an_upload(page):
    page.radio(key=state.EMBED_SOURCE_INPUT).set_value("file").run()
    assert not page.exception
    assert page.button(key=state.EMBED_RUN_BUTTON).disabled


def test_a_failed_search_query_is_shown_and_the_results_stay(page, fake):
    embed(type_lines(page, ANIMALS))
    fake.add_fault("/api/embed", "http", status=500, message="model runner has unexpectedly stopped")
    page.text_input(key=state.EMBED_QUERY_INPUT).input("git").run()
    assert not page.exception
    assert "unexpectedly stopped" in page.error[0].value
    assert charts(page)


def test_a_single_text_still_gets_every_view(page):
    embed(type_lines(page, ["only one text"]))
    cells = next(rows for rows in chart_data(charts(page)[0]).values() if rows and "similarity" in rows[0])
    assert [row["similarity"] for row in cells] == pytest.approx([1.0], abs=1e-3)
    infos = [i.value for i in page.info]
    assert "Pairs need at least two texts." in infos and "The map needs at least three texts." in infos
    assert len(page.get("download_button")) == 3


def test_a_server_with_only_embedding_models(open_app, fake):
    """No model can chat, so the sidebar has no default model: the page still picks an embedder."""
    import requests

    for name in ("llama3.2:latest", "qwen3:0.6b", "llava:7b"):
        requests.delete(f"{fake.url}/api/delete", json={"model": name}, timeout=5).raise_for_status()
    at = open_app("app_pages/embeddings.py")
    assert not at.exception
    assert at.selectbox(key=state.EMBED_MODEL_INPUT).value.model in ("all-minilm:latest", "nomic-embed-text:latest")
    embed(type_lines(at, ANIMALS))
    assert not at.exception and len(embed_bodies(fake)) == 1
