import pytest

from lib.home import doctor
from lib.ollama.errors import NotOllamaResponse, RequestTimedOut, ResponseError, ServerUnreachable


def test_local_server_down_starts_with_starting_ollama_and_mentions_docker():
    steps = doctor.advice_keys(ServerUnreachable("down"), "http://127.0.0.1:11434")
    assert steps[0] == doctor.START_OLLAMA
    assert doctor.DOCKER in steps and doctor.SET_HOST in steps


def test_remote_server_down_starts_with_listening_on_all_interfaces():
    steps = doctor.advice_keys(ServerUnreachable("down"), "http://10.0.0.5:11434")
    assert steps[0] == doctor.REMOTE_LISTEN
    assert doctor.DOCKER not in steps


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failures_ask_for_a_key(status):
    assert doctor.advice_keys(ResponseError("no", status_code=status), "http://h:1") == [doctor.API_KEY]


def test_wrong_service_and_slow_server():
    assert doctor.advice_keys(NotOllamaResponse("html", status_code=502), "http://h:1")[0] == doctor.WRONG_SERVICE
    assert doctor.advice_keys(RequestTimedOut("slow"), "http://h:1") == [doctor.SLOW]
