"""Embeddings: turn texts into vectors, see which are alike, search them, map them, compare two models."""

import numpy as np
import streamlit as st

from lib import embedding_analysis as ea
from lib import embedding_charts as charts
from lib import embedding_form as form
from lib import embedding_models as em
from lib import server_data, state, widgets
from lib import similarity as sim
from lib import text_input_parsing as parsing
from lib.embedding_cache import CHARS_PER_TOKEN, EmbedSettings, VectorCache, embed_all, embed_one
from lib.errors import OllamaError
from lib.formatting import human_seconds
from lib.model_options import KEEP_ALIVE_HELP, parse_keep_alive

HEATMAP_LIMIT = 60
EXAMPLE = """The cat purred on the warm windowsill.
A kitten chased a ball of yarn across the floor.
My dog barks at the postman every morning.
Puppies need a lot of sleep and short walks.
Python lists keep their items in order.
A dictionary maps keys to values in Python.
Git commits record snapshots of a project.
Fresh basil makes a simple tomato sauce better.
Slow-cooked onions turn sweet and golden.
Bake the bread until the crust sounds hollow."""


def _load_example() -> None:
    st.session_state[state.EMBED_LINES_INPUT] = EXAMPLE
    st.session_state[state.EMBED_SOURCE_INPUT] = "Lines"


def _use_prefixes(document_prefix: str, query_prefix: str) -> None:
    st.session_state[state.EMBED_PREFIX_INPUT] = document_prefix
    st.session_state[state.EMBED_QUERY_PREFIX_INPUT] = query_prefix


def _lines_into_table() -> None:
    table = parsing.table_from_lines(st.session_state.get(state.EMBED_LINES_INPUT, ""))
    state.put(state.EMBED_TABLE, table)
    state.put(state.EMBED_TABLE_BASE, table)
    st.session_state.pop(state.EMBED_TABLE_INPUT, None)


form.restore()
if state.get(state.EMBED_CACHE) is None:
    state.put(state.EMBED_CACHE, VectorCache())
cache: VectorCache = state.get(state.EMBED_CACHE)

st.title("Embeddings")
st.caption(
    "An embedding model turns each text into a list of numbers (a vector); texts with similar meaning get "
    "vectors pointing the same way. Compare every text with every other, search by meaning, and map them in 2-D."
)

client = server_data.client()
try:
    installed = server_data.models(client)
    choices = em.order_models([(m["name"], server_data.capabilities(client, m)) for m in installed])
except OllamaError as error:
    widgets.stop_with_connection_help(error, client.base_url)
if not choices:
    st.info("No models are installed. Pull an embedding model first, e.g. `ollama pull nomic-embed-text`.",
            icon=":material/inventory_2:")
    st.stop()
by_name = {choice.name: choice for choice in choices}
digests = {m["name"]: m.get("digest", "") for m in installed}

st.subheader("Texts")
source = st.radio("Texts from", ["Lines", "Table", "File"], horizontal=True, key=state.EMBED_SOURCE_INPUT,
                  help="Type or paste one text per line, edit a table with optional labels, or load a .txt or .csv file.")
if source == "Lines":
    st.text_area("One text per line", key=state.EMBED_LINES_INPUT, height=220,
                 placeholder="The cat purred on the windowsill.\nA kitten chased a ball of yarn.\nGit commits record snapshots.")
    st.button("Try an example", icon=":material/lightbulb:", on_click=_load_example, type="tertiary")
    collected = parsing.from_lines(st.session_state[state.EMBED_LINES_INPUT])
elif source == "Table":
    if state.get(state.EMBED_TABLE) is None:
        _lines_into_table()
    if state.EMBED_TABLE_INPUT not in st.session_state:
        state.put(state.EMBED_TABLE_BASE, state.get(state.EMBED_TABLE))
    edited = st.data_editor(
        state.get(state.EMBED_TABLE_BASE),
        key=state.EMBED_TABLE_INPUT,
        num_rows="dynamic",
        hide_index=True,
        column_config={
            parsing.LABEL_COLUMN: st.column_config.TextColumn("Label", help="Optional: a short name or group shown in charts."),
            parsing.TEXT_COLUMN: st.column_config.TextColumn("Text", width="large"),
        },
    )
    state.put(state.EMBED_TABLE, edited)
    st.button("Replace the table with the typed lines", icon=":material/table_rows:", on_click=_lines_into_table,
              type="tertiary")
    collected = parsing.from_table(edited)
