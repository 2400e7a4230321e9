"""The style sheet that words Streamlit's own uploader texts: catalog text cannot break out of it."""

from lib.ui.streamlit_chrome import css_string, style_sheet


def test_css_strings_escape_quotes_backslashes_and_tags():
    assert css_string("上传") == '"上传"'
    assert css_string('a"b\\c</style><script>') == '"a\\22 b\\5c c\\3c /style\\3e \\3c script\\3e "'


def test_the_style_sheet_is_one_style_element_with_both_texts():
    sheet = style_sheet("上传", "单个文件不超过 20MB")
    assert sheet.startswith("<style>") and sheet.endswith("</style>") and sheet.count("<") == 2
    assert 'content: "上传"' in sheet and 'content: "单个文件不超过 20MB"' in sheet
