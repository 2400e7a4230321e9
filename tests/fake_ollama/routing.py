"""Which endpoint answers a request, and what stands in front of the endpoints.

In order: "latency" faults, the API key check (like an auth proxy, for /api/*),
response-replacing faults, then gin's router behaviour (404 text, 405 with
Allow, trailing-slash redirects), then the endpoint itself.
"""

from __future__ import annotations

from collections.abc import Callable

from .apierror import ApiError
from .call import Call
from .endpoints import basics, create, embedding, inference, models, transfer
from .faults import Fault

Endpoint = Callable[[Call], None]

ROUTES: dict[str, dict[str, Endpoint]] = {
    "/": {"GET": basics.root, "HEAD": basics.root},
    "/api/version": {"GET": basics.version, "HEAD": basics.version},
    "/api/tags": {"GET": models.tags, "HEAD": models.tags},
    "/api/ps": {"GET": models.ps},
    "/api/show": {"POST": models.show},
    "/api/copy": {"POST": models.copy},
    "/api/delete": {"DELETE": models.delete},
    "/api/generate": {"POST": inference.generate},
    "/api/chat": {"POST": inference.chat},
    "/api/embed": {"POST": embedding.embed},
    "/api/embeddings": {"POST": embedding.embeddings_legacy},
    "/api/pull": {"POST": transfer.pull},
    "/api/push": {"POST": transfer.push},
    "/api/create": {"POST": create.create},
}
BLOB_ROUTE: dict[str, Endpoint] = {"HEAD": basics.head_blob, "POST": basics.create_blob}
LEGACY_MISSING = frozenset({"/api/embed"})

NGINX_502 = """<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx/1.24.0</center>
</body>
</html>
"""


def dispatch(call: Call, faults: list[Fault]) -> None:
    for fault in faults:
        if fault.kind == "latency":
            call.exchange.pause(fault.params["delay"])
    if call.app.api_key and call.path.startswith("/api/") and not _authorised(call):
        call.exchange.send_error(401, "unauthorized")
        return
    if _answer_with_fault(call, faults):
        return
    methods = _methods_for(call, call.path)
    if methods is None:
        if call.path.endswith("/") and _methods_for(call, call.path.rstrip("/")):
            _redirect(call, call.path.rstrip("/"))
        else:
            call.exchange.send_text(404, "404 page not found")
        return
    endpoint = methods.get(call.method)
    if endpoint is None:
        call.exchange.send_text(405, "405 method not allowed", headers=(("Allow", ", ".join(methods)),))
        return
    try:
        endpoint(call)
    except ApiError as error:
        if call.exchange.started:
            raise
        if error.plain:
            call.exchange.send_text(error.status, error.message, error.content_type)
        else:
            call.exchange.send_json(error.status, {"error": error.message, **error.extra}, error.content_type)


def _authorised(call: Call) -> bool:
    return call.headers.get("Authorization", "") == f"Bearer {call.app.api_key}"


def _answer_with_fault(call: Call, faults: list[Fault]) -> bool:
    for fault in faults:
        if fault.kind == "http":
            call.exchange.send_error(fault.params["status"], fault.params["message"])
        elif fault.kind == "html":
            call.exchange.send_text(502, NGINX_502, "text/html")
        elif fault.kind == "unauthorized":
            call.exchange.send_error(401, "unauthorized")
        elif fault.kind == "garbage":
            call.exchange.send_text(200, fault.params["body"], "text/plain")
        else:
            continue
        return True
    return False


def _methods_for(call: Call, path: str) -> dict[str, Endpoint] | None:
    if call.app.legacy and path in LEGACY_MISSING:
        return None
    if path.startswith("/api/blobs/") and path.count("/") == 3 and len(path) > len("/api/blobs/"):
        return BLOB_ROUTE
    return ROUTES.get(path)


def _redirect(call: Call, location: str) -> None:
    """gin's RedirectTrailingSlash: 301 for GET, 307 for everything else."""
    if call.method == "GET":
        call.exchange.send_text(
            301,
            f'<a href="{location}">Moved Permanently</a>.\n\n',
            "text/html; charset=utf-8",
            headers=(("Location", location),),
        )
    else:
        call.exchange.send_text(307, "", None, headers=(("Location", location),))
