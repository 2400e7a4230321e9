"""Model names the way Ollama parses them (types/model/name.go).

"llama3.2" means registry.ollama.ai/library/llama3.2:latest; names match
case-insensitively; a name with an illegal character is invalid, unless a test installed a
model under it on purpose (:func:`written_name`).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_HOST = "registry.ollama.ai"
DEFAULT_NAMESPACE = "library"
DEFAULT_TAG = "latest"


@dataclass(frozen=True)
class ModelName:
    host: str
    namespace: str
    model: str
    tag: str
    written: str = ""  # a name kept exactly as written, whatever Ollama's rules say (written_name)

    @property
    def key(self) -> str:
        """Identity for lookups: Ollama compares names case-insensitively."""
        return self.full.lower()

    @property
    def full(self) -> str:
        return self.written or f"{self.host}/{self.namespace}/{self.model}:{self.tag}"

    @property
    def short(self) -> str:
        """Go's DisplayShortest: what /api/tags and /api/ps call the model."""
        if self.written:
            return self.written
        if self.host.lower() == DEFAULT_HOST:
            if self.namespace.lower() == DEFAULT_NAMESPACE:
                return f"{self.model}:{self.tag}"
            return f"{self.namespace}/{self.model}:{self.tag}"
        return f"{self.host}/{self.namespace}/{self.model}:{self.tag}"


def _valid_part(kind: str, part: str) -> bool:
    if not part or len(part) > (350 if kind == "host" else 80):
        return False
    if not (part[0].isascii() and (part[0].isalnum() or part[0] == "_")):
        return False
    for char in part[1:]:
        if char in "_-":
            continue
        if char == ".":
            if kind == "namespace":
                return False
            continue
        if char == ":":
            if kind != "host":
                return False
            continue
        if not (char.isascii() and char.isalnum()):
            return False
    return True


def written_name(raw: str) -> ModelName:
    """``raw`` as a model name exactly as written, one Ollama would refuse (``**x**``, ``a](http://b)``).

    Real Ollama never lists such a name, but a hostile server, or a proxy in front of one, lists
    and answers whatever it likes: :meth:`FakeOllama.install_as` installs a model under one.
    """
    return ModelName("", "", raw, "", written=raw)


def parse_name(raw: str) -> ModelName | None:
    """Parse like Go's model.ParseName; None when the result is not a valid name."""
    text = raw.strip()
    if "@" in text:
        text = text.split("@", 1)[0]
    tag = ""
    if text.rfind(":") > text.rfind("/"):
        text, tag = text.rsplit(":", 1)
    parts = text.rsplit("/", 2)
    model = parts[-1]
    namespace = parts[-2] if len(parts) >= 2 else ""
    host = parts[-3] if len(parts) == 3 else ""
    if "://" in host:
        host = host.split("://", 1)[1]
    name = ModelName(host or DEFAULT_HOST, namespace or DEFAULT_NAMESPACE, model, tag or DEFAULT_TAG)
    if (len(parts) >= 2 and not namespace) or (len(parts) == 3 and not host):
        return None
    valid = (
        _valid_part("host", name.host)
        and _valid_part("namespace", name.namespace)
        and _valid_part("model", name.model)
        and _valid_part("tag", name.tag)
    )
    return name if valid else None
