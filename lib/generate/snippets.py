"""A request body shown to people: as JSON, as a ``curl`` command and as Python ``requests`` code.

The key is never written out. When the app sends one, the snippets read it from the
``OLLAMA_API_KEY`` environment variable, as Ollama's own clients do (or from the variable given,
a server's own ``OLLAMA_API_KEY_GPU``). Images are base64 strings
of hundreds of kilobytes: :func:`shorten_images` replaces them with a short marker for
display, and pages offer the exact body as a download instead.
"""

from __future__ import annotations

import json
import pprint
import shlex
from typing import Any

API_KEY_VARIABLE = "OLLAMA_API_KEY"


def shorten_images(body: dict[str, Any]) -> dict[str, Any]:
    """The body with each base64 image replaced by ``<image 1: 123 KB of base64>``."""
    images = body.get("images")
    if not images:
        return body
    markers = [f"<image {number}: {_kilobytes(data)} of base64>" for number, data in enumerate(images, start=1)]
    return {**body, "images": markers}


def body_json(body: dict[str, Any]) -> str:
    return json.dumps(body, indent=2, ensure_ascii=False)


def curl_command(
    url: str, body: dict[str, Any], *, with_api_key: bool = False, variable: str = API_KEY_VARIABLE
) -> str:
    lines = [f"curl {shlex.quote(url)}", '-H "Content-Type: application/json"']
    if with_api_key:
        lines.append(f'-H "Authorization: Bearer ${variable}"')
    lines.append(f"-d {_shell_quote(body_json(body))}")
    return " \\\n  ".join(lines)


def python_code(url: str, body: dict[str, Any], *, with_api_key: bool = False, variable: str = API_KEY_VARIABLE) -> str:
    """A script that sends ``body`` and prints the answer, streamed or not as ``body["stream"]`` says."""
    streaming = body.get("stream", True) is not False
    answer_field = "message" if "messages" in body else "response"
    imports = ["import json"] if streaming else []
    if with_api_key:
        imports.append("import os")
    literal = pprint.pformat(body, indent=4, sort_dicts=False, width=100)
    lines = [*imports, "", "import requests", "", f"body = {literal}", ""]
    if with_api_key:
        lines.append(f'headers = {{"Authorization": f"Bearer {{os.environ[\'{variable}\']}}"}}')
    headers = ", headers=headers" if with_api_key else ""
    stream_arg = ", stream=True" if streaming else ""
    lines.append(f"response = requests.post({url!r}, json=body{headers}{stream_arg}, timeout=(5, 300))")
    lines.append("response.raise_for_status()")
    if streaming:
        pick = 'chunk.get("response", "")'
        if answer_field == "message":
            pick = 'chunk.get("message", {}).get("content", "")'
        lines += [
            "for line in response.iter_lines():",
            "    if line:",
            "        chunk = json.loads(line)",
            '        if "error" in chunk:',
            '            raise RuntimeError(chunk["error"])',
            f'        print({pick}, end="", flush=True)',
            "print()",
        ]
    else:
        pick = 'response.json()["message"]["content"]' if answer_field == "message" else 'response.json()["response"]'
        lines.append(f"print({pick})")
    return "\n".join(lines).lstrip("\n") + "\n"


def _shell_quote(text: str) -> str:
    """Single quotes keep everything literal in POSIX shells; a quote inside becomes ``'\\''``."""
    return "'" + text.replace("'", "'\\''") + "'"


def _kilobytes(data: str) -> str:
    size = len(data)
    return f"{size / 1000:.0f} KB" if size >= 1000 else f"{size} bytes"