else:
    upload = st.file_uploader("A .txt file (one text per line) or a .csv file (choose its column)", type=["txt", "csv"],
                              key=state.EMBED_FILE_INPUT)
    collected = parsing.Collected([])
    if upload is not None:
        try:
            frame = parsing.read_upload(upload.name, upload.getvalue())
        except parsing.InputProblem as problem:
            st.error(str(problem), icon=":material/error:")
        else:
            columns = list(frame.columns)
            if st.session_state.get(state.EMBED_TEXT_COLUMN_INPUT) not in columns:
                st.session_state[state.EMBED_TEXT_COLUMN_INPUT] = parsing.likely_text_column(frame)
            if st.session_state.get(state.EMBED_LABEL_COLUMN_INPUT) not in columns:
                st.session_state[state.EMBED_LABEL_COLUMN_INPUT] = ""
            left, right = st.columns(2)
            text_column = left.selectbox("Text column", columns, key=state.EMBED_TEXT_COLUMN_INPUT)
            label_column = right.selectbox("Label column", ["", *columns], key=state.EMBED_LABEL_COLUMN_INPUT,
                                           format_func=lambda column: column or "none")
            collected = parsing.from_columns(frame, text_column, label_column or None)
items = collected.items
if collected.over_limit:
    st.warning(f"Only the first {parsing.MAX_TEXTS} texts are used; {collected.over_limit} more were left out.",
               icon=":material/warning:")

st.subheader("Model")
names = [choice.name for choice in choices]
widgets.ensure_choice(state.EMBED_MODEL_INPUT, names, eligible=[name for name in names if by_name[name].can_embed])
left, right = st.columns(2)
model = left.selectbox("Embedding model", names, key=state.EMBED_MODEL_INPUT,
                       format_func=lambda name: em.choice_label(by_name[name]),
                       help="Models that can embed are listed first.")
others = [name for name in names if name != model and by_name[name].can_embed is not False]
if st.session_state.get(state.EMBED_COMPARE_INPUT) not in others:
    st.session_state[state.EMBED_COMPARE_INPUT] = ""
compare = right.selectbox("Compare with a second model", ["", *others], key=state.EMBED_COMPARE_INPUT,
                          format_func=lambda name: name or "no comparison",
                          help="Embed the same texts with another model and see how far the two agree.")
document_prefix, query_prefix_hint = em.suggested_prefixes(model)
with st.expander("Options", icon=":material/tune:"):
    left, right = st.columns(2)
    prefix = left.text_input("Prefix for every text", key=state.EMBED_PREFIX_INPUT, placeholder=document_prefix or "none",
                             help="Added in front of each text when it is sent. Some models were trained with task "
                                  "prefixes, e.g. nomic-embed-text wants `search_document: ` for texts.")
    query_prefix = right.text_input("Prefix for search queries", key=state.EMBED_QUERY_PREFIX_INPUT,
                                    placeholder=query_prefix_hint or "none",
                                    help="Added in front of a search query, e.g. `search_query: ` for nomic-embed-text.")
    if document_prefix or query_prefix_hint:
        st.caption(f"{model} was trained with the prefixes `{document_prefix or '(none)'}` for texts and "
                   f"`{query_prefix_hint}` for queries.")
        st.button("Use these prefixes", icon=":material/input:", type="tertiary", on_click=_use_prefixes,
                  args=(document_prefix, query_prefix_hint))
    left, middle, right = st.columns(3)
    dimensions = left.number_input("Dimensions", min_value=1, max_value=65_536, step=1, value=None,
                                   key=state.EMBED_DIMENSIONS_INPUT, placeholder="the model's full size",
                                   help="Keep only the first N numbers of each vector (re-normalised). Only models "
                                        "trained for it (e.g. nomic-embed-text v1.5) stay accurate when shortened.")
    keep_alive_text = middle.text_input("Keep loaded for", key=state.EMBED_KEEP_ALIVE_INPUT, help=KEEP_ALIVE_HELP,
                                        placeholder="server default")
    truncate = right.checkbox("Cut texts longer than the model's context", key=state.EMBED_TRUNCATE_INPUT,
                              help="On (the server's default): long texts are cut to fit. Off: the server refuses them.")
