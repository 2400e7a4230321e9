"""Real files made for the tests: PDFs (reportlab writes them, pypdf encrypts them), a Word document
(python-docx), a zip bomb, and the texts they hold.

The shop handbook's passages are about different things (returns, shipping, the warranty), so a
question about one of them has one right answer.
"""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

RETURNS = (
    "Customers may send back any item within 30 days of delivery. Once the parcel reaches our "
    "warehouse, the refund is paid to the original card within five working days."
)
SHIPPING = (
    "Orders leave the warehouse within two days. Delivery abroad takes one to three weeks, "
    "depending on customs, and the courier emails a tracking number."
)
WARRANTY = (
    "Every kettle carries a two-year warranty against defects. A kettle that stops heating is "
    "repaired or replaced free of charge."
)
CHINESE = (
    "退货政策\n\n顾客在收到商品后三十天内可以退货。包裹到达仓库后，五个工作日内退款到原来的银行卡。\n\n"
    "配送\n\n订单在两天内从仓库发出。寄往国外的包裹需要一到三周，取决于海关。\n\n"
    "保修\n\n每个水壶都有两年保修。水壶不能加热时，免费维修或更换。"
)


def handbook_pdf() -> bytes:
    """Two pages: "Returns and refunds" on page 1; "Shipping" and "Warranty" on page 2 (headings in 18 pt)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    y = _heading(page, "Returns and refunds", 780)
    _body(page, RETURNS, y)
    page.showPage()
    y = _heading(page, "Shipping", 780)
    y = _body(page, SHIPPING, y)
    y = _heading(page, "Warranty", y - 20)
    _body(page, WARRANTY, y)
    page.showPage()
    page.save()
    return buffer.getvalue()


def chinese_pdf() -> bytes:
    """The Chinese handbook, one topic a page, in Adobe's standard Chinese font (not embedded)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    parts = CHINESE.split("\n\n")
    for heading, body in zip(parts[::2], parts[1::2], strict=True):
        page.setFont("STSong-Light", 18)
        page.drawString(72, 780, heading)
        page.setFont("STSong-Light", 11)
        y = 750
        for start in range(0, len(body), 30):
            page.drawString(72, y, body[start : start + 30])
            y -= 15
        page.showPage()
    page.save()
    return buffer.getvalue()


def _heading(page: Any, text: str, y: float) -> float:
    page.setFont("Helvetica-Bold", 18)
    page.drawString(72, y, text)
    return y - 28


def _body(page: Any, text: str, y: float) -> float:
    page.setFont("Helvetica", 11)
    words = text.split()
    line: list[str] = []
    for word in words:
        if len(" ".join([*line, word])) > 80:
            page.drawString(72, y, " ".join(line))
            y -= 15
            line = []
        line.append(word)
    page.drawString(72, y, " ".join(line))
    return y - 15


def scanned_pdf(pages: int = 2) -> bytes:
    """Pages that are only pictures (of text, as a scanner makes them), with no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    picture = Image.new("RGB", (400, 100), "white")
    ImageDraw.Draw(picture).text((10, 40), "Returns within 30 days", fill="black")
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    for _ in range(pages):
        page.drawImage(ImageReader(picture), 72, 600, width=400, height=100)
        page.showPage()
    page.save()
    return buffer.getvalue()


def encrypted_pdf(user_password: str = "secret", algorithm: str = "RC4-128") -> bytes:
    """The handbook encrypted; with an empty ``user_password`` anyone may open it (only editing is restricted)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(handbook_pdf())))
    writer.encrypt(user_password, "owner-password", algorithm=algorithm)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def handbook_docx() -> bytes:
    """A Word document: a title, two headings with paragraphs, and a table under the second."""
    import docx

    document = docx.Document()
    document.add_heading("Shop handbook", level=0)
    document.add_heading("Returns and refunds", level=1)
    document.add_paragraph(RETURNS)
    document.add_heading("Shipping", level=1)
    document.add_paragraph(SHIPPING)
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("Destination", "Days"), ("Abroad", "7 to 21")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bomb(unpacked: int = 60 * 1024 * 1024) -> bytes:
    """A zip of ``unpacked`` zero bytes named like a Word document's part: a few hundred kB packed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(unpacked // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def lying_zip(declared: int, actual: int) -> bytes:
    """A zip whose one member holds ``actual`` bytes while its directory says ``declared``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document/>" + b" " * (actual - 13))
    data = bytearray(buffer.getvalue())
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, declared)
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


def entity_bomb_docx() -> bytes:
    """The Word document with "a billion laughs" in its XML: ten levels of entities, each ten of the one below."""
    source = zipfile.ZipFile(io.BytesIO(handbook_docx()))
    entities = '<!ENTITY a "lol">' + "".join(
        f'<!ENTITY {chr(98 + level)} "{f"&{chr(97 + level)};" * 10}">' for level in range(9)
    )
    body = source.read("word/document.xml").decode().split("?>", 1)[1].replace("Customers may", "&j; Customers may", 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "word/document.xml":
                data = f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>{body}'.encode()
            archive.writestr(member.filename, data)
    return buffer.getvalue()
