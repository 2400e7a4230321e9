"""The HTML report (self-contained, escaped, well formed, in either language), the CSV and JSON exports,
and how candidates and changes are named."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from lib.chat.history import error_record
from lib.evals.records import (
    EXACT,
    JSON_SCHEMA,
    MAX_TOKENS,
    Answer,
    Candidate,
    Check,
    CheckResult,
    JudgeVerdict,
    Prompt,
    PromptSet,
    Run,
)
from lib.evals.report import candidate_name, change_text, error_text, html_report, judge_name, run_json, runs_csv
from lib.evals.scoring import Change, scores
from lib.ollama.errors import OllamaError
from lib.ollama.stats import RunStats

HOSTILE = '<script>alert("x")</script><img src="https://tracker.example/a.png" onerror="alert(1)">'
VOID = frozenset({"meta", "br", "rect"})
ALLOWED_TAGS = frozenset(
    {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "h1",
        "h2",
        "p",
        "details",
        "summary",
        "pre",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "svg",
        "rect",
        "strong",
        "span",
        "div",
        "br",
        "ul",
        "li",
        "footer",
    }
)
ALLOWED_ATTRIBUTES = frozenset(
    {"lang", "charset", "name", "content", "class", "width", "height", "fill", "role", "aria-label"}
)


class Structure(HTMLParser):
    """Every tag and attribute, and whether each element closes in the order it opened."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += attrs
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parsed(document: str) -> Structure:
    structure = Structure()
    structure.feed(document)
    structure.close()
    assert structure.problems == [] and structure.stack == []
    return structure


def a_run(content: str = "Paris", **names) -> Run:
    prompts = PromptSet(
        names.get("set_name", "Capitals"),
        (
            Prompt(
                names.get("prompt", "Capital of France?"),
                tags=(names.get("tag", "geo"),),
                system=names.get("system", "Be brief."),
                checks=(Check(EXACT, names.get("value", "Paris")), Check(MAX_TOKENS, 10)),
            ),
            Prompt("Give JSON", schema={"type": "object"}, images=("aGVsbG8=",), checks=(Check(JSON_SCHEMA),)),
            Prompt("No checks here"),
        ),
        description=names.get("description", "Three prompts."),
    )
    candidates = (
        Candidate(names.get("model", "qwen2.5"), {"temperature": 0}),
        Candidate("llama3.2", label=names.get("label", "")),
    )
    stats = RunStats(time_to_first_token=0.2, output_tokens=4, output_tokens_per_second=25.0, load_time=1.5)
    verdict = JudgeVerdict("judge", {"model": "judge", "messages": []}, names.get("reasoning", "Right."), score=9)
    answers = (
        Answer(
            0,
            0,
            content,
            thinking=names.get("thinking", "Let me think."),
            stats=stats,
            seconds=0.9,
            checks=(
                CheckResult(
                    Check(EXACT, names.get("value", "Paris")),
                    content == "Paris",
                    "" if content == "Paris" else "different",
                ),
                CheckResult(Check(MAX_TOKENS, 10), True, "", {"tokens": 4, "limit": 10}),
            ),
            verdict=verdict,
        ),
        Answer(1, 0, "{}", stats=stats, seconds=0.5, checks=(CheckResult(Check(JSON_SCHEMA), True),)),
        Answer(2, 0, "Anything", stats=stats),
        Answer(0, 1, status="failed", error=names.get("error", "The model llama3.2 is not installed.")),
    )
    return Run(
        prompts, candidates, answers, created_at=1_750_000_000.0, judge="judge", rubric=names.get("rubric", "Be right.")
    )


def report(run: Run, language: str = "en") -> str:
    return html_report(run, scores(run), language)


def test_the_report_is_self_contained_well_formed_and_fetches_nothing():
    document = report(a_run())
    structure = parsed(document)
    assert document.startswith("<!DOCTYPE html>")
    assert set(structure.tags) <= ALLOWED_TAGS
    assert {name for name, _ in structure.attributes} <= ALLOWED_ATTRIBUTES
    assert "http://" not in document and "https://" not in document
    assert "url(" not in document and "@import" not in document and "<script" not in document


@pytest.mark.parametrize(
    "field",
    [
        "content",
        "model",
        "label",
        "prompt",
        "tag",
        "system",
        "value",
        "reasoning",
        "error",
        "rubric",
        "set_name",
        "description",
        "thinking",
    ],
)
def test_hostile_text_anywhere_is_shown_as_text_and_runs_nothing(field):
    document = report(a_run(**({"content": HOSTILE} if field == "content" else {field: HOSTILE})))
    structure = parsed(document)
    assert set(structure.tags) <= ALLOWED_TAGS  # no script, no img
    assert {name for name, _ in structure.attributes} <= ALLOWED_ATTRIBUTES  # no src, no onerror
    assert all("http" not in (value or "") for _, value in structure.attributes)
    assert "<script" not in document.lower() and "&lt;script&gt;" in document
    assert HOSTILE in "".join(structure.text)  # the reader sees exactly what was written