form.keep()

try:
    keep_alive = parse_keep_alive(keep_alive_text)
except ValueError as problem:
    st.error(str(problem), icon=":material/error:")
    st.stop()
if by_name[model].can_embed is False:
    st.error(em.cannot_embed_message(model), icon=":material/block:")
    st.stop()

chosen = [model] + ([compare] if compare else [])
settings = [EmbedSettings(name, prefix, truncate, int(dimensions) if dimensions else None, keep_alive, digests.get(name, ""))
            for name in chosen]
signature = ea.run_signature(items, settings)
if not items:
    st.info("Type or paste some texts above, one per line (or press **Try an example**), then embed them.",
            icon=":material/edit_note:")
run = st.button(f"Embed {len(items)} text{'s' if len(items) != 1 else ''}", type="primary", key=state.EMBED_RUN_BUTTON,
                icon=":material/scatter_plot:", disabled=not items)
if run and items:
    texts = [item.text for item in items]
    results = []
    try:
        for chosen_settings in settings:
            bar = st.progress(0.0, text=f"{chosen_settings.model}: checking which texts are new…")

            def report_progress(done: int, total: int, bar=bar, name=chosen_settings.model) -> None:
                if total == 0:
                    bar.progress(1.0, text=f"{name}: every text was already embedded")
                else:
                    bar.progress(done / total, text=f"{name}: {done} of {total} new texts embedded")

            embedded = embed_all(client, chosen_settings, texts, cache, progress=report_progress)
            details = server_data.details(client, chosen_settings.model, digests.get(chosen_settings.model, ""))
            results.append(ea.ModelResult(embedded, em.context_limit(details)))
    except OllamaError as error:
        widgets.show_error(error)
        if error.status_code in (400, 500, 501) and "embed" in error.message.lower():
            st.caption(em.suggestion())
        elif "context length" in error.message.lower():
            st.caption("A text is longer than the model's context: turn on cutting long texts in Options, or shorten it.")
        st.stop()
    state.put(state.EMBED_RESULT, ea.Analysis(items, results[0], results[1] if len(results) > 1 else None, signature))

analysis: ea.Analysis | None = state.get(state.EMBED_RESULT)
if analysis is None:
    st.stop()
if analysis.signature != signature:
    st.info("The texts or settings have changed since these results: press **Embed** to update them. "
            "Only new or changed texts are sent.", icon=":material/update:")

st.subheader("Results")
for result in filter(None, (analysis.primary, analysis.second)):
    report = result.embedded.report
    st.markdown(f"**{result.model}**")
    columns = st.columns(5)
    columns[0].metric("Texts", report.texts)
    columns[1].metric("Dimensions", result.embedded.dimension)
    columns[2].metric("Tokens", f"{report.tokens:,}" if report.sent else "–",
                      help="Tokens the server read for the texts sent in this run (cached texts cost nothing).")
    columns[3].metric("Server time", human_seconds(report.server_seconds) if report.sent else "–",
                      help=f"Of which loading the model: {human_seconds(report.load_seconds)}. "
                           f"Wall-clock time for this run: {human_seconds(report.wall_seconds)}.")
    columns[4].metric("Requests", report.requests,
                      help=f"{report.sent} text(s) sent, {report.from_cache} reused from earlier runs.")
    st.caption(ea.norm_summary(result.norms))
    if report.legacy_endpoint:
        st.caption("This server has no /api/embed, so each text went to the older /api/embeddings on its own; "
                   "it ignores the truncate and dimensions options.")
    if result.truncated:
        exact = all(t.exact for t in result.truncated)
        how = ("token counts as reported by the server" if exact else
               "token counts estimated from each batch's total, shared by length, and at least one token per "
               f"{CHARS_PER_TOKEN:g} characters")
        st.warning(f"{len(result.truncated)} text(s) probably exceeded the model's context of {result.context_limit} "
                   f"tokens and were cut before embedding ({how}).", icon=":material/content_cut:")
        st.dataframe(ea.truncation_frame(analysis, result), hide_index=True, width="stretch")

