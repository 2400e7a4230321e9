"""The models the fake knows: what is installed at start, and what the "registry" can serve.

Figures (sizes, parameter counts, context and embedding lengths, quantisations)
are those of the real library models; digests are deterministic stand-ins.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

from .names import ModelName, parse_name

MODEL_MEDIA = "application/vnd.ollama.image.model"
TEMPLATE_MEDIA = "application/vnd.ollama.image.template"
SYSTEM_MEDIA = "application/vnd.ollama.image.system"
LICENSE_MEDIA = "application/vnd.ollama.image.license"
PARAMS_MEDIA = "application/vnd.ollama.image.params"
MESSAGES_MEDIA = "application/vnd.ollama.image.messages"
PROJECTOR_MEDIA = "application/vnd.ollama.image.projector"
CONFIG_MEDIA = "application/vnd.docker.container.image.v1+json"
CONFIG_SIZE = 561


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Layer:
    media_type: str
    digest: str  # "sha256:<64 hex>"
    size: int


@dataclass(frozen=True)
class ModelSpec:
    """Everything the API reports about one installed (or pullable) model."""

    name: ModelName
    family: str
    families: tuple[str, ...]
    parameter_size: str
    quantization_level: str
    architecture: str
    parameter_count: int
    context_length: int
    embedding_length: int
    capabilities: tuple[str, ...]
    layers: tuple[Layer, ...]
    modified_ns: int
    template: str = ""
    system: str = ""
    license: str = ""
    parameters: tuple[tuple[str, Any], ...] = ()
    messages: tuple[dict[str, str], ...] = ()
    remote_model: str = ""
    remote_host: str = ""

    @property
    def remote(self) -> bool:
        """A cloud model: listed like an installed one, run by ``remote_host`` (ollama.com) for signed-in servers."""
        return bool(self.remote_host)

    @property
    def config(self) -> Layer:
        return Layer(CONFIG_MEDIA, "sha256:" + sha256_hex("config:" + self.digest), CONFIG_SIZE)

    @property
    def size(self) -> int:
        return sum(layer.size for layer in self.layers) + CONFIG_SIZE

    @property
    def digest(self) -> str:
        """The manifest digest: changes whenever any layer does."""
        return sha256_hex("manifest:" + ",".join(layer.digest for layer in self.layers))

    def has(self, capability: str) -> bool:
        return capability in self.capabilities

    def renamed(self, name: ModelName, modified_ns: int) -> ModelSpec:
        return replace(self, name=name, modified_ns=modified_ns)


def text_layer(media_type: str, content: str) -> Layer:
    return Layer(media_type, "sha256:" + sha256_hex(content), len(content.encode()))


def params_layer(parameters: tuple[tuple[str, Any], ...]) -> Layer:
    merged: dict[str, Any] = {}
    for key, value in parameters:
        if key == "stop":
            merged.setdefault(key, []).append(value)
        else:
            merged[key] = value
    return text_layer(PARAMS_MEDIA, json.dumps(merged, sort_keys=True))


def _spec(name: str, *, weights: int, projector: int = 0, **fields: Any) -> ModelSpec:
    parsed = parse_name(name)
    assert parsed is not None, name
    layers = [Layer(MODEL_MEDIA, "sha256:" + sha256_hex("weights:" + parsed.short), weights)] if weights else []
    if projector:
        layers.append(Layer(PROJECTOR_MEDIA, "sha256:" + sha256_hex("projector:" + parsed.short), projector))
    for media, key in ((TEMPLATE_MEDIA, "template"), (SYSTEM_MEDIA, "system"), (LICENSE_MEDIA, "license")):
        if fields.get(key):
            layers.append(text_layer(media, fields[key]))
    if fields.get("parameters"):
        layers.append(params_layer(fields["parameters"]))
    return ModelSpec(name=parsed, layers=tuple(layers), **fields)


LLAMA3_TEMPLATE = """<|start_header_id|>system<|end_header_id|>

Cutting Knowledge Date: December 2023

