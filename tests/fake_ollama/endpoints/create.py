"""POST /api/create with structured fields (the raw `modelfile` form is gone from current Ollama).

A model is made `from` an installed model (pulled first if the registry has
it) or from uploaded GGUF `files`; system, template, license, parameters and
messages become layers, and capabilities come from the base.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import replace
from typing import Any

from .. import decoding, gowire, progress
from ..apierror import ApiError
from ..call import Call
from ..catalog import (
    LICENSE_MEDIA,
    MESSAGES_MEDIA,
    MODEL_MEDIA,
    PARAMS_MEDIA,
    QUANTIZABLE_FROM,
    QUANTIZE_TYPES,
    SYSTEM_MEDIA,
    TEMPLATE_MEDIA,
    Layer,
    ModelSpec,
    params_layer,
    sha256_hex,
    text_layer,
)
from ..exchange import PLAIN_JSON
from ..names import ModelName, parse_name

_BLOBS_DIR = "/root/.ollama/models/blobs"


def create(call: Call) -> None:
    request = call.body("CreateRequest", decoding.CREATE)
    files = request.get("files", {})
    if any(not _relative(path) for path in files):
        raise ApiError(400, "file path must be relative")
    if request.get("adapters"):
        raise ApiError(400, "LoRA adapters are no longer supported")
    name = parse_name(request.get("model") or request.get("name") or "")
    if name is None:
        raise ApiError(400, "invalid model name")
    for digest in files.values():
        if not call.app.store.has_blob(digest):
            raise ApiError(400, f"open {_BLOBS_DIR}/{digest.replace(':', '-')}: no such file or directory")
    reporter = progress.Progress(call, call.stream_requested(request))
    base = _base(call, reporter, request, name)
    spec = _quantized(reporter, base, request.get("quantize") or request.get("quantization") or "")
    spec = _customised(spec, name, request)
    known = {layer.digest for layer in base.layers}
    for layer in spec.layers:
        verb = "using existing" if layer.digest in known or call.app.store.has_blob(layer.digest) else "creating new"
        reporter.send({"status": f"{verb} layer {layer.digest}"})
    reporter.send({"status": "writing manifest"})
    call.app.store.put(spec)
    reporter.send({"status": "success"}, final=True)
    reporter.finish()


def _relative(path: str) -> bool:
    """Go's fs.ValidPath: slash-separated, relative, no "." or ".." elements."""
    return path == "." or (
        bool(path) and not path.startswith("/") and posixpath.normpath(path) == path and ".." not in path.split("/")
    )


def _base(call: Call, reporter: progress.Progress, request: dict[str, Any], name: ModelName) -> ModelSpec:
    if request.get("from"):
        source = parse_name(request["from"])
        if source is None:
            raise ApiError(400, "invalid model name", PLAIN_JSON)
        installed = call.app.store.find(source)
        return installed or progress.pull(call, reporter, source, final=False)
    if request.get("files") is not None:
        return _from_files(call, request["files"], name)
    raise ApiError(400, "neither 'from' or 'files' was specified", PLAIN_JSON)


def _from_files(call: Call, files: dict[str, str], name: ModelName) -> ModelSpec:
    if not files:
        raise ApiError(400, "no files provided to convert", PLAIN_JSON)
    ggufs = [digest for digest in files.values() if call.app.store.blob_is_gguf(digest)]
    if not ggufs:
        raise ApiError(400, "supplied file was not in GGUF format", PLAIN_JSON)
    return ModelSpec(
        name=name,
        family="llama",
        families=("llama",),
        parameter_size="unknown",
        quantization_level="unknown",
        architecture="llama",
        parameter_count=0,
        context_length=4096,
        embedding_length=4096,
        capabilities=("completion",),
        layers=(Layer(MODEL_MEDIA, ggufs[0], 0),),
        modified_ns=gowire.now_ns(),
    )


def _quantized(reporter: progress.Progress, base: ModelSpec, quantize: str) -> ModelSpec:
    if not quantize:
        return base
    if base.quantization_level not in QUANTIZABLE_FROM:
        reporter.fail("quantization is only supported for F16 and F32 models")
    target = QUANTIZE_TYPES.get(quantize.lower())
    if target is None:
        reporter.fail(f"unsupported quantization type {quantize}")
    weights = next(layer for layer in base.layers if layer.media_type == MODEL_MEDIA)
    smaller = Layer(MODEL_MEDIA, "sha256:" + sha256_hex(f"{weights.digest}:{target}"), weights.size * 3 // 10)
    for done in (0, smaller.size // 2, smaller.size):
        reporter.send(
            {
                "status": f"quantizing {base.quantization_level} model to {target}",
                "digest": "0000000000000000000",
                "total": weights.size,
                "completed": done,
            }
        )
    layers = tuple(smaller if layer is weights else layer for layer in base.layers)
    return replace(base, layers=layers, quantization_level=target)


def _customised(base: ModelSpec, name: ModelName, request: dict[str, Any]) -> ModelSpec:
    license_value = request.get("license")
    template: str = request.get("template") or base.template
    system: str = request.get("system") or base.system
    licence: str = "\n".join(license_value) if isinstance(license_value, list) else license_value or base.license
    parameters = _merged_parameters(base.parameters, request.get("parameters"))
    messages = (
        tuple({"role": m.get("role", ""), "content": m.get("content", "")} for m in request.get("messages", []))
        or base.messages
    )
    layers = [layer for layer in base.layers if layer.media_type not in _TEXT_MEDIA]
    for media, content in ((TEMPLATE_MEDIA, template), (SYSTEM_MEDIA, system), (LICENSE_MEDIA, licence)):
        if content:
            layers.append(text_layer(media, content))
    if parameters:
        layers.append(params_layer(parameters))
    if messages:
        layers.append(text_layer(MESSAGES_MEDIA, json.dumps(messages)))
    return replace(
        base,
        name=name,
        modified_ns=gowire.now_ns(),
        layers=tuple(layers),
        template=template,
        system=system,
        license=licence,
        parameters=parameters,
        messages=messages,
    )


_TEXT_MEDIA = (TEMPLATE_MEDIA, SYSTEM_MEDIA, LICENSE_MEDIA, PARAMS_MEDIA, MESSAGES_MEDIA)


def _merged_parameters(base: tuple[tuple[str, Any], ...], new: dict[str, Any] | None) -> tuple[tuple[str, Any], ...]:
    """New keys replace the base's (a new `stop` list replaces the whole old one)."""
    if not new:
        return base
    kept = tuple((key, value) for key, value in base if key not in new)
    added: list[tuple[str, Any]] = []
    for key, value in new.items():
        if isinstance(value, list):
            added.extend((key, item) for item in value)
        else:
            added.append((key, value))
    return kept + tuple(added)