labels = analysis.labels
primary = analysis.primary
tab_names = ["Similarity", "Pairs", "Neighbours", "Search", "Map"] + (["Compare"] if analysis.second else []) + ["Download"]
if st.session_state.get(state.EMBED_TAB_INPUT) not in tab_names:
    st.session_state[state.EMBED_TAB_INPUT] = tab_names[0]
tabs = dict(zip(tab_names, st.tabs(tab_names, key=state.EMBED_TAB_INPUT)))

with tabs["Similarity"]:
    size = analysis.size
    if size > HEATMAP_LIMIT:
        mode = st.radio("Texts in the heatmap", ["A range", "A text and its nearest neighbours"], horizontal=True,
                        key=state.EMBED_SUBSET_INPUT)
        if mode == "A range":
            start = st.number_input(f"From text number (showing {HEATMAP_LIMIT})", min_value=1, max_value=size, step=1,
                                    key=state.EMBED_SUBSET_START_INPUT)
            subset = ea.subset_range(size, int(start), HEATMAP_LIMIT)
        else:
            if st.session_state.get(state.EMBED_SUBSET_CENTRE_INPUT) not in range(size):
                st.session_state[state.EMBED_SUBSET_CENTRE_INPUT] = 0
            centre = st.selectbox("Text", range(size), key=state.EMBED_SUBSET_CENTRE_INPUT,
                                  format_func=lambda i: labels[i])
            subset = sim.neighbourhood(primary.similarity, centre, HEATMAP_LIMIT)
        st.caption(f"The heatmap shows {len(subset)} of {size} texts; the Pairs and Neighbours tabs and the "
                   "downloads cover all of them.")
    else:
        subset = list(range(size))
    left, right = st.columns(2)
    cluster = left.toggle("Group similar texts together", key=state.EMBED_CLUSTER_INPUT,
                          help="Reorder rows and columns so texts that are alike sit next to each other.")
    full_scale = right.toggle("Colour scale from −1 to 1", key=state.EMBED_FULL_SCALE_INPUT,
                              help="Off: colours stretch over the values present, to show fine differences. "
                                   "On: a fixed scale centred on 0, comparable between models.")
    if cluster:
        order_indices = [subset[k] for k in sim.cluster_order(primary.similarity[np.ix_(subset, subset)])]
    else:
        order_indices = subset
    order = [labels[i] for i in order_indices]
    texts_for_tooltips = ea.text_frame(analysis.items, labels, subset)
    st.altair_chart(charts.heatmap(ea.heatmap_frame(primary.similarity, labels, subset), texts_for_tooltips, order,
                                   full_scale=full_scale), width="content")
    st.caption("Cosine similarity: 1 means the same direction, 0 unrelated, negative opposite. Hover a cell for "
               "both texts. Most models put unrelated texts well above 0, so compare cells with each other.")

with tabs["Pairs"]:
    top_k = st.number_input("How many pairs", min_value=1, max_value=1000, step=1, key=state.EMBED_TOP_K_INPUT)
    if analysis.size < 2:
        st.info("Pairs need at least two texts.", icon=":material/info:")
    else:
        st.dataframe(ea.pairs_frame(analysis, int(top_k)), hide_index=True, width="stretch",
                     column_config={"Similarity": st.column_config.NumberColumn(format="%.3f")})

with tabs["Neighbours"]:
    count = st.number_input("Neighbours per text", min_value=1, max_value=10, step=1,
                            key=state.EMBED_NEIGHBOUR_COUNT_INPUT)
    if analysis.size < 2:
        st.info("Neighbours need at least two texts.", icon=":material/info:")
    else:
        st.dataframe(ea.neighbours_frame(analysis, int(count)), hide_index=True, width="stretch",
                     column_config={f"Similarity {k}": st.column_config.NumberColumn(format="%.3f")
                                    for k in range(1, int(count) + 1)})