{{ if .System }}{{ .System }}
{{- end }}<|eot_id|>
{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 }}
<|start_header_id|>{{ .Role }}<|end_header_id|>

{{ .Content }}{{ if $last }}<|eot_id|>
<|start_header_id|>assistant<|end_header_id|>

{{ end }}
{{- end }}"""

QWEN3_TEMPLATE = """{{- if .System }}<|im_start|>system
{{ .System }}<|im_end|>
{{ end }}
{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 -}}
<|im_start|>{{ .Role }}
{{ if and $.IsThinkSet (not $.Think) $last }}/no_think {{ end }}{{ .Content }}<|im_end|>
{{ if and $last (ne .Role "assistant") }}<|im_start|>assistant
{{ if .Thinking }}<think>{{ .Thinking }}</think>{{ end }}
{{ end }}
{{- end }}"""

QWEN25_TEMPLATE = """{{- if .Suffix }}<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>
{{- else }}{{ if .System }}<|im_start|>system
{{ .System }}<|im_end|>
{{ end }}{{ range .Messages }}<|im_start|>{{ .Role }}
{{ .Content }}<|im_end|>
{{ end }}<|im_start|>assistant
{{ end }}"""

CHATML_TEMPLATE = """{{ if .System }}<|system|>
{{ .System }}</s>
{{ end }}{{ if .Prompt }}<|user|>
{{ .Prompt }}</s>
{{ end }}<|assistant|>
{{ .Response }}</s>"""

GEMMA3_TEMPLATE = """{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 }}
{{- if or (eq .Role "user") (eq .Role "system") }}<start_of_turn>user
{{ .Content }}<end_of_turn>
{{ if $last }}<start_of_turn>model
{{ end }}
{{- else if eq .Role "assistant" }}<start_of_turn>model
{{ .Content }}{{ if not $last }}<end_of_turn>
{{ end }}
{{- end }}
{{- end }}"""

GPTOSS_TEMPLATE = """<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.
Knowledge cutoff: 2024-06

Reasoning: {{ if $.ThinkLevel }}{{ $.ThinkLevel }}{{ else }}medium{{ end }}

# Valid channels: analysis, commentary, final. Channel must be included for every message.
{{- if $.Tools }}
Calls to these tools must go to the commentary channel: 'functions'.{{ end }}<|end|>
{{- if .System }}<|start|>developer<|message|># Instructions

{{ .System }}<|end|>{{ end }}
{{- range $i, $msg := .Messages }}
{{- if eq $msg.Role "user" }}<|start|>user<|message|>{{ $msg.Content }}<|end|>
{{- else if eq $msg.Role "assistant" }}<|start|>assistant<|channel|>final<|message|>{{ $msg.Content }}<|end|>
{{- else if eq $msg.Role "tool" }}<|start|>functions.{{ $msg.ToolName }} to=assistant<|channel|>commentary
{{- "" }}<|message|>{{ $msg.Content }}<|end|>
{{- end }}
{{- end }}<|start|>assistant"""
"""A short stand-in for gpt-oss's Harmony template: the reasoning level comes from ``think``."""

LLAVA_TEMPLATE = "[INST] {{ if .System }}{{ .System }} {{ end }}{{ .Prompt }} [/INST]"

LLAMA_LICENSE = """LLAMA 3.2 COMMUNITY LICENSE AGREEMENT
Llama 3.2 Version Release Date: September 25, 2024

"Agreement" means the terms and conditions for use, reproduction, distribution
and modification of the Llama Materials set forth herein."""
APACHE_LICENSE = """                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/"""
GEMMA_LICENSE = """Gemma Terms of Use

Last modified: March 24, 2025

By using, reproducing, modifying, distributing, performing or displaying any part
or element of Gemma, Services or Outputs, you agree to be bound by this Agreement."""

# Fixed, past "installed" times (nanoseconds since the epoch) so /api/tags is stable.
_APRIL_2025 = 1_744_450_262_271_438_100

