"""The Chat page in Chinese, in each of its states: nothing on screen but names, code and user text is English.

``i18n_check.screen_leftovers`` skips chat messages (what users and models wrote); the words the
app puts inside a message (stats, errors, buttons, notes) are checked with :func:`chrome`.
"""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing

import pytest

from lib import i18n, state
from lib.chat.export import from_json, to_json, to_markdown
from lib.chat.history import ASSISTANT, FAILED, STOPPED, USER, Conversation, Message, error_record, saved_error_text
from lib.chat.store import ChatStore
from lib.ollama.errors import OllamaError
from lib.ui import navigation
from tests import i18n_check
from tests.chat.conftest import PNG_BASE64, ref

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def names(fake) -> set[str]:
    """Model names are never translated."""
    return i18n_check.installed_names(fake.url)


@pytest.fixture
def chat_zh(open_app):
    at = open_app(navigation.CHAT, query={i18n.QUERY_KEY: "zh"})
    assert at.session_state[state.LANGUAGE] == "zh"
    return at


def send(at, text: str):
    return at.chat_input(key=state.CHAT_PROMPT_INPUT).set_value(text).run()


def chrome(at) -> list[str]:
    """What the app itself writes inside chat messages: captions, errors, buttons, section labels."""
    texts = []
    for message in at.chat_message:
        texts += [caption.value for caption in message.caption]
        texts += [error.value for error in message.error]
        texts += [button.label for button in message.button]
        texts += [expander.label for expander in message.expander]
    return texts


def leftovers(at, names, *user_texts: str) -> list[str]:
    found = i18n_check.screen_leftovers(at, {*names, *user_texts})
    return found + [text for text in chrome(at) if i18n_check.leftover_words(text, names)]


def test_an_empty_chat_is_chinese(chat_zh, names):
    assert not chat_zh.exception
    assert chat_zh.title[0].value == "对话"
    assert chat_zh.selectbox(key=state.CHAT_MODEL_INPUT).label == "模型"
    assert chat_zh.chat_input(key=state.CHAT_PROMPT_INPUT).placeholder.startswith("给 ")
    assert leftovers(chat_zh, names) == []


def test_after_one_exchange_stats_and_actions_are_chinese(chat_zh, fake, names):
    fake.script_reply("Blue light is scattered more.")
    chat_zh.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("llama3.2:latest")).run()
    send(chat_zh, "Why is the sky blue?")
    assert not chat_zh.exception
    stats = chat_zh.chat_message[1].caption[-1].value
    assert "首个 token 用时" in stats and "token/秒" in stats
    assert {button.label for button in chat_zh.button} >= {"编辑", "删除", "重新生成"}
    assert leftovers(chat_zh, names, "Why is the sky blue?") == []


def test_thinking_and_the_edit_box_are_chinese(open_app, fake, names):
    # AppTest words a switch's choice outside the script run, in English: choose in English, then switch.
    chat_zh = open_app(navigation.CHAT, query={i18n.QUERY_KEY: "en"})
    chat_zh.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("qwen3:0.6b")).run()
    chat_zh.segmented_control(key=state.CHAT_THINK_INPUT).set_value(True).run()
    chat_zh.sidebar.button_group(key=state.LANGUAGE_INPUT).set_value("zh").run()
    send(chat_zh, "Think first")
    assert chat_zh.chat_message[1].expander[0].label == "思考过程"
    next(b for b in chat_zh.button if b.label == "编辑").click().run()
    assert chat_zh.text_area(key=state.CHAT_EDIT_INPUT).label == "编辑你的消息"
    assert leftovers(chat_zh, names, "Think first") == []


def test_a_mid_stream_error_is_explained_in_chinese(chat_zh, fake, names):
    fake.script_reply("alpha beta gamma delta epsilon")
    fake.add_fault("/api/chat", "drop", after=2)
    send(chat_zh, "go")
    answer = chat_zh.chat_message[1]
    assert answer.error, "the failure is shown in place of the answer"
    assert answer.caption[0].value == "出错前收到的部分回答保留在上方。"
    assert any(button.label == "重试" for button in chat_zh.button)
    assert leftovers(chat_zh, names, "go") == []


def test_an_error_saved_in_english_is_read_in_chinese_later(open_app, fake, names):
    english = open_app(navigation.CHAT, query={i18n.QUERY_KEY: "en"})
    english.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("llama3.2:latest")).run()
    fake.script_reply("alpha beta gamma delta epsilon")
    fake.add_fault("/api/chat", "drop", after=2)
    send(english, "go")
    english_error = english.chat_message[1].error[0].value
    assert not CJK.search(english_error)
    english.sidebar.button_group(key=state.LANGUAGE_INPUT).set_value("zh").run()
    chinese_error = english.chat_message[1].error[0].value
    assert CJK.search(chinese_error)
    assert i18n_check.leftover_words(chinese_error, names) == []


