"""A fake Ollama server for tests: real HTTP, current Ollama's shapes, statuses and error texts.

server = FakeOllama().start()
client = SomeClient(server.url)
...
assert server.requests_to("/api/chat")[-1].body["stream"] is False
server.stop()
"""

from .recording import RecordedRequest
from .server import FakeOllama

__all__ = ["FakeOllama", "RecordedRequest"]
