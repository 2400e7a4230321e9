"""Fuzz the sanitizer against Streamlit's real frontend: no generated document makes the browser fetch.

Documents are generated (seeded, so a failure repeats) from fragments that mix images (inline,
reference-style with odd labels, inside links), autolinks, raw HTML ``<img>``, ``<iframe>`` and
``<video>``, ``$``, ``$$``, fences (``` and ~~~, unclosed), definitions, footnotes, directives,
tables, quotes and lists, every image pointing at a local server that records requests. Each
document is streamed one character at a time through :class:`LiveMarkdown` with a clock that lets
every character draw, so every intermediate frame is captured, then finished, then drawn again as
a stored message: every Markdown body the app would send is drawn in Chromium by Streamlit's real
frontend, served WITHOUT the Content-Security-Policy (the sanitizer alone is under test). No
element may load anything from elsewhere, and the recording server must hear nothing.

``FUZZ_SEED`` and ``FUZZ_DOCUMENTS`` search further (800 documents take about two minutes).
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path

from playwright.sync_api import Page, expect

from lib.ui.live_markdown import LiveMarkdown, render_markdown
from lib.ui.markdown_safety import safe_markdown
from tests.browser.conftest import Listener
from tests.streamlit_process import StreamlitApp

APPS = Path(__file__).resolve().parent / "apps"
SEED = int(os.environ.get("FUZZ_SEED", "17"))
DOCUMENTS = int(os.environ.get("FUZZ_DOCUMENTS", "220"))
BATCH = 400  # Markdown elements drawn per page load
DRAWN = 60_000


def fixed_cases(u: str) -> list[str]:
    """The three families found by the issue's fuzzing, and neighbours of them."""
    return [
        # An image between two single dollars on one line.
        f"$ ![a]({u}/f1a.png) $",
        f"a $![a]({u}/f1b.png)$ b",
        f"$x ![a]({u}/f1c.png) y$ and $z$",
        f"cost $5 ![a]({u}/f1d.png) and $6",
        f"$`$ ![a]({u}/f1e.png) `",
        f"$a `b$ ![a]({u}/f1f.png) `",
        # A line that starts with $$.
        f"$$ ![a]({u}/f2a.png) $$",
        f"$$\n![a]({u}/f2b.png)\n$$",
        f"$$ x\n![a]({u}/f2c.png)",
        f"text\n$$\n```\n$$\n![a]({u}/f2d.png)\n```",
        f"$$\n`\n$$\n![a]({u}/f2e.png) `",
        f"- $$\n  ```\n  $$\n  ![a]({u}/f2f.png)\n  ```",
        f"$$ `\n![a]({u}/f2g.png) `",
        # A definition whose label holds a backtick or a dollar, used by an image on a later line.
        f"[a`b]: {u}/f3a.png\n\n![x][a`b]",
        f"[a`b]: {u}/f3b.png\n\n[y][a`b] ![x][a`b] `",
        f"[$q$]: {u}/f3c.png\n\n![x][$q$]",
        f"[$q$]: {u}/f3d.png\n\ntext $\n![x][$q$] $",
        f"[a`b]: {u}/f3e.png\n\n`c ![a`b] d`",
        f"[l `x]: {u}/f3f.png\n\n`![i][l `x]`",
        f"[x$]: {u}/f3g.png\n\na $b ![x$] c",
        f"[a`b]: {u}/f3h.png\n![x][a`b]",
        f"- [a`b]: {u}/f3i.png\n\n`x ![a`b] y`",
        f"> [$a`]: {u}/f3j.png\n\n$ `![z][$a`] ` $",
        f"[a`b]: {u}/f3k.png\n\n[a`b] ![a`b] `",
        # Neighbours: containers and extensions around fences and code spans.
        f":::note\n```\n:::\n![a]({u}/n1.png)\n```",
        f"<!--\n```\n-->\n![a]({u}/n2.png)\n```",
        f"| `a | ![i]({u}/n3.png) | b` |\n|---|---|---|",
        f"http://h/`x ![a]({u}/n4.png) `",
        f':x{{a="`"}} ![a]({u}/n5.png) `',
        f":x[`] ![a]({u}/n6.png) `",
        f"[^1]: a\n    ```\n![a]({u}/n7.png)\n```",
        f"    ```\n![a]({u}/n8.png)",
        f"[![b]({u}/n9.png)](http://p)",
    ]