def test_compare_mode_is_chinese_before_and_after_a_message(open_app, fake, names):
    # AppTest words a switch's choice outside the script run, in English: choose in English, then switch.
    chat_zh = open_app(navigation.CHAT, query={i18n.QUERY_KEY: "en"})
    chat_zh.segmented_control(key=state.CHAT_MODE_INPUT).set_value("compare").run()
    chat_zh.sidebar.button_group(key=state.LANGUAGE_INPUT).set_value("zh").run()
    assert not chat_zh.exception
    assert chat_zh.segmented_control(key=state.CHAT_MODE_INPUT).value == "compare"
    assert chat_zh.segmented_control(key=state.CHAT_COMPARE_COUNT_INPUT).label == "并排的模型数"
    assert leftovers(chat_zh, names) == []
    chat_zh.chat_input(key=state.CHAT_COMPARE_PROMPT_INPUT).set_value("Say hi").run()
    assert not chat_zh.exception
    assert any(button.label == "继续用 llava:7b" for button in chat_zh.button)
    assert chat_zh.button(key="chat_compare_new").label == "新的对比"
    assert leftovers(chat_zh, names, "Say hi") == []


def test_the_conversation_list_and_the_confirm_delete_are_chinese(chat_zh, fake, names):
    send(chat_zh, "First question")
    chat_zh.button(key="chat_new").click().run()
    send(chat_zh, "Second question")
    titles = [button for button in chat_zh.sidebar.button if button.key and button.key.startswith("chat_open_")]
    assert len(titles) == 2
    assert all("条消息" in button.help and "年" in button.help for button in titles)
    assert leftovers(chat_zh, names, "First question", "Second question") == []
    chat_zh.button(key="chat_delete").click().run()
    assert chat_zh.sidebar.warning[0].value == "删除此对话？删除后无法恢复。"
    assert chat_zh.button(key="chat_confirm_yes").label == "确认删除"
    assert leftovers(chat_zh, names, "First question", "Second question") == []
    chat_zh.button(key="chat_confirm_yes").click().run()
    assert chat_zh.success[0].value == "已删除「Second question」。"


def test_search_without_results_and_import_notices_are_chinese(chat_zh, fake, names):
    send(chat_zh, "Something to find")
    chat_zh.sidebar.text_input(key=state.CHAT_SEARCH_INPUT).input("nowhere to be found").run()
    assert chat_zh.sidebar.caption[-1].value == "没有对话包含这段文字。"
    uploader = chat_zh.sidebar.file_uploader(key=state.CHAT_IMPORT_INPUT)
    uploader.upload("notes.json", b'{"hello": "world"}', "application/json").run()
    assert chat_zh.error[0].value.startswith("「notes.json」未导入。此 JSON 文件不是 Ollama Studio 的对话")
    assert leftovers(chat_zh, names, "Something to find", "nowhere to be found") == []
    document = to_json(
        Conversation(title="导入测试", model="llama3.2:latest"), [Message(USER, "问"), Message(ASSISTANT, "答")]
    )
    chat_zh.sidebar.file_uploader(key=state.CHAT_IMPORT_INPUT).upload(
        "c.json", document.encode(), "application/json"
    ).run()
    assert chat_zh.success[0].value == "已导入「导入测试」（2 条消息）。"


def test_the_chat_box_says_in_chinese_whether_images_can_be_attached(chat_zh):
    chat_zh.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("llama3.2:latest")).run()
    assert chat_zh.chat_input(key=state.CHAT_PROMPT_INPUT).placeholder == "给 llama3.2:latest 发消息（仅文字）"
    chat_zh.selectbox(key=state.CHAT_MODEL_INPUT).select(ref("llava:7b")).run()
    assert chat_zh.chat_input(key=state.CHAT_PROMPT_INPUT).placeholder == "给 llava:7b 发消息 · 用 + 附加图片"


def test_a_long_saved_chat_with_a_missing_model_is_chinese(open_app, studio_env, fake, names):
    store = ChatStore(studio_env / "chats.sqlite3")
    conversation_id = store.create(Conversation(model="qwen2.5:0.5b"))
    for n in range(43):
        store.add(conversation_id, Message(USER if n % 2 == 0 else ASSISTANT, f"message {n}"))
    store.add(conversation_id, Message(ASSISTANT, "cut", status=STOPPED, model="qwen2.5:0.5b"))  # message 42's answer
    store.add(conversation_id, Message(USER, "and this?"))
    at = open_app(navigation.CHAT, query={i18n.QUERY_KEY: "zh", "chat": str(conversation_id)})
    assert not at.exception
    assert at.warning[0].value == "此服务器上没有安装 qwen2.5:0.5b。"
    assert at.button(key="chat_show_earlier").label == "显示更早的消息（隐藏了 5 条）"
    assert at.button(key="chat_answer").label == "回答这条消息"
    assert any(text.endswith("回答在结束前被停止。") for text in chrome(at))
    user_texts = [f"message {n}" for n in range(43)]
    assert leftovers(at, {*names, "qwen2.5:0.5b"}, *user_texts, "and this?") == []


