from lib.evals.records import Answer, Candidate, Check, CheckResult, Prompt, PromptSet, Run


def test_missing_lists_each_candidates_unanswered_prompts_in_order():
    prompts = PromptSet("s", (Prompt("a"), Prompt("b"), Prompt("c")))
    run = Run(prompts, (Candidate("m1"), Candidate("m2")), answers=(Answer(1, 0), Answer(0, 1)))
    assert run.missing() == [(0, 0), (2, 0), (1, 1), (2, 1)]


def test_an_answer_passes_only_when_every_check_does():
    ok, bad = CheckResult(Check("contains", "x"), True), CheckResult(Check("regex", "y"), False)
    assert Answer(0, 0, checks=(ok,)).passed is True
    assert Answer(0, 0, checks=(ok, bad)).passed is False
    assert Answer(0, 0).passed is None
    assert Answer(0, 0, status="failed", checks=(ok,)).passed is None


def test_a_run_saved_without_servers_is_placed_on_the_sidebars_server():
    prompts = PromptSet("s", (Prompt("a"),))
    old = Run(prompts, (Candidate("m1"), Candidate("m2", server="http://gpu:11434")), judge="j")
    placed = old.placed("http://laptop:11434")
    assert [candidate.server for candidate in placed.candidates] == ["http://laptop:11434", "http://gpu:11434"]
    assert placed.judge_server == "http://laptop:11434"
    assert placed.servers == ("http://laptop:11434", "http://gpu:11434")
    assert Run(prompts, (Candidate("m1"), Candidate("m2"))).servers == ("",)
