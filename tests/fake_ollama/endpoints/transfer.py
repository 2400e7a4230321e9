"""POST /api/pull and POST /api/push."""

from __future__ import annotations

from .. import decoding, progress
from ..apierror import ApiError
from ..call import Call
from ..names import parse_name


def pull(call: Call) -> None:
    request = call.body("PullRequest", decoding.TRANSFER)
    name = parse_name(request.get("model") or request.get("name") or "")
    if name is None:
        raise ApiError(400, "invalid model name")
    reporter = progress.Progress(call, call.stream_requested(request))
    progress.pull(call, reporter, name, final=True)
    reporter.finish()


def push(call: Call) -> None:
    request = call.body("PushRequest", decoding.TRANSFER)
    raw = request.get("model") or request.get("name") or ""
    if not raw:
        raise ApiError(400, "model is required")
    reporter = progress.Progress(call, call.stream_requested(request))
    reporter.send({"status": "retrieving manifest"})
    name = parse_name(raw)
    spec = call.app.store.find(name) if name is not None else None
    if spec is None:
        reporter.send({"status": "couldn't retrieve manifest"})
        where = f"{name.host}/{name.namespace}/{name.model}/{name.tag}" if name else raw
        reporter.fail(f"open /root/.ollama/models/manifests/{where}: no such file or directory")
    for layer in (*spec.layers, spec.config):
        line = {"status": f"pushing {layer.digest[7:19]}", "digest": layer.digest, "total": layer.size}
        reporter.send(line)
        reporter.send({**line, "completed": layer.size})
    reporter.send({"status": "pushing manifest"})
    reporter.send({"status": "success"}, final=True)
    reporter.finish()
