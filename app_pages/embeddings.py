"""Embeddings: turn texts into vectors, see which are alike, search them, map them, compare two models."""

import numpy as np
import streamlit as st

from lib import i18n, server_data, state
from lib.embeddings import analysis as ea
from lib.embeddings import charts, form
from lib.embeddings import models as em
from lib.embeddings import similarity as sim
from lib.embeddings import texts as parsing
from lib.embeddings.cache import CHARS_PER_TOKEN, EmbedSettings, VectorCache, embed_all, embed_one
from lib.formatting import human_seconds, whole_number
from lib.i18n import t
from lib.ollama.errors import OllamaError
from lib.parameters.catalog import keep_alive_help, parse_keep_alive
from lib.ui import widgets

HEATMAP_LIMIT = 60
# Example texts are content, not interface: one set per language, three topics each.
EXAMPLES = {
    "en": """The cat purred on the warm windowsill.
A kitten chased a ball of yarn across the floor.
My dog barks at the postman every morning.
Puppies need a lot of sleep and short walks.
Python lists keep their items in order.
A dictionary maps keys to values in Python.
Git commits record snapshots of a project.
Fresh basil makes a simple tomato sauce better.
Slow-cooked onions turn sweet and golden.
Bake the bread until the crust sounds hollow.""",
    "zh": """猫在温暖的窗台上打着呼噜。
小猫追着毛线球满地跑。
我家的狗每天早上都冲着快递员叫。
小狗需要充足的睡眠和短距离散步。
Python 的列表会按顺序保存元素。
Python 的字典把键映射到值。
Git 提交记录项目的快照。
新鲜的罗勒让番茄酱更好吃。
洋葱用小火慢炒会变得香甜金黄。
面包要烤到敲起来声音发空为止。""",
}


def _load_example() -> None:
    st.session_state[state.EMBED_LINES_INPUT] = EXAMPLES[i18n.language()]
    st.session_state[state.EMBED_SOURCE_INPUT] = "lines"


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

st.title(t("app.embeddings"))
st.caption(t("embeddings.intro"))

client = server_data.client()
try:
    installed = server_data.models(client)
    choices = em.order_models([(m["name"], server_data.capabilities(client, m)) for m in installed])
except OllamaError as error:
    widgets.stop_with_connection_help(error, client.base_url)
if not choices:
    st.info(t("embeddings.no_models"), icon=":material/inventory_2:")
    st.stop()
by_name = {choice.name: choice for choice in choices}
digests = {m["name"]: m.get("digest", "") for m in installed}

st.subheader(t("embeddings.texts_heading"))
source_labels = {
    "lines": t("embeddings.source_lines"),
    "table": t("embeddings.source_table"),
    "file": t("embeddings.source_file"),
}
source = st.radio(
    t("embeddings.source_label"),
    list(source_labels),
    horizontal=True,
    key=state.EMBED_SOURCE_INPUT,
    format_func=source_labels.get,
    help=t("embeddings.source_help"),
)
if source == "lines":
    st.text_area(
        t("embeddings.lines_label"),
        key=state.EMBED_LINES_INPUT,
        height=220,
        placeholder=t("embeddings.lines_placeholder"),
    )
    st.button(t("embeddings.example"), icon=":material/lightbulb:", on_click=_load_example, type="tertiary")
    collected = parsing.from_lines(st.session_state[state.EMBED_LINES_INPUT])
elif source == "table":
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
            parsing.LABEL_COLUMN: st.column_config.TextColumn(
                t("embeddings.column_label"), help=t("embeddings.label_column_help")
            ),
            parsing.TEXT_COLUMN: st.column_config.TextColumn(t("embeddings.column_text"), width="large"),
        },
    )
    state.put(state.EMBED_TABLE, edited)
    st.button(
        t("embeddings.lines_into_table"), icon=":material/table_rows:", on_click=_lines_into_table, type="tertiary"
    )
    collected = parsing.from_table(edited)
