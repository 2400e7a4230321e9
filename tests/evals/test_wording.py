"""Sentences worded in a run's own language, outside any script run."""

from __future__ import annotations

from lib.evals.wording import error_sentence, say
from lib.ollama.errors import ResponseError, ServerUnreachable


def test_say_words_in_the_language_given_with_values_as_they_came():
    assert say("zh", "evals_run.judge_out_of_range", score=0).startswith("评审模型给出的分数 0")
    assert say("en", "evals_run.judge_missing", model="**m_1**").startswith("This model (**m_1**) is not installed")


def test_an_unknown_language_falls_back_to_english():
    assert say("fr", "evals_run.judge_no_score") == "The judge's JSON has no score, so there is no grade."


def test_a_missing_model_says_what_to_do():
    missing = ResponseError("errors.server_said", {"said": "Model 'x' not found."}, status_code=404)
    assert error_sentence(missing, "x_y:1b", "en").startswith("x_y:1b is not installed on this server")
    assert error_sentence(missing, "x:1b", "zh").startswith("此服务器上没有安装 x:1b")


def test_other_errors_keep_the_clients_sentence():
    down = ServerUnreachable("errors.nothing_answers", {"where": "http://gpu-box:11434"})
    assert error_sentence(down, "m", "en").startswith("Nothing is answering at http://gpu-box:11434.")
    assert error_sentence(down, "m", "zh").startswith("http://gpu-box:11434 没有任何应答")
    refused = ResponseError("errors.server_said", {"said": "Bad request."}, status_code=400)
    assert error_sentence(refused, "m", "en") == "Bad request."
