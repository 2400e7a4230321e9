"""The chat box's dock: constant style rules and script, with nothing in them that a visitor or a model wrote."""

import pytest

from lib.chat import dock as chat_dock


@pytest.mark.parametrize(
    ("option", "theme", "expected"),
    [
        (None, "light", "#ffffff"),
        (None, "dark", "#0e1117"),
        (None, None, "#ffffff"),
        ("#123456", "light", "#123456"),
        ("#abc", "dark", "#abc"),
        ("red; } body { display: none", "light", "#ffffff"),  # only a plain hex colour goes into the style sheet
        ("rgb(1, 2, 3)", "dark", "#0e1117"),
    ],
)
def test_the_background_is_the_configured_hex_colour_or_streamlits_own(option, theme, expected):
    assert chat_dock.background(option, theme) == expected


def test_the_dock_html_takes_only_a_hex_colour():
    with pytest.raises(ValueError):
        chat_dock.dock_html("#fff; } * { color: red")


def test_the_dock_html_is_our_style_and_script_for_the_docks_key():
    html = chat_dock.dock_html("#ffffff")
    assert html.startswith(
        '<style>[data-testid="stLayoutWrapper"]:has(> .st-key-chat_dock), .st-key-chat_dock {'
        " position: sticky; bottom: 0;"
    )
    assert html.count("<script>") == 1 and html.endswith("</script>")
    assert ".st-key-chat_dock" in html.split("<script>")[1] and "%(" not in html