else:
    upload = st.file_uploader(t("embeddings.upload_label"), type=["txt", "csv"], key=state.EMBED_FILE_INPUT)
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
            text_column = left.selectbox(t("embeddings.text_column"), columns, key=state.EMBED_TEXT_COLUMN_INPUT)
            label_column = right.selectbox(
                t("embeddings.label_column"),
                ["", *columns],
                key=state.EMBED_LABEL_COLUMN_INPUT,
                format_func={"": t("embeddings.none"), **{c: c for c in columns}}.get,
            )
            collected = parsing.from_columns(frame, text_column, label_column or None)
items = collected.items
if collected.over_limit:
    st.warning(
        t(
            "embeddings.over_limit",
            limit=whole_number(parsing.MAX_TEXTS),
            n=collected.over_limit,
            count=whole_number(collected.over_limit),
        ),
        icon=":material/warning:",
    )

st.subheader(t("embeddings.model_heading"))
names = [choice.name for choice in choices]
widgets.ensure_choice(state.EMBED_MODEL_INPUT, names, eligible=[name for name in names if by_name[name].can_embed])
left, right = st.columns(2)
model = left.selectbox(
    t("embeddings.model_label"),
    names,
    key=state.EMBED_MODEL_INPUT,
    format_func={name: em.choice_label(by_name[name]) for name in names}.get,
    help=t("embeddings.model_help"),
)
others = [name for name in names if name != model and by_name[name].can_embed is not False]
if st.session_state.get(state.EMBED_COMPARE_INPUT) not in others:
    st.session_state[state.EMBED_COMPARE_INPUT] = ""
compare = right.selectbox(
    t("embeddings.compare_label"),
    ["", *others],
    key=state.EMBED_COMPARE_INPUT,
    format_func={"": t("embeddings.no_comparison"), **{n: n for n in others}}.get,
    help=t("embeddings.compare_help"),
)
if em.mostly_english(model) and parsing.has_chinese(items):
    st.caption(t("embeddings.multilingual_hint", model=model, models=em.model_list(em.MULTILINGUAL_MODELS)))
document_prefix, query_prefix_hint = em.suggested_prefixes(model)
with st.expander(t("embeddings.options"), icon=":material/tune:"):
    left, right = st.columns(2)
    prefix = left.text_input(
        t("embeddings.prefix_label"),
        key=state.EMBED_PREFIX_INPUT,
        placeholder=document_prefix or t("embeddings.none"),
        help=t("embeddings.prefix_help"),
    )
    query_prefix = right.text_input(
        t("embeddings.query_prefix_label"),
        key=state.EMBED_QUERY_PREFIX_INPUT,
        placeholder=query_prefix_hint or t("embeddings.none"),
        help=t("embeddings.query_prefix_help"),
    )
    if document_prefix or query_prefix_hint:
        if document_prefix:
            st.caption(t("embeddings.trained_prefixes", model=model, document=document_prefix, query=query_prefix_hint))
        else:
            st.caption(t("embeddings.trained_query_prefix", model=model, query=query_prefix_hint))
        st.button(
            t("embeddings.use_prefixes"),
            icon=":material/input:",
            type="tertiary",
            on_click=_use_prefixes,
            args=(document_prefix, query_prefix_hint),
        )
    left, middle, right = st.columns(3)
    dimensions = left.number_input(
        t("embeddings.dimensions_label"),
        min_value=1,
        max_value=65_536,
        step=1,
        value=None,
        key=state.EMBED_DIMENSIONS_INPUT,
        placeholder=t("embeddings.dimensions_placeholder"),
        help=t("embeddings.dimensions_help"),
    )
    keep_alive_text = middle.text_input(
        t("embeddings.keep_alive_label"),
        key=state.EMBED_KEEP_ALIVE_INPUT,
        help=keep_alive_help(),
        placeholder=t("embeddings.keep_alive_placeholder"),
    )
    truncate = right.checkbox(
        t("embeddings.truncate_label"), key=state.EMBED_TRUNCATE_INPUT, help=t("embeddings.truncate_help")
    )
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
settings = [
    EmbedSettings(name, prefix, truncate, int(dimensions) if dimensions else None, keep_alive, digests.get(name, ""))
    for name in chosen
]
signature = ea.run_signature(items, settings)
if not items:
    st.info(t("embeddings.empty", example=t("embeddings.example")), icon=":material/edit_note:")