def fragments(u: str) -> list[str]:
    return [
        f"![a]({u}/inline.png)",
        f"![a](<{u}/angle.png>)",
        f'![a]({u}/title.png "t")',
        "![r1]",
        "![x][r1]",
        "![r1][]",
        f"[r1]: {u}/ref.png",
        "![x][a`b]",
        f"[a`b]: {u}/tick.png",
        "![y][$q$]",
        f"[$q$]: {u}/dollar.png",
        f"<{u}/auto.png>",
        f'<img src="{u}/raw.png">',
        f'<iframe src="{u}/frame"></iframe>',
        f'<video src="{u}/video.mp4"></video>',
        f"[![b]({u}/badge.png)](http://p)",
        "$",
        "$",
        "$$",
        "\n$$\n",
        "`",
        "`",
        "``",
        "```",
        "\n```\n",
        "~~~",
        "\n~~~\n",
        "```python\n",
        "\n",
        "\n",
        "\n\n",
        "> ",
        "- ",
        "1. ",
        "    ",
        "|",
        "| a | b |\n|---|---|\n",
        "<div>",
        "<!--",
        "-->",
        ":::note\n",
        "\n:::\n",
        "::x",
        ":red[",
        "]",
        "[",
        "](",
        ")",
        '{a="`"}',
        "[^1]",
        "\n[^1]: ",
        "http://h/",
        "\\",
        "\\(",
        "\\)",
        "\\[",
        "\\]",
        "word",
        "two words",
        "*",
        "!",
        "#",
        "<",
        "\t",
        "   ",
        "\n  - ",
        "\n   ```\n",
        "<!-->",
        "<?",
        "?>",
        "www.h.com/",
        "\n===\n",
        "&#96;",
        "\\`",
        ":material/home:",
        "~",
    ]


def documents(u: str) -> list[str]:
    rng = random.Random(SEED)
    pieces = fragments(u)
    images = pieces[:16]
    generated = []
    for _ in range(DOCUMENTS):
        parts = [rng.choice(pieces) for _ in range(rng.randint(3, 12))]
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(images))
        generated.append("".join(part + rng.choice(["", "", " ", "\n"]) for part in parts))
    return fixed_cases(u) + generated


class Recorder:
    """Stands in for Streamlit's containers: keeps every Markdown body drawn, in order."""

    def __init__(self, bodies: list[str]) -> None:
        self._bodies = bodies

    def empty(self) -> Recorder:
        return self

    def container(self, **_: object) -> Recorder:
        return self

    def markdown(self, body: str) -> Recorder:
        self._bodies.append(body)
        return self

    def html(self, _: str) -> Recorder:
        return self


def bodies_for(document: str) -> list[str]:
    """Every body the app sends for ``document``: each streamed frame, the finished answer, the stored one."""
    bodies: list[str] = []
    ticks = itertools.count()
    live = LiveMarkdown(Recorder(bodies), clock=lambda: next(ticks) * 10.0)  # type: ignore[arg-type]
    for char in document:
        live.append(char)
    live.finish()
    render_markdown(document, Recorder(bodies))
    bodies.append(safe_markdown(document))
    return bodies


FIND_REMOTE_ELEMENTS = """() => {
    const found = [];
    const blocks = Array.from(document.querySelectorAll('[data-testid="stMarkdownContainer"]'));
    blocks.forEach((block, index) => {
        const media = 'img, iframe, frame, video, audio, source, track, embed, object, image, use, input';
        for (const el of block.querySelectorAll(media)) {
            for (const name of ['src', 'srcset', 'data', 'href', 'xlink:href', 'poster']) {
                const value = el.getAttribute(name);
                if (!value || value.startsWith('data:') || value.startsWith('blob:')) continue;
                if (new URL(value, location.href).origin !== location.origin) found.push([index, el.tagName, value]);
            }
        }
    });
    return [blocks.length, found];
}"""


def test_no_generated_document_makes_the_browser_fetch(listener: Listener, page: Page, tmp_path: Path):
    drawn: dict[str, str] = {}  # body → the document it came from
    for document in documents(listener.url):
        for body in bodies_for(document):
            if body.strip():
                drawn.setdefault(body, document)
    bodies = list(drawn)
    batches = [bodies[start : start + BATCH] for start in range(0, len(bodies), BATCH)]
    corpus = tmp_path / "bodies.json"
    corpus.write_text(json.dumps(batches))
    app = StreamlitApp(APPS / "markdown_bodies.py", {"MARKDOWN_BODIES": str(corpus)}, tmp_path / "streamlit.log")
    failures = []
    try:
        for number, batch in enumerate(batches):
            page.goto(f"{app.url}/?batch={number}")
            expect(page.get_by_text(f"End of batch {number}.")).to_be_visible(timeout=DRAWN)
            expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=DRAWN)
            count, found = page.evaluate(FIND_REMOTE_ELEMENTS)
            assert count == len(batch)
            failures += [(batch[index], drawn[batch[index]], tag, src) for index, tag, src in found]
        page.wait_for_timeout(500)
    finally:
        app.stop()
    assert not failures, "fetched: " + " ".join(sorted({src.rsplit("/", 1)[-1] for *_, src in failures}))
    assert listener.hits == []
    assert len(bodies) > 2_000  # the corpus really is dense: every streamed frame of every document