INSTALLED: tuple[ModelSpec, ...] = (
    _spec(
        "llama3.2:latest",
        weights=2_019_377_376,
        family="llama",
        families=("llama",),
        parameter_size="3.2B",
        quantization_level="Q4_K_M",
        architecture="llama",
        parameter_count=3_212_749_888,
        context_length=131_072,
        embedding_length=3072,
        capabilities=("completion", "tools"),
        modified_ns=_APRIL_2025,
        template=LLAMA3_TEMPLATE,
        license=LLAMA_LICENSE,
        parameters=(("stop", "<|start_header_id|>"), ("stop", "<|end_header_id|>"), ("stop", "<|eot_id|>")),
    ),
    _spec(
        "qwen3:0.6b",
        weights=522_651_136,
        family="qwen3",
        families=("qwen3",),
        parameter_size="751.63M",
        quantization_level="Q4_K_M",
        architecture="qwen3",
        parameter_count=751_632_384,
        context_length=40_960,
        embedding_length=1024,
        capabilities=("completion", "tools", "thinking"),
        modified_ns=_APRIL_2025 + 86_400_000_000_000,
        template=QWEN3_TEMPLATE,
        license=APACHE_LICENSE,
        parameters=(
            ("repeat_penalty", 1.0),
            ("stop", "<|im_start|>"),
            ("stop", "<|im_end|>"),
            ("temperature", 0.6),
            ("top_k", 20),
            ("top_p", 0.95),
        ),
    ),
    _spec(
        "llava:7b",
        weights=4_113_289_472,
        projector=624_434_336,
        family="llama",
        families=("llama", "clip"),
        parameter_size="7B",
        quantization_level="Q4_0",
        architecture="llama",
        parameter_count=7_241_732_096,
        context_length=32_768,
        embedding_length=4096,
        capabilities=("completion", "vision"),
        modified_ns=_APRIL_2025 - 5 * 86_400_000_000_000,
        template=LLAVA_TEMPLATE,
        license=APACHE_LICENSE,
        parameters=(("stop", "[INST]"), ("stop", "[/INST]")),
    ),
    _spec(
        "nomic-embed-text:latest",
        weights=274_290_656,
        family="nomic-bert",
        families=("nomic-bert",),
        parameter_size="137M",
        quantization_level="F16",
        architecture="nomic-bert",
        parameter_count=136_727_040,
        context_length=2048,
        embedding_length=768,
        capabilities=("embedding",),
        modified_ns=_APRIL_2025 - 2 * 86_400_000_000_000,
        license=APACHE_LICENSE,
        parameters=(("num_ctx", 8192),),
    ),
    _spec(
        "all-minilm:latest",
        weights=45_949_216,
        family="bert",
        families=("bert",),
        parameter_size="23M",
        quantization_level="F16",
        architecture="bert",
        parameter_count=22_565_760,
        context_length=512,
        embedding_length=384,
        capabilities=("embedding",),
        modified_ns=_APRIL_2025 - 3 * 86_400_000_000_000,
        license=APACHE_LICENSE,
    ),
)