run = st.button(
    t("embeddings.run", n=len(items), count=whole_number(len(items))),
    type="primary",
    key=state.EMBED_RUN_BUTTON,
    icon=":material/scatter_plot:",
    disabled=not items,
)
if run and items:
    texts = [item.text for item in items]
    results = []
    try:
        for chosen_settings in settings:
            bar = st.progress(0.0, text=t("embeddings.progress_checking", model=chosen_settings.model))

            def report_progress(done: int, total: int, bar=bar, name=chosen_settings.model) -> None:
                if total == 0:
                    bar.progress(1.0, text=t("embeddings.progress_all_cached", model=name))
                else:
                    bar.progress(
                        done / total,
                        text=t(
                            "embeddings.progress_done", model=name, done=whole_number(done), total=whole_number(total)
                        ),
                    )

            embedded = embed_all(client, chosen_settings, texts, cache, progress=report_progress)
            details = server_data.details(client, chosen_settings.model, digests.get(chosen_settings.model, ""))
            results.append(ea.ModelResult(embedded, em.context_limit(details)))
    except OllamaError as error:
        widgets.show_error(error)
        if error.status_code in (400, 500, 501) and "embed" in error.server_message.lower():
            st.caption(em.suggestion())
        elif "context length" in error.server_message.lower():
            st.caption(t("embeddings.too_long"))
        st.stop()
    state.put(state.EMBED_RESULT, ea.Analysis(items, results[0], results[1] if len(results) > 1 else None, signature))

analysis: ea.Analysis | None = state.get(state.EMBED_RESULT)
if analysis is None:
    st.stop()
if analysis.signature != signature:
    st.info(t("embeddings.stale"), icon=":material/update:")

st.subheader(t("embeddings.results_heading"))
for result in filter(None, (analysis.primary, analysis.second)):
    report = result.embedded.report
    st.markdown(f"**{result.model}**")
    columns = st.columns(5)
    columns[0].metric(t("embeddings.metric_texts"), whole_number(report.texts))
    columns[1].metric(t("embeddings.dimensions_label"), whole_number(result.embedded.dimension))
    columns[2].metric(
        t("embeddings.tokens"),
        whole_number(report.tokens) if report.sent else "–",
        help=t("embeddings.metric_tokens_help"),
    )
    columns[3].metric(
        t("embeddings.metric_server_time"),
        human_seconds(report.server_seconds) if report.sent else "–",
        help=t(
            "embeddings.metric_server_time_help",
            load=human_seconds(report.load_seconds),
            wall=human_seconds(report.wall_seconds),
        ),
    )
    columns[4].metric(
        t("embeddings.metric_requests"),
        whole_number(report.requests),
        help=t(
            "embeddings.metric_requests_help", sent=whole_number(report.sent), cached=whole_number(report.from_cache)
        ),
    )
    st.caption(ea.norm_summary(result.norms))
    if report.legacy_endpoint:
        st.caption(t("embeddings.legacy_endpoint"))
    if result.truncated:
        if all(cut.exact for cut in result.truncated):
            how = t("embeddings.truncated_exact")
        else:
            how = t("embeddings.truncated_estimated", chars=f"{CHARS_PER_TOKEN:g}")
        st.warning(
            t(
                "embeddings.truncated",
                n=len(result.truncated),
                count=whole_number(len(result.truncated)),
                limit=whole_number(result.context_limit),
                how=how,
            ),
            icon=":material/content_cut:",
        )
        st.dataframe(ea.truncation_frame(analysis, result), hide_index=True, width="stretch")

