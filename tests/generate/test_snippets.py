import ast
import json
import shlex
import shutil
import subprocess
import sys

import pytest

from lib.generate.snippets import body_json, curl_command, python_code, shorten_images

URL = "http://127.0.0.1:11434/api/generate"
BODY = {
    "model": "llama3.2:latest",
    "prompt": "It's a \"test\" with 'quotes', $HOME and `backticks`\nand a new line",
    "options": {"temperature": 0.2, "stop": ["\n\n"]},
    "raw": True,
    "think": False,
    "stream": True,
}


def curl_arguments(command: str) -> list[str]:
    return shlex.split(command.replace("\\\n", ""))


def test_curl_body_survives_the_shell_exactly():
    arguments = curl_arguments(curl_command(URL, BODY))
    assert arguments[:2] == ["curl", URL]
    assert json.loads(arguments[arguments.index("-d") + 1]) == BODY
    assert arguments[arguments.index("-H") + 1] == "Content-Type: application/json"


def test_curl_reads_the_key_from_the_environment_never_the_key_itself():
    command = curl_command(URL, BODY, with_api_key=True)
    assert '-H "Authorization: Bearer $OLLAMA_API_KEY"' in command
    assert "Authorization" not in curl_command(URL, BODY)


@pytest.mark.parametrize("stream", [True, False])
@pytest.mark.parametrize("with_api_key", [True, False])
def test_python_code_is_valid_python_that_holds_the_exact_body(stream, with_api_key):
    body = {**BODY, "stream": stream}
    code = python_code(URL, body, with_api_key=with_api_key)
    tree = ast.parse(code)
    assigned = next(node for node in tree.body if isinstance(node, ast.Assign) and node.targets[0].id == "body")
    assert ast.literal_eval(assigned.value) == body
    assert ("stream=True" in code) is stream
    assert ("os.environ['OLLAMA_API_KEY']" in code) is with_api_key
    assert "import os" in code if with_api_key else "import os" not in code


def test_python_code_for_chat_reads_message_content():
    code = python_code("http://h:1/api/chat", {"model": "m", "messages": [], "stream": True})
    assert 'chunk.get("message", {}).get("content", "")' in code
    code = python_code("http://h:1/api/chat", {"model": "m", "messages": [], "stream": False})
    assert 'response.json()["message"]["content"]' in code


def test_images_are_shortened_for_display_only():
    body = {"model": "llava:7b", "images": ["A" * 150_000, "QUJD"]}
    shown = shorten_images(body)
    assert shown["images"] == ["<image 1: 150 KB of base64>", "<image 2: 4 bytes of base64>"]
    assert body["images"][1] == "QUJD"
    assert shorten_images(BODY) is BODY


def test_body_json_keeps_unicode_readable():
    assert body_json({"prompt": "café"}) == '{\n  "prompt": "café"\n}'


@pytest.mark.parametrize("stream", [True, False])
def test_the_python_code_really_sends_the_body_and_prints_the_answer(fake, stream):
    fake.api_key = "k-snippet"
    fake.script_reply('It\'s the "sky".')
    body = {"model": "llama3.2:latest", "prompt": "Why?", "options": {"seed": 1}, "stream": stream}
    code = python_code(f"{fake.url}/api/generate", body, with_api_key=True)
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"OLLAMA_API_KEY": "k-snippet", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == 'It\'s the "sky".'
    assert fake.requests_to("/api/generate")[-1].body == body


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_curl_command_really_sends_the_body(fake):
    fake.api_key = "k-snippet"
    body = {**{key: value for key, value in BODY.items() if key != "raw"}, "model": "llama3.2:latest"}
    command = curl_command(f"{fake.url}/api/generate", body, with_api_key=True)
    done = subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"OLLAMA_API_KEY": "k-snippet", "PATH": "/usr/bin:/bin", "HOME": "/nonexistent"},
    )
    assert done.returncode == 0, done.stderr
    assert '"done":true' in done.stdout
    recorded = fake.requests_to("/api/generate")[-1]
    assert recorded.body == body
    assert recorded.headers["Authorization"] == "Bearer k-snippet"


def test_curl_quotes_an_address_with_shell_characters():
    command = curl_command("https://h:443/my proxy;rm/api/generate", {"model": "m"})
    assert command.startswith("curl 'https://h:443/my proxy;rm/api/generate'")
