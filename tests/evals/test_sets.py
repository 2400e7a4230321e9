"""Prompt sets to and from JSONL and CSV: exact round trips, any encoding, every problem a sentence
with its line; and the example sets, answerable and checked."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest

from lib.evals import sets
from lib.evals.checks import run_checks
from lib.evals.records import (
    CONTAINS,
    EXACT,
    JSON_SCHEMA,
    MAX_SECONDS,
    MAX_TOKENS,
    NOT_CONTAINS,
    REGEX,
    Check,
    Prompt,
    PromptSet,
)
from lib.evals.sets import SetProblem, check_problem, describe, from_csv, from_jsonl, to_csv, to_jsonl
from lib.ollama.stats import RunStats

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
SCHEMA = {"type": "object", "properties": {"城市": {"type": "string", "pattern": "^\\p{Han}+$"}}, "required": ["城市"]}


def full_set() -> PromptSet:
    """Every field and check kind, unicode, quotes, commas, line breaks and cells a spreadsheet would run."""
    return PromptSet(
        "full",
        (
            Prompt(
                'Capital of France? Say "one word", please.\nSecond line, with a comma.',
                tags=("geo", "中文", "easy one"),
                system="Be brief.",
                checks=(
                    Check(EXACT, "Paris"),
                    Check(CONTAINS, "Par"),
                    Check(CONTAINS, "is"),
                    Check(NOT_CONTAINS, "Lyon"),
                    Check(REGEX, r"(?i)^paris\.?$"),
                    Check(MAX_TOKENS, 20),
                    Check(MAX_SECONDS, 2.5),
                ),
            ),
            Prompt(
                "这张图片里是哪座城市？用 JSON 回答。",
                images=(PNG, PNG),
                schema=SCHEMA,
                checks=(Check(CONTAINS, "北京"), Check(JSON_SCHEMA)),
            ),
            Prompt("=1+1", system="-starts with a minus", checks=(Check(CONTAINS, "@home"),)),
            Prompt("'quoted' start", tags=("'tag",), checks=(Check(EXACT, "'2'"), Check(MAX_SECONDS, 10))),
            Prompt("\tIndented with a tab"),
        ),
    )


def raises(reader, data: bytes | str, name: str = "set.jsonl") -> SetProblem:
    with pytest.raises(SetProblem) as caught:
        reader(data.encode() if isinstance(data, str) else data, name)
    return caught.value


def lines(*documents) -> str:
    return "".join((d if isinstance(d, str) else json.dumps(d, ensure_ascii=False)) + "\n" for d in documents)


# Round trips


def test_jsonl_round_trips_every_field_exactly():
    original = full_set()
    text = to_jsonl(original)
    assert len(text.splitlines()) == 5 and "中文" in text  # not \u-escaped
    assert from_jsonl(text.encode(), "x").prompts == original.prompts


def test_csv_round_trips_every_field_exactly():
    original = full_set()
    text = to_csv(original)
    read = from_csv(text.encode(), "x.csv")
    assert read.prompts == original.prompts
    assert read.name == "x.csv"


def test_csv_cells_a_spreadsheet_would_run_are_written_with_an_apostrophe():
    rows = to_csv(full_set()).splitlines()
    assert any(row.startswith("'=1+1,") for row in rows)
    assert ",'-starts with a minus," in to_csv(full_set())
    assert "''quoted' start" in to_csv(full_set())


def test_csv_checks_come_in_the_columns_order_whatever_the_set_had():
    prompt = Prompt("q", checks=(Check(MAX_TOKENS, 5), Check(CONTAINS, "a"), Check(EXACT, "a")))
    read = from_csv(to_csv(PromptSet("s", (prompt,))).encode(), "s")
    assert read.prompts[0].checks == (Check(EXACT, "a"), Check(CONTAINS, "a"), Check(MAX_TOKENS, 5))


def test_a_csv_written_by_hand_with_columns_in_any_order_and_case():
    text = (
        "Contains,PROMPT, tags ,max_tokens,check_schema,schema\n"
        "Paris,Capital of France?,geo; europe ;,50,,\n"
        ',"Give JSON",,,yes,"{""type"": ""object""}"\n'
    )
    read = from_csv(text.encode(), "hand.csv")
    assert read.prompts == (
        Prompt("Capital of France?", tags=("geo", "europe"), checks=(Check(CONTAINS, "Paris"), Check(MAX_TOKENS, 50))),
        Prompt("Give JSON", schema={"type": "object"}, checks=(Check(JSON_SCHEMA),)),
    )


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", "\t"), ("gb18030", ","), ("utf-8", ";")],
)
def test_a_csv_in_any_encoding_with_commas_semicolons_or_tabs(encoding, delimiter):
    text = delimiter.join(["prompt", "contains", "tags"]) + "\r\n"
    text += delimiter.join(["北京是哪个国家的首都？", "中国", "中文"]) + "\r\n"
    text += delimiter.join(["Capital of Japan?", "Tokyo", "english"]) + "\r\n"
    read = from_csv(text.encode(encoding), "x.csv")
    assert read.prompts == (
        Prompt("北京是哪个国家的首都？", tags=("中文",), checks=(Check(CONTAINS, "中国"),)),
        Prompt("Capital of Japan?", tags=("english",), checks=(Check(CONTAINS, "Tokyo"),)),
    )


def test_a_jsonl_file_in_utf16_and_with_blank_lines_and_crlf():
    text = "\r\n" + lines({"prompt": "一", "checks": [{"kind": "max_tokens", "value": 5.0}]}).replace("\n", "\r\n")
    text += "\r\n   \r\n" + lines({"prompt": "two", "tags": None, "system": None})
    read = from_jsonl(text.encode("utf-16"), "x")
    assert read.prompts == (Prompt("一", checks=(Check(MAX_TOKENS, 5),)), Prompt("two"))


def test_an_image_with_a_data_url_prefix_is_kept_as_plain_base64():
    read = from_jsonl(lines({"prompt": "p", "images": [f"data:image/png;base64,{PNG}"]}).encode(), "x")
    assert read.prompts[0].images == (PNG,)


def test_to_csv_refuses_values_its_cells_cannot_hold():
    for prompt, column in [
        (Prompt("p", checks=(Check(CONTAINS, "two\nlines"),)), "contains"),
        (Prompt("p", checks=(Check(REGEX, " padded"),)), "regex"),
        (Prompt("p", tags=("a;b",)), "tags"),
    ]:
        with pytest.raises(SetProblem) as caught:
            to_csv(PromptSet("s", (Prompt("fine"), prompt)))
        assert (caught.value.key, caught.value.line, caught.value.column) == ("evals_core.csv_cannot_hold", 3, column)
        assert describe(caught.value, "en").startswith(f"Line 3, column `{column}`: A value in `{column}` has")


# Problems, each with its line


@pytest.mark.parametrize(
    ("line", "key", "check"),
    [
        ("not json", "not_json", None),
        ('["a list"]', "not_object", None),
        ('{"prompt": "p", "answer": "x"}', "unknown_field", None),
        ('{"prompt": "  "}', "no_prompt_text", None),
        ('{"prompt": "p", "system": 3}', "must_be_text", None),
        ('{"prompt": "p", "tags": "a"}', "must_be_text_list", None),
        ('{"prompt": "p", "tags": ["a;b"]}', "bad_tag", None),
        ('{"prompt": "p", "images": ["bm90IGFuIGltYWdl"]}', "bad_image", None),
        ('{"prompt": "p", "schema": [1]}', "generate.schema_not_object", None),
        ('{"prompt": "p", "schema": {"type": "strin"}}', "generate.schema_bad_type", None),
        ('{"prompt": "p", "schema": {"pattern": "(?=a)"}}', "generate.schema_pattern_unsupported", None),
        ('{"prompt": "p", "checks": {"kind": "contains"}}', "must_be_list", None),
        ('{"prompt": "p", "checks": ["contains"]}', "check_not_object", 1),
        (
            '{"prompt": "p", "checks": [{"kind": "contains", "text": "x"}]}',
            "check_unknown_field",
            1,
        ),
        ('{"prompt": "p", "checks": [{"kind": "sentiment"}]}', "check_unknown_kind", 1),
        ('{"prompt": "p", "checks": [{"kind": "contains"}]}', "check_needs_text", 1),
        ('{"prompt": "p", "checks": [{"kind": "exact", "value": 3}]}', "check_needs_text", 1),
        (
            '{"prompt": "p", "checks": [{"kind": "contains", "value": "a"}, {"kind": "regex", "value": "(a)\\\\1"}]}',
            "regex_refused",
            2,
        ),
        (
            '{"prompt": "p", "checks": [{"kind": "max_tokens", "value": "ten"}]}',
            "check_needs_whole_number",
            1,
        ),
        (
            '{"prompt": "p", "checks": [{"kind": "max_tokens", "value": 2.5}]}',
            "check_needs_whole_number",
            1,
        ),
        ('{"prompt": "p", "checks": [{"kind": "max_seconds", "value": -1}]}', "check_needs_seconds", 1),
        ('{"prompt": "p", "checks": [{"kind": "json_schema"}]}', "check_needs_schema", 1),
    ],
)
def test_a_bad_jsonl_line_is_a_problem_at_its_line(line, key, check):
    text = lines({"prompt": "fine"}, "", line, {"prompt": "never read"})
    problem = raises(from_jsonl, text)
    assert (problem.key, problem.line) == (key if "." in key else f"evals_core.{key}", 3)
    if check is not None:
        assert problem.check == check
    for lang in ("en", "zh"):
        sentence = describe(problem, lang)
        assert sentence.startswith("Line 3" if lang == "en" else "第 3 行"), sentence
        assert "{" not in sentence.replace('{"', "").replace("{2,5}", "").replace("{...}", ""), sentence


def test_a_problem_is_worded_with_its_place_in_both_languages():
    text = lines({"prompt": "p"}, {"prompt": "p", "checks": [{"kind": "contains", "value": "a"}, {"kind": "x"}]})
    problem = raises(from_jsonl, text)
    assert describe(problem, "en") == (
        "Line 2, check 2: `x` is not a kind of check (the kinds are contains, not\\_contains, regex, exact, "
        "json\\_schema, max\\_tokens, max\\_seconds)."
    )
    assert describe(problem, "en", plain=True).startswith(
        "Line 2, check 2: `x` is not a kind of check (the kinds are contains, not_contains"
    )
    assert describe(problem, "zh").startswith("第 2 行，第 2 项检查：`x` 不是检查类型")


def test_a_value_from_the_file_is_escaped_in_the_sentence():
    problem = raises(
        from_jsonl, lines({"prompt": "p", "checks": [{"kind": "max_tokens", "value": "**[x](http://t/)**"}]})
    )
    assert "\\*\\*\\[x\\](http://t/)\\*\\*" in describe(problem, "en")
    assert "**[x](http://t/)**" in describe(problem, "en", plain=True)


def test_a_file_that_is_not_text_or_holds_nothing():
    assert raises(from_jsonl, b"\x00\x01\x02\xff\xfe\x00" * 50, "blob.bin").key == "evals_core.not_text"
    for reader in (from_jsonl, from_csv):
        problem = raises(reader, "\n  \n", "empty")
        assert (problem.key, problem.values) == ("evals_core.no_prompts", {"name": "empty"})
    assert raises(from_csv, "prompt,contains\n,\n").key == "evals_core.no_prompts"


def test_a_file_too_large_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(sets, "MAX_FILE_MB", 0)
    assert raises(from_jsonl, lines({"prompt": "p"})).key == "evals_core.file_too_large"


def test_too_many_prompts_stops_at_the_first_one_too_many(monkeypatch):
    monkeypatch.setattr(sets, "MAX_PROMPTS", 2)
    problem = raises(from_jsonl, lines({"prompt": "a"}, {"prompt": "b"}, {"prompt": "c"}))
    assert (problem.key, problem.line) == ("evals_core.too_many_prompts", 3)


def test_a_bad_csv_row_is_a_problem_at_the_line_it_starts_on_with_its_column():
    text = (
        "prompt,regex,max_tokens\n"
        '"A prompt\nover three\nlines",\\d+,5\n'  # lines 2 to 4
        "\n"  # line 5, blank
        'Good,"x\n(?<=a)b",\n'  # line 6: its second pattern is refused
    )
    problem = raises(from_csv, text, "x.csv")
    assert (problem.key, problem.line, problem.column) == ("evals_core.regex_refused", 6, "regex")
    assert describe(problem, "en", plain=True).startswith("Line 6, column `regex`: The regular expression “(?<=a)b”")


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [
        ("question,answer\nq,a\n", "evals_core.csv_no_prompt_column", 1),
        ("\n\nprompt,answer\nq,a\n", "evals_core.csv_unknown_column", 3),
        ("prompt,tags,Tags\nq,a,b\n", "evals_core.csv_repeated_column", 1),
        ("prompt,contains\nq,a\nr,b,c\n", "evals_core.csv_too_many_cells", 3),
        ("prompt,check_schema,schema\nq,maybe,{}\n", "evals_core.csv_bad_flag", 2),
        ("prompt,check_schema\nq,yes\n", "evals_core.check_needs_schema", 2),
        ("prompt,schema\nq,{not json\n", "generate.schema_not_json", 2),
        ("prompt,max_seconds\nq,soon\n", "evals_core.check_needs_seconds", 2),
        ('prompt,contains\nq,"unterminated\n', "evals_core.csv_broken", 2),
        ('prompt,contains\nq,a\nr,"b"c\n', "evals_core.csv_broken", 3),
    ],
)
def test_bad_csv_files_and_rows(text, key, line):
    problem = raises(from_csv, text, "x.csv")
    assert (problem.key, problem.line) == (key, line)


def test_a_csv_row_may_end_in_empty_cells_a_spreadsheet_added():
    assert from_csv(b"prompt,contains\nq,a,,\n", "x").prompts == (Prompt("q", checks=(Check(CONTAINS, "a"),)),)


def test_a_broken_csv_is_a_sentence():
    problem = raises(from_csv, b'prompt\n"a\x00b"\n', "x.csv")
    assert problem.key in ("evals_core.csv_broken", "evals_core.not_text")


# Regular expressions: refused at import, quickly


def test_a_pattern_slow_to_compile_is_refused_at_import_without_compiling_it():
    started = time.monotonic()
    problem = raises(from_jsonl, lines({"prompt": "p", "checks": [{"kind": "regex", "value": "a{1,1000}" * 110}]}))
    assert problem.key in ("evals_core.regex_too_long", "evals_core.regex_too_complex")
    problem = raises(from_jsonl, lines({"prompt": "p", "checks": [{"kind": "regex", "value": "a{1,1000}" * 2}]}))
    assert problem.key == "evals_core.regex_too_complex"
    assert time.monotonic() - started < 1


def test_the_sets_patterns_together_have_a_limit_and_each_is_compiled_once(monkeypatch):
    compiled: list[str] = []
    real = sets.checks.linear_regex

    def counting(pattern):
        compiled.append(pattern)
        return real(pattern)

    monkeypatch.setattr(sets.checks, "linear_regex", counting)
    same = [{"prompt": f"p{i}", "checks": [{"kind": "regex", "value": "a" * 400}]} for i in range(100)]
    assert len(from_jsonl(lines(*same).encode(), "x").prompts) == 100
    assert len(compiled) == 1
    different = [{"prompt": f"p{i}", "checks": [{"kind": "regex", "value": f"{i:03}" + "a" * 397}]} for i in range(60)]
    problem = raises(from_jsonl, lines(*different))
    assert (problem.key, problem.line) == ("evals_core.too_many_patterns", 51)


def test_each_different_schema_is_checked_once(monkeypatch):
    checked: list[str] = []
    real = sets.generate_schema.parse_schema
    monkeypatch.setattr(sets.generate_schema, "parse_schema", lambda text: checked.append(text) or real(text))
    documents = [{"prompt": f"p{i}", "schema": {"type": "object"}} for i in range(20)]
    from_jsonl(lines(*documents, {"prompt": "q", "schema": {"type": "array"}}).encode(), "x")
    assert len(checked) == 2


def test_busy_schema_checkers_ask_for_the_import_again(monkeypatch):
    from lib.generate.schema import InvalidSchema
    from lib.generate.schema_engine import Problem

    def busy(text):
        raise InvalidSchema(Problem("generate.schema_typed_busy"))

    monkeypatch.setattr(sets.generate_schema, "parse_schema", busy)
    problem = raises(from_jsonl, lines({"prompt": "p", "schema": {}}))
    assert (problem.key, problem.line) == ("evals_core.schema_busy", 1)


# check_problem, for the editor


@pytest.mark.parametrize(
    "check",
    [
        Check(CONTAINS, "a"),
        Check(REGEX, r"^\d+$"),
        Check(MAX_TOKENS, 1),
        Check(MAX_SECONDS, 0.5),
        Check(MAX_SECONDS, 3),
        Check(JSON_SCHEMA),
    ],
)
def test_check_problem_accepts_usable_checks(check):
    assert check_problem(check, Prompt("p", schema={"type": "object"})) is None


@pytest.mark.parametrize(
    ("check", "key"),
    [
        (Check(REGEX, "(?P=x)"), "evals_core.regex_refused"),
        (Check(REGEX, "a" * 501), "evals_core.regex_too_long"),
        (Check(CONTAINS, " "), "evals_core.check_needs_text"),
        (Check(CONTAINS, "a" * 1001), "evals_core.check_value_too_long"),
        (Check(MAX_TOKENS, "5"), "evals_core.check_needs_whole_number"),
        (Check(MAX_TOKENS, 0), "evals_core.check_needs_whole_number"),
        (Check(MAX_TOKENS, True), "evals_core.check_needs_whole_number"),
        (Check(MAX_SECONDS, float("inf")), "evals_core.check_needs_seconds"),
        (Check(JSON_SCHEMA), "evals_core.check_needs_schema"),
        (Check("nope"), "evals_core.check_unknown_kind"),
    ],
)
def test_check_problem_refuses_unusable_checks(check, key):
    problem = check_problem(check, Prompt("p"))
    assert problem is not None and problem.key == key and problem.line is None
    assert describe(problem, "en") and describe(problem, "zh")


# The example sets

# A right answer to each example prompt, in the files' order: every check must pass on it.
RIGHT_ANSWERS = {
    "general_knowledge.jsonl": [
        "Au",
        "6",
        "Mercury.",
        "144",
        "1969",
        "Canberra",
        "The Pacific Ocean",
        "William Shakespeare",
        "100",
        "Carbon dioxide",
        "180",
    ],
    "structured_extraction.jsonl": [
        '{"name": "Maria Silva", "email": "maria.silva@example.org", "phone": "+351 912 345 678"}',
        '```json\n{"shop": "Green Leaf Grocers", "date": "2025-03-14", "total": 6.75, "currency": "EUR"}\n```',
        '{"title": "Team retrospective", "date": "2025-10-09", "time": "15:30", "room": "B2"}',
        '{"sentiment": "mixed", "confidence": 0.8}',
        '{"ingredients": [{"name": "flour", "quantity": "200 g"}, {"name": "eggs", "quantity": "2"}, '
        '{"name": "milk", "quantity": "300 ml"}, {"name": "salt", "quantity": "a pinch"}]}',
        '{"street": "Flat 3, 27 Harbour Road", "city": "Galway", "postcode": "H91 X2Y4", "country": "Ireland"}',
    ],
    "bilingual.jsonl": [
        "北京",
        "12个月",
        "早上好",
        "光合作用是植物利用光能把二氧化碳和水转化为有机物并释放氧气的过程。",
        "Thank you",
        "Cat",
        "Seven days.",
        "晴天的天空是蓝色的。",
    ],
}
WRONG_ANSWERS = {
    "general_knowledge.jsonl": "I am not sure, sorry.",
    "structured_extraction.jsonl": '{"answer": "none"}',
    "bilingual.jsonl": "I don't know",
}


def test_three_example_sets_named_in_the_sessions_language(monkeypatch):
    sets._example_prompts.cache_clear()

    def no_worker(text):
        raise AssertionError("the examples' schemas are read without a worker")

    monkeypatch.setattr(sets.generate_schema, "parse_schema", no_worker)
    examples = sets.examples()
    assert [s.name for s in examples] == ["General knowledge", "Structured extraction", "Bilingual 中文/English"]
    assert all(s.description and s.id is None for s in examples)
    general, extraction, bilingual = examples
    assert len(general.prompts) >= 10 and len(extraction.prompts) >= 6 and len(bilingual.prompts) >= 8
    assert {c.kind for p in general.prompts for c in p.checks} >= {EXACT, CONTAINS}
    assert all(p.schema and Check(JSON_SCHEMA) in p.checks and len(p.checks) >= 2 for p in extraction.prompts)
    tags = [set(p.tags) for p in bilingual.prompts]
    assert any("中文" in t for t in tags) and any("english" in t for t in tags)
    assert {c.kind for p in bilingual.prompts for c in p.checks} >= {CONTAINS, REGEX}


@pytest.mark.parametrize("file", list(sets.EXAMPLES))
def test_the_example_sets_pass_on_right_answers_and_fail_on_wrong_ones(file):
    prompts = sets.from_jsonl((sets.EXAMPLES_DIR / file).read_bytes(), file).prompts  # schemas checked as any file's
    assert prompts == sets.from_jsonl((sets.EXAMPLES_DIR / file).read_bytes(), file, ours=True).prompts
    assert len(prompts) == len(RIGHT_ANSWERS[file])
    stats = RunStats(output_tokens=12)
    for prompt, answer in zip(prompts, RIGHT_ANSWERS[file], strict=True):
        results = run_checks(prompt, answer, stats, 1.0)
        assert all(result.passed for result in results), (prompt.text, [r for r in results if not r.passed])
        assert not all(result.passed for result in run_checks(prompt, WRONG_ANSWERS[file], stats, 1.0)), prompt.text


@pytest.mark.parametrize("file", list(sets.EXAMPLES))
def test_the_example_sets_round_trip_through_jsonl_and_csv(file):
    prompt_set = sets.from_jsonl((sets.EXAMPLES_DIR / file).read_bytes(), file)
    assert from_jsonl(to_jsonl(prompt_set).encode(), file).prompts == prompt_set.prompts
    order = list(sets.CHECK_COLUMNS.values())
    in_column_order = tuple(
        replace(prompt, checks=tuple(sorted(prompt.checks, key=lambda check: order.index(check.kind))))
        for prompt in prompt_set.prompts
    )
    assert from_csv(to_csv(prompt_set).encode(), file).prompts == in_column_order