labels = analysis.labels
primary = analysis.primary
tab_keys = {
    "similarity": "embeddings.similarity",
    "pairs": "embeddings.tab_pairs",
    "neighbours": "embeddings.tab_neighbours",
    "search": "embeddings.tab_search",
    "map": "embeddings.tab_map",
}
if analysis.second:
    tab_keys["compare"] = "embeddings.tab_compare"
tab_keys["download"] = "embeddings.tab_download"
tabs = widgets.tabs(tab_keys, state.EMBED_TAB_INPUT)

with tabs["similarity"]:
    size = analysis.size
    if size > HEATMAP_LIMIT:
        subset_labels = {"range": t("embeddings.subset_range"), "neighbourhood": t("embeddings.subset_neighbourhood")}
        mode = st.radio(
            t("embeddings.subset_label"),
            list(subset_labels),
            horizontal=True,
            key=state.EMBED_SUBSET_INPUT,
            format_func=subset_labels.get,
        )
        if mode == "range":
            start = st.number_input(
                t("embeddings.subset_start", limit=HEATMAP_LIMIT),
                min_value=1,
                max_value=size,
                step=1,
                key=state.EMBED_SUBSET_START_INPUT,
            )
            subset = ea.subset_range(size, int(start), HEATMAP_LIMIT)
        else:
            if st.session_state.get(state.EMBED_SUBSET_CENTRE_INPUT) not in range(size):
                st.session_state[state.EMBED_SUBSET_CENTRE_INPUT] = 0
            centre = st.selectbox(
                t("embeddings.column_text"),
                range(size),
                key=state.EMBED_SUBSET_CENTRE_INPUT,
                format_func=lambda i: labels[i],
            )
            subset = sim.neighbourhood(primary.similarity, centre, HEATMAP_LIMIT)
        st.caption(
            t(
                "embeddings.subset_caption",
                shown=whole_number(len(subset)),
                size=whole_number(size),
                pairs=t(tab_keys["pairs"]),
                neighbours=t(tab_keys["neighbours"]),
            )
        )
    else:
        subset = list(range(size))
    left, right = st.columns(2)
    cluster = left.toggle(t("embeddings.cluster"), key=state.EMBED_CLUSTER_INPUT, help=t("embeddings.cluster_help"))
    full_scale = right.toggle(
        t("embeddings.full_scale"), key=state.EMBED_FULL_SCALE_INPUT, help=t("embeddings.full_scale_help")
    )
    if cluster:
        order_indices = [subset[k] for k in sim.cluster_order(primary.similarity[np.ix_(subset, subset)])]
    else:
        order_indices = subset
    order = [labels[i] for i in order_indices]
    texts_for_tooltips = ea.text_frame(analysis.items, labels, subset)
    st.altair_chart(
        charts.heatmap(
            ea.heatmap_frame(primary.similarity, labels, subset), texts_for_tooltips, order, full_scale=full_scale
        ),
        width="content",
    )
    st.caption(t("embeddings.heatmap_caption"))

with tabs["pairs"]:
    top_k = st.number_input(
        t("embeddings.pairs_count"), min_value=1, max_value=1000, step=1, key=state.EMBED_TOP_K_INPUT
    )
    if analysis.size < 2:
        st.info(t("embeddings.pairs_need_two"), icon=":material/info:")
    else:
        st.dataframe(
            ea.pairs_frame(analysis, int(top_k)),
            hide_index=True,
            width="stretch",
            column_config={t("embeddings.similarity"): st.column_config.NumberColumn(format="%.3f")},
        )

with tabs["neighbours"]:
    count = st.number_input(
        t("embeddings.neighbour_count"), min_value=1, max_value=10, step=1, key=state.EMBED_NEIGHBOUR_COUNT_INPUT
    )
    if analysis.size < 2:
        st.info(t("embeddings.neighbours_need_two"), icon=":material/info:")
    else:
        st.dataframe(
            ea.neighbours_frame(analysis, int(count)),
            hide_index=True,
            width="stretch",
            column_config={
                t("embeddings.column_similarity_k", k=k): st.column_config.NumberColumn(format="%.3f")
                for k in range(1, int(count) + 1)
            },
        )

