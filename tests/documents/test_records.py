from lib.documents.records import KINDS, Hit, Passage


def test_a_hit_carries_its_passage_document_and_score():
    hit = Hit(Passage(3, 0, "text", page=2, heading="Intro"), "guide.pdf", 0.82, number=1)
    assert (hit.passage.page, hit.document, hit.number) == (2, "guide.pdf", 1)


def test_the_kinds_are_the_files_the_issue_names():
    assert set(KINDS) == {"pdf", "docx", "markdown", "text", "html", "csv"}