def test_the_report_has_a_row_per_prompt_and_a_cell_per_candidate_with_checks_figures_and_failures():
    document = report(a_run("Lyon"))
    grid = document[document.index('<div class="grid">') :]
    assert grid.count('<th class="prompt">') == 3
    assert grid.count('<td class="fail">') == 1 and grid.count('<td class="pass">') == 1
    assert grid.count('<td class="failed">') == 1 and grid.count('<td class="none">') == 3
    assert "The answer is not exactly “Paris”." in document
    assert "The model llama3.2 is not installed." in document
    assert "4 tokens · 25.0 tokens/s · first token after 0.20 s · loaded in 1.50 s · 0.90 s in all" in document
    assert "judge gave 9.0/10:" in document and "Right." in document
    assert "qwen2.5 at temperature 0" in document and "1 image" in document


def test_an_answer_cut_off_or_stopped_says_so():
    run = a_run()
    cut = Answer(2, 1, "Half an ans", status="length")
    stopped = Answer(1, 1, "Hal", status="stopped")
    document = report(Run(run.prompt_set, run.candidates, (*run.answers, cut, stopped)))
    assert "The answer was cut off at the length limit." in document
    assert "The answer stopped before its end." in document
    assert "cut off" not in report(run)


def test_headings_are_in_the_language_asked_for():
    english, chinese = report(a_run(), "en"), report(a_run(), "zh")
    assert "<h2>Candidates</h2>" in english and "<h2>Answers</h2>" in english and 'lang="en"' in english
    assert "<h2>候选</h2>" in chinese and "<h2>回答</h2>" in chinese and 'lang="zh-Hans"' in chinese
    assert "Pass rate" not in chinese
    assert "<h2>Candidates</h2>" in report(a_run(), "fr")  # a language the app does not have: English


def test_the_pass_rate_bar_is_as_long_as_the_rate():
    document = report(a_run("Lyon"))  # candidate 1: 1 of 2 checked answers passed
    assert '<svg width="120" height="12" role="img" aria-label="50%">' in document
    assert '<rect width="60" height="12" fill="#15803d">' in document


def test_the_csv_has_a_row_per_answer_and_cells_a_spreadsheet_shows_as_text():
    run = a_run('=HYPERLINK("http://evil")', error=error_record(OllamaError("errors.unknown_host", {"where": "x"})))
    rows = list(csv.DictReader(io.StringIO(runs_csv(run))))
    assert len(rows) == 4
    first = rows[0]
    assert first["content"] == '\'=HYPERLINK("http://evil")'
    assert (first["prompt_number"], first["candidate_number"], first["passed"]) == ("1", "1", "no")
    assert first["failed_checks"] == "is exactly “Paris”: The answer is not exactly “Paris”."
    assert (first["checks_passed"], first["checks"], first["judge_score"]) == ("1", "2", "9")
    failed = next(row for row in rows if row["status"] == "failed")
    assert failed["error"].startswith("The host name in x could not be found")
    assert "主机名" in next(row for row in csv.DictReader(io.StringIO(runs_csv(run, "zh"))) if row["error"])["error"]


def test_the_json_holds_the_whole_run_and_its_scores():
    run = a_run()
    document = json.loads(run_json(run))
    assert document["format"] == "ollama-studio.eval-run" and document["version"] == 1
    assert document["set"]["prompts"][1] == {
        "prompt": "Give JSON",
        "images": ["aGVsbG8="],
        "schema": {"type": "object"},
        "checks": [{"kind": "json_schema"}],
    }
    assert document["candidates"][0] == {
        "model": "qwen2.5",
        "options": {"temperature": 0},
        "system": "",
        "think": None,
        "label": "",
        "server": "",
    }
    assert len(document["answers"]) == 4 and document["answers"][0]["checks"][1]["detail"] == {"tokens": 4, "limit": 10}
    assert document["answers"][0]["verdict"]["score"] == 9
    assert document["scores"][0]["pass_rate"] == 1.0 and document["scores"][1]["failed"] == 1
    assert document["created_at"] == 1_750_000_000.0 and document["finished_at"] is None


def test_a_saved_error_record_is_worded_in_the_language_asked_for():
    saved = error_record(OllamaError("errors.unknown_host", {"where": "**host**"}))
    assert (
        error_text(saved, "en")
        == "The host name in **host** could not be found. Check the spelling of the server address."
    )
    assert error_text(saved, "zh").startswith("找不到 **host** 中的主机名")
    assert error_text("A plain sentence.") == "A plain sentence."
    assert error_text('{"error_key": broken') == '{"error_key": broken'