PULLABLE_ONLY: tuple[ModelSpec, ...] = (
    _spec(
        "qwen2.5:0.5b",
        weights=397_807_936,
        family="qwen2",
        families=("qwen2",),
        parameter_size="494.03M",
        quantization_level="Q4_K_M",
        architecture="qwen2",
        parameter_count=494_032_768,
        context_length=32_768,
        embedding_length=896,
        capabilities=("completion", "tools"),
        modified_ns=0,
        template=QWEN25_TEMPLATE,
        license=APACHE_LICENSE,
    ),
    _spec(
        "qwen2.5-coder:0.5b",
        weights=397_807_936,
        family="qwen2",
        families=("qwen2",),
        parameter_size="494.03M",
        quantization_level="Q4_K_M",
        architecture="qwen2",
        parameter_count=494_032_768,
        context_length=32_768,
        embedding_length=896,
        capabilities=("completion", "tools", "insert"),
        modified_ns=0,
        template=QWEN25_TEMPLATE,
        license=APACHE_LICENSE,
    ),
    _spec(
        "tinyllama:latest",
        weights=637_699_456,
        family="llama",
        families=("llama",),
        parameter_size="1B",
        quantization_level="Q4_0",
        architecture="llama",
        parameter_count=1_100_048_384,
        context_length=2048,
        embedding_length=2048,
        capabilities=("completion",),
        modified_ns=0,
        template=CHATML_TEMPLATE,
        license=APACHE_LICENSE,
        parameters=(("stop", "<|system|>"), ("stop", "<|user|>"), ("stop", "<|assistant|>"), ("stop", "</s>")),
    ),
    _spec(
        "mxbai-embed-large:latest",
        weights=669_603_712,
        family="bert",
        families=("bert",),
        parameter_size="334M",
        quantization_level="F16",
        architecture="bert",
        parameter_count=334_090_240,
        context_length=512,
        embedding_length=1024,
        capabilities=("embedding",),
        modified_ns=0,
        license=APACHE_LICENSE,
        parameters=(("num_ctx", 512),),
    ),
    _spec(
        "gpt-oss:20b",
        weights=13_780_154_624,
        family="gptoss",
        families=("gptoss",),
        parameter_size="20.9B",
        quantization_level="MXFP4",
        architecture="gptoss",
        parameter_count=20_914_757_184,
        context_length=131_072,
        embedding_length=2880,
        capabilities=("completion", "tools", "thinking"),
        modified_ns=0,
        template=GPTOSS_TEMPLATE,
        license=APACHE_LICENSE,
        parameters=(("temperature", 1.0),),
    ),
    _spec(
        "gemma3:270m",
        weights=291_545_088,
        family="gemma3",
        families=("gemma3",),
        parameter_size="268.10M",
        quantization_level="Q8_0",
        architecture="gemma3",
        parameter_count=268_098_176,
        context_length=32_768,
        embedding_length=640,
        capabilities=("completion",),
        modified_ns=0,
        template=GEMMA3_TEMPLATE,
        license=GEMMA_LICENSE,
        parameters=(("stop", "<end_of_turn>"), ("temperature", 1.0), ("top_k", 64), ("top_p", 0.95)),
    ),
)

CLOUD: tuple[ModelSpec, ...] = (
    _spec(
        "deepseek-v3.1:671b-cloud",
        weights=0,
        family="deepseek2",
        families=("deepseek2",),
        parameter_size="671.0B",
        quantization_level="FP8",
        architecture="deepseek2",
        parameter_count=671_026_419_200,
        context_length=163_840,
        embedding_length=7168,
        capabilities=("completion", "tools", "thinking"),
        modified_ns=_APRIL_2025 + 30 * 86_400_000_000_000,
        remote_model="deepseek-v3.1:671b",
        remote_host="https://ollama.com:443",
    ),
    _spec(
        "gpt-oss:120b-cloud",
        weights=0,
        family="gptoss",
        families=("gptoss",),
        parameter_size="116.8B",
        quantization_level="MXFP4",
        architecture="gptoss",
        parameter_count=116_829_156_672,
        context_length=131_072,
        embedding_length=2880,
        capabilities=("completion", "tools", "thinking"),
        modified_ns=_APRIL_2025 + 29 * 86_400_000_000_000,
        remote_model="gpt-oss:120b",
        remote_host="https://ollama.com:443",
    ),
)
"""Cloud models as a signed-out server lists them (``ollama pull gpt-oss:120b-cloud``): a manifest
with no weights, ``remote_model``/``remote_host`` in ``/api/tags`` and ``/api/show``, and a 401 with
a sign-in link for any request that would run them. Not installed at start: ``FakeOllama.add_cloud_models()``."""

REGISTRY: dict[str, ModelSpec] = {spec.name.key: spec for spec in INSTALLED + PULLABLE_ONLY}
"""What a pull can fetch, keyed like names.ModelName.key."""

QUANTIZABLE_FROM = ("F16", "F32")
QUANTIZE_TYPES = {"q4_k_m": "Q4_K_M", "q4_k_s": "Q4_K_S", "q8_0": "Q8_0"}