with tabs["Search"]:
    query = st.text_input("Search the texts by meaning", key=state.EMBED_QUERY_INPUT,
                          placeholder="e.g. a pet that purrs", help="The query is embedded with the same model and "
                          "options (and the query prefix), then every text is ranked by cosine similarity to it.")
    if query.strip():
        try:
            query_vector = embed_one(client, analysis.query_settings(primary, query_prefix), query.strip(), cache)
            ranked = ea.search_frame(analysis, query_vector)
        except (OllamaError, ValueError) as error:
            if isinstance(error, OllamaError):
                widgets.show_error(error)
            else:
                st.error(str(error), icon=":material/error:")
        else:
            st.dataframe(ranked, hide_index=True, width="stretch",
                         column_config={"Similarity": st.column_config.ProgressColumn(format="%.3f", min_value=0.0,
                                                                                       max_value=1.0)})

with tabs["Map"]:
    if analysis.size < 3:
        st.info("The map needs at least three texts.", icon=":material/info:")
    else:
        grouped = any(item.label for item in analysis.items) and len({item.label for item in analysis.items}) <= 20
        st.altair_chart(charts.scatter(ea.map_frame(analysis), colour_by_group=grouped), width="stretch")
        first, second = primary.projection.explained
        st.caption(f"Principal component analysis squeezes the {primary.embedded.dimension} dimensions into two that "
                   f"keep {first:.0%} and {second:.0%} of the differences between the vectors. Nearby points are "
                   "similar texts; distances are approximate.")

if analysis.second is not None:
    with tabs["Compare"]:
        agreement = analysis.agreement
        st.metric("Rank agreement (Spearman)", "–" if agreement is None else f"{agreement:.3f}",
                  help="How similarly the two models order all pairs of texts: 1 is the same order, 0 unrelated, "
                       "−1 reversed. Ranks are compared because models use different ranges of similarity.")
        st.caption("Both heatmaps use the order of the first model, so a block that stays together means the "
                   "models agree on it.")
        left, right = st.columns(2)
        for column, result in ((left, primary), (right, analysis.second)):
            column.altair_chart(charts.heatmap(ea.heatmap_frame(result.similarity, labels, subset), texts_for_tooltips,
                                               order, full_scale=full_scale, title=result.model,
                                               pixels_across=charts.HEATMAP_PIXELS // 2, label_limit=110),
                                width="content")
        if analysis.size >= 3:
            st.markdown("**Pairs the models disagree on most**")
            st.dataframe(ea.disagreement_frame(analysis, 10), hide_index=True, width="stretch",
                         column_config={primary.model: st.column_config.NumberColumn(format="%.3f"),
                                        analysis.second.model: st.column_config.NumberColumn(format="%.3f"),
                                        "Rank, first": st.column_config.NumberColumn(
                                            format="%.0f%%", help="Where the pair ranks among all pairs under the "
                                            "first model: 100% is the most similar pair."),
                                        "Rank, second": st.column_config.NumberColumn(
                                            format="%.0f%%", help="The same under the second model.")})

with tabs["Download"]:
    for result in filter(None, (primary, analysis.second)):
        stem = "embeddings-" + em.base_name(result.model)
        st.markdown(f"**{result.model}**")
        columns = st.columns(3)
        columns[0].download_button("Vectors (CSV)", lambda result=result: ea.vectors_csv(analysis.items, result.embedded.vectors),
                                   file_name=f"{stem}.csv", mime="text/csv", icon=":material/download:", on_click="ignore")
        columns[1].download_button("Vectors (.npy)", lambda result=result: ea.vectors_npy(result.embedded.vectors),
                                   file_name=f"{stem}.npy", mime="application/octet-stream",
                                   icon=":material/download:", on_click="ignore")
        columns[2].download_button("Similarity matrix (CSV)",
                                   lambda result=result: ea.similarity_csv(labels, result.similarity),
                                   file_name=f"{stem}-similarity.csv", mime="text/csv", icon=":material/download:",
                                   on_click="ignore")
    st.caption("The CSV files start with each text's label and text; the .npy file holds the vectors only, in the "
               "same order (load it with numpy.load).")

form.keep()
