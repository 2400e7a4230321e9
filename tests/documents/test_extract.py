"""Text out of real files made for the tests, and a sentence for every file that cannot be read."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from lib import i18n
from lib.documents import extract as ex
from lib.documents.extract import DocumentProblem, check_zip, extract, kind_of, problem_text
from lib.documents.records import CSV, DOCX, HTML, MARKDOWN, PDF, TEXT, Section
from tests.documents import samples


def problem(name: str, data: bytes) -> DocumentProblem:
    with pytest.raises(DocumentProblem) as caught:
        extract(name, data)
    return caught.value


def test_a_pdf_gives_its_pages_and_headings():
    kind, sections = extract("handbook.pdf", samples.handbook_pdf())
    assert kind == PDF
    assert [(s.page, s.heading) for s in sections] == [(1, "Returns and refunds"), (2, "Shipping"), (2, "Warranty")]
    assert sections[0].text == samples.RETURNS  # layout lines joined back into the paragraph
    assert sections[2].text == samples.WARRANTY


def test_a_heading_at_the_foot_of_a_page_holds_for_the_next_page():
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setFont("Helvetica", 11)
    page.drawString(72, 700, "Introduction text on the first page.")
    page.setFont("Helvetica-Bold", 16)
    page.drawString(72, 80, "Appendix")
    page.showPage()
    page.setFont("Helvetica", 11)
    page.drawString(72, 700, "Appendix text on the second page.")
    page.showPage()
    page.save()
    _, sections = extract("a.pdf", buffer.getvalue())
    assert [(s.page, s.heading, s.text) for s in sections] == [
        (1, "", "Introduction text on the first page."),
        (2, "Appendix", "Appendix text on the second page."),
    ]


def test_a_chinese_pdf_reads_as_chinese_without_spaces_from_its_line_ends():
    kind, sections = extract("手册.pdf", samples.chinese_pdf())
    assert kind == PDF
    assert [(s.page, s.heading) for s in sections] == [(1, "退货政策"), (2, "配送"), (3, "保修")]
    assert sections[0].text == "顾客在收到商品后三十天内可以退货。包裹到达仓库后，五个工作日内退款到原来的银行卡。"


def test_pdf_lines_become_paragraphs_and_list_items():
    text = ex._reflow(
        [
            "The first paragraph runs to the margin of the page and",
            "goes on to its end here.",
            "Items:",
            "• one",
            "• two",
            "A line that runs to the margin ends in a compound word, two-",
            "part words, and the last line is long enough to be whole.",
        ],
        typical=60,
    )
    assert text == (
        "The first paragraph runs to the margin of the page and goes on to its end here.\n\n"
        "Items:\n\n• one\n\n• two\n\n"
        "A line that runs to the margin ends in a compound word, two-part words, and the last line is long enough "
        "to be whole."
    )


def test_a_pdf_is_known_by_its_bytes_whatever_its_name():
    assert kind_of("handbook.txt", samples.handbook_pdf()) == PDF
    assert kind_of("handbook", b"junk before\n%PDF-1.7\n...") == PDF


def test_a_pdf_that_is_not_one_says_so():
    assert problem("report.pdf", b"<html>not a pdf</html>").key == "not_a_pdf"
    assert problem("report.pdf", b"\x89PNG\r\n\x1a\n" + bytes(200)).key == "not_a_pdf"


def test_a_damaged_pdf_is_unreadable():
    assert problem("broken.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 10).key in ("unreadable", "no_text_layer")
    assert problem("cut.pdf", samples.handbook_pdf()[:400]).key in ("unreadable", "no_text_layer")


def test_an_encrypted_pdf_says_so_but_one_only_restricted_against_editing_is_read():
    assert problem("secret.pdf", samples.encrypted_pdf("secret")).key == "encrypted"
    assert problem("secret-aes.pdf", samples.encrypted_pdf("secret", "AES-256")).key == "encrypted"
    for algorithm in ("RC4-128", "AES-128"):
        _, sections = extract("restricted.pdf", samples.encrypted_pdf("", algorithm))
        assert sections[0].text == samples.RETURNS


def test_a_scanned_pdf_is_a_sentence_not_an_empty_index():
    found = problem("scan.pdf", samples.scanned_pdf(pages=3))
    assert (found.key, found.values) == ("no_text_layer", {"name": "scan.pdf", "n": 3})
    assert "3 pages" in problem_text(found) and "OCR" in problem_text(found)


def test_a_word_document_gives_headings_paragraphs_and_tables():
    kind, sections = extract("handbook.docx", samples.handbook_docx())
    assert kind == DOCX
    assert sections == [
        Section(samples.RETURNS, None, "Returns and refunds"),
        Section(samples.SHIPPING + "\n\nDestination | Days\nAbroad | 7 to 21", None, "Shipping"),
    ]


def test_a_zip_bomb_named_docx_is_refused_from_its_directory():
    bomb = samples.zip_bomb(60 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    assert problem("report.docx", bomb).key == "zip_bomb"


def test_a_zip_too_large_in_all_is_refused(monkeypatch):
    monkeypatch.setattr(ex, "MAX_UNZIPPED", 1000)
    assert problem("big.docx", samples.handbook_docx()).key == "zip_bomb"


def test_a_zip_that_lies_about_its_sizes_cannot_unpack_further_than_it_says():
    lying = samples.lying_zip(declared=100, actual=50_000)
    archive = check_zip("lying.docx", lying)  # it passes the check by its declared size
    with pytest.raises(zipfile.BadZipFile), archive.open("word/document.xml") as member:
        assert len(member.read(1_000_000)) <= 100
        member.read()
    assert problem("lying.docx", lying).key == "unreadable"


def test_entities_that_expand_a_billion_times_are_not_expanded():
    started = time.monotonic()
    assert problem("laughs.docx", samples.entity_bomb_docx()).key == "unreadable"
    assert time.monotonic() - started < 5


def test_a_docx_that_is_not_a_word_document_says_so():
    assert problem("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)).key == "not_a_docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert problem("archive.docx", buffer.getvalue()).key == "not_a_docx"
    with zipfile.ZipFile(buffer := io.BytesIO(), "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert problem("bzip.docx", buffer.getvalue()).key == "not_a_docx"


def test_a_file_over_the_limit_is_refused_by_its_size_alone():
    with pytest.raises(DocumentProblem) as caught:
        ex.check_size("huge.pdf", 200_000_000)
    assert caught.value.key == "too_large"
    assert "200.0 MB" in problem_text(caught.value) and "50.0 MB" in problem_text(caught.value)


def test_extract_refuses_a_large_file_before_parsing_it(monkeypatch):
    monkeypatch.setattr(ex, "MAX_BYTES", 1000)
    parsed = []
    monkeypatch.setitem(ex._READERS, PDF, lambda name, data: parsed.append(name) or [])
    assert problem("big.pdf", b"%PDF-1.7" + bytes(2000)).key == "too_large"
    assert parsed == []


def test_html_keeps_what_a_reader_sees_and_text_stays_text():
    page = b"""<!doctype html><html><head><title>T</title><style>p{}</style>
    <script>alert('x')</script></head><body><nav>Home | About</nav>
    <h1>Returns</h1><p>Send it back within <b>30 days</b>.<br>Keep the receipt.</p>
    <!-- a comment --><p>&lt;img src=x onerror=alert(1)&gt; and **bold** stay as text.</p>
    <h2>Shipping</h2><ul><li>Two days</li><li>Abroad: weeks</li></ul><pre>  code
      kept</pre></body></html>"""
    kind, sections = extract("page.html", page)
    assert kind == HTML
    assert sections == [
        Section(
            "Send it back within 30 days.\nKeep the receipt.\n\n"
            "<img src=x onerror=alert(1)> and **bold** stay as text.",
            None,
            "Returns",
        ),
        Section("Two days\n\nAbroad: weeks\n\n  code\n      kept", None, "Shipping"),
    ]


def test_deeply_nested_html_is_read_without_recursion():
    page = b"<div>" * 50_000 + b"deep text" + b"</div>" * 50_000
    assert extract("deep.html", page)[1] == [Section("deep text")]


def test_markdown_headings_outside_code_and_injection_kept_as_text():
    text = (
        "# Guide\n\nIntro with ![tracker](http://evil.example/x.png) and <script>alert(1)</script>.\n\n"
        "Setext title\n============\n\nBody.\n\n```\n# not a heading\n```\n\n#hashtag is not a heading\n"
    )
    kind, sections = extract("guide.md", text.encode())
    assert kind == MARKDOWN
    assert sections == [
        Section("Intro with ![tracker](http://evil.example/x.png) and <script>alert(1)</script>.", None, "Guide"),
        Section("Body.\n\n```\n# not a heading\n```\n\n#hashtag is not a heading", None, "Setext title"),
    ]


def test_text_in_another_encoding_and_control_characters():
    kind, sections = extract("说明.txt", samples.CHINESE.encode("gb18030"))
    assert kind == TEXT and sections[0].text == samples.CHINESE
    words = " more words" * 30  # a control character or two in a page of text, as terminals' logs have
    _, sections = extract("notes.txt", f"one\x07two\r\n\r\n\r\n\r\nthree\x1b[31m\ufeff{words}".encode())
    assert sections == [Section(f"onetwo\n\nthree[31m{words}")]


def test_a_binary_file_named_txt_is_not_text():
    assert problem("photo.txt", bytes(range(256)) * 40).key == "not_text"


def test_csv_rows_carry_their_column_names():
    kind, sections = extract("prices.csv", "item;price\nKettle;30\n;\nToaster;25\n".encode("utf-16"))
    assert kind == CSV
    assert sections == [Section("item: Kettle; price: 30\nitem: Toaster; price: 25")]


def test_unsupported_empty_and_too_long_files(monkeypatch):
    assert problem("photo.png", b"\x89PNG\r\n\x1a\n").key == "unsupported"
    assert problem("empty.txt", b"").key == "empty"
    assert problem("blank.md", b"  \n\n ").key == "empty"
    assert problem("blank.html", b"<script>x</script>").key == "empty"
    monkeypatch.setattr(ex, "MAX_CHARS", 10)
    assert problem("long.txt", b"eleven chars").key == "too_long"


def test_every_problem_has_a_sentence_in_both_languages_with_the_file_name():
    values = {"name": "**x**.pdf", "size": "200 MB", "limit": "50 MB", "n": 2}
    for key in ex.PROBLEMS:
        entry = i18n.catalog()[ex._PROBLEM_KEYS[key]]
        for language in i18n.LANGUAGES:
            sentence = i18n.render(entry, language, values)
            assert r"\*\*x\*\*.pdf" in sentence and "{" not in sentence, (key, language)
