"""Server state: installed models, models loaded in memory, and uploaded blobs. Thread-safe."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from . import gowire
from .catalog import INSTALLED, REGISTRY, ModelSpec
from .names import ModelName

DEFAULT_KEEP_ALIVE_NS = 5 * 60 * 1_000_000_000
DEFAULT_NUM_CTX = 4096


@dataclass(frozen=True)
class LoadedModel:
    spec: ModelSpec
    num_ctx: int
    expires_ns: int  # wall clock, epoch nanoseconds

    @property
    def memory(self) -> int:
        """Weights plus a KV cache that grows with the context, all offloaded to the "GPU"."""
        return self.spec.size + self.num_ctx * max(self.spec.embedding_length, 256) * 32


class ModelStore:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._installed: dict[str, ModelSpec] = {}
        self._loaded: dict[str, LoadedModel] = {}
        self._blobs: dict[str, bool] = {}  # digest -> starts like a GGUF file
        self.inert = False
        """True: pull, create, copy and delete report success but change nothing, as a read-only
        or misbehaving server (or a proxy that answers for it) may."""
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._installed = {spec.name.key: spec for spec in INSTALLED}
            self._loaded = {}
            self._blobs = {}
            self.inert = False

    # installed models

    def find(self, name: ModelName) -> ModelSpec | None:
        with self._lock:
            return self._installed.get(name.key)

    def installed(self) -> list[ModelSpec]:
        """Most recently modified first, like /api/tags."""
        with self._lock:
            return sorted(self._installed.values(), key=lambda spec: -spec.modified_ns)

    def put(self, spec: ModelSpec) -> None:
        with self._lock:
            if not self.inert:
                self._installed[spec.name.key] = spec

    def remove(self, name: ModelName) -> bool:
        with self._lock:
            if self.inert:
                return name.key in self._installed
            return self._installed.pop(name.key, None) is not None

    @staticmethod
    def in_registry(name: ModelName) -> ModelSpec | None:
        return REGISTRY.get(name.key)

    # memory

    def load(self, spec: ModelSpec, num_ctx: int, keep_alive_ns: int) -> bool:
        """Load (or keep) `spec` in memory; True when it had to be (re)loaded from disk.

        Like Ollama, a different context size forces a reload.
        """
        with self._lock:
            self._expire()
            current = self._loaded.get(spec.name.key)
            cold = current is None or current.num_ctx != num_ctx or current.spec.digest != spec.digest
            self._loaded[spec.name.key] = LoadedModel(spec, num_ctx, _deadline(keep_alive_ns))
            return cold

    def keep(self, spec: ModelSpec, keep_alive_ns: int) -> None:
        """Restart the idle timer when a request finishes; keep_alive 0 unloads at once."""
        with self._lock:
            current = self._loaded.get(spec.name.key)
            if current is None:
                return
            if keep_alive_ns == 0:
                del self._loaded[spec.name.key]
            else:
                self._loaded[spec.name.key] = LoadedModel(current.spec, current.num_ctx, _deadline(keep_alive_ns))

    def unload(self, spec: ModelSpec) -> None:
        with self._lock:
            self._loaded.pop(spec.name.key, None)

    def loaded(self) -> list[LoadedModel]:
        """Longest time left first, like /api/ps."""
        with self._lock:
            self._expire()
            return sorted(self._loaded.values(), key=lambda model: -model.expires_ns)

    def _expire(self) -> None:
        now = gowire.now_ns()
        for key, model in list(self._loaded.items()):
            if model.expires_ns <= now:
                del self._loaded[key]

    # blobs

    def add_blob(self, digest: str, gguf: bool) -> None:
        with self._lock:
            self._blobs[digest] = gguf

    def blob_is_gguf(self, digest: str) -> bool:
        with self._lock:
            return self._blobs.get(digest, False)

    def has_blob(self, digest: str) -> bool:
        with self._lock:
            return digest in self._blobs or any(
                layer.digest == digest for spec in self._installed.values() for layer in (*spec.layers, spec.config)
            )


def _deadline(keep_alive_ns: int) -> int:
    return gowire.now_ns() + min(keep_alive_ns, gowire.MAX_DURATION_NS)