def test_a_refused_import_and_a_damaged_saved_chat_are_explained_in_chinese(open_app, studio_env, names):
    store = ChatStore(studio_env / "chats.sqlite3")
    conversation_id = store.create(Conversation(title="坏的", model="llama3.2:latest"))
    question = store.add(conversation_id, Message(USER, "问"))
    with closing(sqlite3.connect(store.path)) as db, db:
        db.execute("UPDATE conversations SET options = '{\"stop\": [1]}' WHERE id = ?", (conversation_id,))
        db.execute("UPDATE messages SET images = '[\"PHN2Zy8+\"]' WHERE id = ?", (question,))
    at = open_app(navigation.CHAT, query={i18n.QUERY_KEY: "zh", "chat": str(conversation_id)})
    assert not at.exception
    assert at.warning[0].value == "此对话保存的部分设置无法使用，已改为模型默认值。options.stop，第 1 项：必须是文本。"
    assert chrome(at)[0] == ":material/broken_image: 此消息的一部分无法显示。第 1 张图片：不是 PNG、JPEG 或 WebP 图片。"
    assert leftovers(at, names, "问") == []
    document = json.loads(to_json(Conversation(title="t"), [Message(USER, "x")]))
    document["messages"][0]["created_at"] = 1e300
    at.sidebar.file_uploader(key=state.CHAT_IMPORT_INPUT).upload(
        "t.json", json.dumps(document).encode(), "application/json"
    ).run()
    assert at.error[0].value == (
        "「t.json」未导入。第 1 条消息，created\\_at：必须是自 1970 年起的秒数，且在 1970 年至 9999 年之间。"
    )
    assert leftovers(at, names, "问") == []


# Exports and saved errors, without the page


SAVED = [
    Message(USER, "Why?", images=[PNG_BASE64]),
    Message(ASSISTANT, "Because.", thinking="Hmm", status=STOPPED, model="llava:7b"),
    Message(
        ASSISTANT,
        "",
        status=FAILED,
        model="llava:7b",
        error=error_record(OllamaError(key="chat.no_vision", values={"model": "llava:7b"})),
    ),
]


def test_the_markdown_transcript_is_written_in_the_language_of_the_export():
    conversation = Conversation(title="", model="", system="Be brief.", created_at=1_700_000_000.0)
    chinese = to_markdown(conversation, SAVED, "zh")
    assert chinese.startswith("# 对话\n")
    for words in (
        "模型：未选择 · 开始于 2023-11-14",
        "**系统提示词：**",
        "## 你",
        "## 助手",
        "*思考过程：*",
        "*（附带 1 张图片）*",
        "*（在结束前被停止）*",
        "*错误：llava:7b 看不到图片",
    ):
        assert words in chinese
    assert "{" not in chinese
    english = to_markdown(conversation, SAVED, "en")
    assert "## You" in english and "*(1 image attached)*" in english and "*Error: llava:7b cannot see images" in english


def test_json_keeps_english_keys_and_words_the_error_in_the_language_of_the_export():
    document = json.loads(to_json(Conversation(title="t"), SAVED, "zh"))
    assert list(document) == [
        "format",
        "version",
        "title",
        "model",
        "system",
        "options",
        "keep_alive",
        "think",
        "created_at",
        "messages",
    ]
    assert document["messages"][1]["status"] == "stopped"
    assert document["messages"][2]["error"].startswith("llava:7b 看不到图片")
    _, messages = from_json(json.dumps(document))
    assert saved_error_text(messages[2].error, "en").startswith("llava:7b 看不到图片")


@pytest.mark.parametrize(
    "saved, lang, expected",
    [
        (
            error_record(OllamaError(key="errors.reading_failed", values={"problem": "KeyError: 'x'"})),
            "zh",
            "读取回答时意外失败（KeyError: 'x'）。",
        ),
        (
            error_record(OllamaError(key="errors.reading_failed", values={"problem": "KeyError: 'x'"})),
            "en",
            "Reading the answer failed unexpectedly (KeyError: 'x').",
        ),
        ('{"error_key": "chat.no_such_key", "values": {}, "text": "As it was said."}', "zh", "As it was said."),
        (  # saved before values were kept raw: already escaped, shown as saved
            '{"error_key": "errors.server_said", "values": {"said": "a\\\\_b."}, "text": "a_b."}',
            "en",
            "a\\_b.",
        ),
        ("A plain error from an older chat.", "zh", "A plain error from an older chat."),
        ('{"error_key": broken', "zh", '{"error_key": broken'),
    ],
)
def test_a_saved_error_is_worded_in_the_language_it_is_read_in(saved, lang, expected):
    assert saved_error_text(saved, lang) == expected