@pytest.mark.parametrize(
    ("candidate", "name"),
    [
        (Candidate("qwen2.5"), "qwen2.5"),
        (Candidate("qwen2.5", {"temperature": 0}), "qwen2.5 at temperature 0"),
        (Candidate("qwen2.5", {"temperature": 0.7}, think=True), "qwen2.5 (temperature 0.7, thinking)"),
        (Candidate("gpt-oss", {"num_ctx": 8192}, think="high"), "gpt-oss (num_ctx 8192, thinking high)"),
        (Candidate("m", think=False, system="Be terse."), "m (no thinking, own system prompt)"),
        (Candidate("m", {"stop": ["\n"]}), 'm (stop ["\\n"])'),
        (Candidate("m", {"temperature": 0}, label="Cold"), "Cold"),
    ],
)
def test_a_candidate_is_named_by_its_label_or_its_settings(candidate, name):
    assert candidate_name(candidate, "en", plain=True) == name


def test_names_are_escaped_for_the_screen():
    assert candidate_name(Candidate("**x**"), "en") == "\\*\\*x\\*\\*"
    assert candidate_name(Candidate("m", label="[a](http://t)"), "en") == "\\[a\\](http://t)"
    assert candidate_name(Candidate("**x**", {"temperature": 1}), "en") == "\\*\\*x\\*\\* at temperature 1"


def test_a_change_reads_as_before_and_now():
    run = a_run()
    assert (
        change_text(Change(0, (14, 20), (17, 20)), run, "en", plain=True) == "qwen2.5 at temperature 0: 14/20 → 17/20"
    )
    assert change_text(Change(1, None, (3, 4)), run, "en", plain=True) == "llama3.2: 3/4 (not in the previous run)"
    assert change_text(Change(0, (1, 2), (2, 2)), run, "zh", plain=True) == "qwen2.5（温度 0）：1/2 → 2/2"


def test_files_name_each_candidates_server_when_given():
    run = a_run()
    run = Run(
        run.prompt_set,
        (replace(run.candidates[0], server="http://a:11434"), replace(run.candidates[1], server="http://b:11434")),
        run.answers,
    )
    where = {"http://a:11434": "laptop", "http://b:11434": "gpu"}
    assert candidate_name(run.candidates[0], "en", plain=True, where=where) == "qwen2.5 at temperature 0 · laptop"
    assert candidate_name(Candidate("m", server="http://b:11434"), "en", where={"http://b:11434": "**g**"}) == (
        "m · \\*\\*g\\*\\*"
    )
    rows = list(csv.DictReader(io.StringIO(runs_csv(run, "en", where))))
    assert {(row["candidate"], row["server"]) for row in rows} == {
        ("qwen2.5 at temperature 0 · laptop", "laptop"),
        ("llama3.2 · gpu", "gpu"),
    }
    document = json.loads(run_json(run, "en", where))
    assert [(c["server"], c["server_name"]) for c in document["candidates"]] == [
        ("http://a:11434", "laptop"),
        ("http://b:11434", "gpu"),
    ]
    assert "qwen2.5 at temperature 0 · laptop" in html_report(run, scores(run), "en", where)
    assert change_text(Change(1, None, (3, 4)), run, "en", plain=True, where=where).startswith("llama3.2 · gpu: ")


def test_the_judge_is_named_with_its_server_when_given_and_alone_otherwise():
    run = replace(a_run(), judge_server="http://b:11434")
    where = {"http://b:11434": "gpu"}
    assert judge_name(run, where) == "judge · gpu" and judge_name(run) == "judge"
    assert judge_name(run, where, "other") == "other · gpu"  # the model a verdict names
    assert judge_name(replace(run, judge=None), where) == ""
    page = html_report(run, scores(run), "en", where)
    assert "Judged by judge · gpu; its scores" in page and "judge · gpu gave 9.0/10:" in page
    document = json.loads(run_json(run, "en", where))
    assert (document["judge"], document["judge_server"], document["judge_server_name"]) == (
        "judge",
        "http://b:11434",
        "gpu",
    )
    # With one server nothing is named: as before.
    alone = html_report(run, scores(run), "en")
    assert "Judged by judge; its scores" in alone and "judge gave 9.0/10:" in alone and " · gpu" not in alone
    assert "judge_server_name" not in json.loads(run_json(run, "en"))
    # A server's name is text, in the report too.
    hostile = html_report(run, scores(run), "en", {"http://b:11434": HOSTILE})
    assert HOSTILE not in hostile and "&lt;script&gt;" in hostile