with tabs["search"]:
    query = st.text_input(
        t("embeddings.search_label"),
        key=state.EMBED_QUERY_INPUT,
        placeholder=t("embeddings.search_placeholder"),
        help=t("embeddings.search_help"),
    )
    if query.strip():
        try:
            query_vector = embed_one(client, analysis.query_settings(primary, query_prefix), query.strip(), cache)
            ranked = ea.search_frame(analysis, query_vector)
        except OllamaError as error:
            widgets.show_error(error)
        except sim.DimensionMismatch as mismatch:
            st.error(
                t("embeddings.query_dimensions", query=mismatch.query, texts=mismatch.texts), icon=":material/error:"
            )
        else:
            st.dataframe(
                ranked,
                hide_index=True,
                width="stretch",
                column_config={
                    t("embeddings.similarity"): st.column_config.ProgressColumn(
                        format="%.3f", min_value=0.0, max_value=1.0
                    )
                },
            )

with tabs["map"]:
    if analysis.size < 3:
        st.info(t("embeddings.map_need_three"), icon=":material/info:")
    else:
        grouped = any(item.label for item in analysis.items) and len({item.label for item in analysis.items}) <= 20
        st.altair_chart(charts.scatter(ea.map_frame(analysis), colour_by_group=grouped), width="stretch")
        first, second = primary.projection.explained
        st.caption(
            t(
                "embeddings.map_caption",
                dimensions=whole_number(primary.embedded.dimension),
                first=f"{first:.0%}",
                second=f"{second:.0%}",
            )
        )

if analysis.second is not None:
    with tabs["compare"]:
        agreement = analysis.agreement
        st.metric(
            t("embeddings.agreement"),
            "–" if agreement is None else f"{agreement:.3f}",
            help=t("embeddings.agreement_help"),
        )
        st.caption(t("embeddings.compare_caption"))
        left, right = st.columns(2)
        for column, result in ((left, primary), (right, analysis.second)):
            column.altair_chart(
                charts.heatmap(
                    ea.heatmap_frame(result.similarity, labels, subset),
                    texts_for_tooltips,
                    order,
                    full_scale=full_scale,
                    title=result.model,
                    pixels_across=charts.HEATMAP_PIXELS // 2,
                    label_limit=110,
                ),
                width="content",
            )
        if analysis.size >= 3:
            st.markdown(f"**{t('embeddings.disagreements_heading')}**")
            st.dataframe(
                ea.disagreement_frame(analysis, 10),
                hide_index=True,
                width="stretch",
                column_config={
                    primary.model: st.column_config.NumberColumn(format="%.3f"),
                    analysis.second.model: st.column_config.NumberColumn(format="%.3f"),
                    t("embeddings.column_rank_first"): st.column_config.NumberColumn(
                        format="%.0f%%", help=t("embeddings.column_rank_first_help")
                    ),
                    t("embeddings.column_rank_second"): st.column_config.NumberColumn(
                        format="%.0f%%", help=t("embeddings.column_rank_second_help")
                    ),
                },
            )

with tabs["download"]:
    for result in filter(None, (primary, analysis.second)):
        stem = "embeddings-" + em.base_name(result.model)
        st.markdown(f"**{result.model}**")
        columns = st.columns(3)
        columns[0].download_button(
            t("embeddings.download_vectors_csv"),
            lambda result=result: ea.vectors_csv(analysis.items, result.embedded.vectors),
            file_name=f"{stem}.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
        )
        columns[1].download_button(
            t("embeddings.download_vectors_npy"),
            lambda result=result: ea.vectors_npy(result.embedded.vectors),
            file_name=f"{stem}.npy",
            mime="application/octet-stream",
            icon=":material/download:",
            on_click="ignore",
        )
        columns[2].download_button(
            t("embeddings.download_similarity_csv"),
            lambda result=result: ea.similarity_csv(labels, result.similarity),
            file_name=f"{stem}-similarity.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
        )
    st.caption(t("embeddings.download_caption"))

form.keep()
