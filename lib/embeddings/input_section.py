"""The page's Texts section: typed lines, an editable label/text table or an uploaded file.

Parsing lives in :mod:`lib.embeddings.texts` and :mod:`lib.embeddings.encoding`; this module
draws the widgets and says what it could not use (an unreadable file, texts over the limit) and
what it assumed (the encoding of a file that is not UTF-8).
"""

from __future__ import annotations

import streamlit as st

from lib import i18n, state
from lib.embeddings import encoding
from lib.embeddings import texts as parsing
from lib.embeddings.texts import TextItem
from lib.formatting import whole_number
from lib.i18n import t

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


def texts() -> list[TextItem]:
    """Draw the section; the texts to embed, at most :data:`~lib.embeddings.texts.MAX_TEXTS`."""
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
        collected = _lines()
    elif source == "table":
        collected = _table()
    else:
        collected = _file()
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
    return collected.items


def _lines() -> parsing.Collected:
    st.text_area(
        t("embeddings.lines_label"),
        key=state.EMBED_LINES_INPUT,
        height=220,
        placeholder=t("embeddings.lines_placeholder"),
    )
    st.button(t("embeddings.example"), icon=":material/lightbulb:", on_click=load_example, type="tertiary")
    return parsing.from_lines(st.session_state[state.EMBED_LINES_INPUT])


def _table() -> parsing.Collected:
    """The table editor, started from the typed lines the first time."""
    if state.get(state.EMBED_TABLE) is None:
        lines_into_table()
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
        t("embeddings.lines_into_table"), icon=":material/table_rows:", on_click=lines_into_table, type="tertiary"
    )
    return parsing.from_table(edited)


def _file() -> parsing.Collected:
    """The uploader, then a choice of the text column and the label column."""
    upload = st.file_uploader(t("embeddings.upload_label"), type=["txt", "csv"], key=state.EMBED_FILE_INPUT)
    if upload is None:
        return parsing.Collected([])
    # One choice of encoding per uploaded file: a new file is read by its own likeliest encoding.
    encoding_key = f"{state.EMBED_ENCODING_INPUT}_{upload.file_id}"
    try:
        decoded = encoding.decode(upload.name, upload.getvalue(), st.session_state.get(encoding_key))
        if decoded.encoding is not None:
            _encoding_notice(upload.name, decoded, encoding_key)
        frame = parsing.read_upload(upload.name, decoded.text)
    except parsing.InputProblem as problem:
        st.error(str(problem), icon=":material/error:")
        return parsing.Collected([])
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
        format_func={"": t("embeddings.none"), **{c: c for c in columns}}.__getitem__,
    )
    return parsing.from_columns(frame, text_column, label_column or None)


def _encoding_notice(name: str, decoded: encoding.Decoded, key: str) -> None:
    """Which encoding a file that is not UTF-8 was read in, and the others that read it as text."""
    assumed = encoding.encoding_name(decoded.encoding or "")
    st.info(t("embeddings.encoding_assumed", name=name, encoding=assumed), icon=":material/translate:")
    if len(decoded.choices) > 1:
        st.selectbox(
            t("embeddings.encoding"),
            decoded.choices,
            format_func=encoding.encoding_name,
            key=key,
            help=t("embeddings.encoding_help"),
        )


def load_example() -> None:
    """The example texts in the session's language, into the lines box (a button's callback)."""
    st.session_state[state.EMBED_LINES_INPUT] = EXAMPLES[i18n.language()]
    st.session_state[state.EMBED_SOURCE_INPUT] = "lines"


def lines_into_table() -> None:
    """The typed lines as the table's rows; the editor starts over from them (a button's callback)."""
    table = parsing.table_from_lines(st.session_state.get(state.EMBED_LINES_INPUT, ""))
    state.put(state.EMBED_TABLE, table)
    state.put(state.EMBED_TABLE_BASE, table)
    st.session_state.pop(state.EMBED_TABLE_INPUT, None)
