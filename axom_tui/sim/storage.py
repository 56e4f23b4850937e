"""The model store: deterministic model files and presigned URLs.

Every model has ``config.json`` plus ``model_shards`` ``.safetensors`` files whose
sizes add up to about ``model_bytes``.  A shard is a *valid* safetensors file:
8-byte little-endian header length, a JSON header (padded with spaces to a
multiple of 8) whose BF16/U8 tensors' ``data_offsets`` cover the rest of the
file exactly, then the data.  Data bytes are pseudo-random and deterministic:
one 1 MiB block per file is drawn from the file's seed, and data chunk ``k`` is
that block rotated by an offset derived from ``k`` -- so any byte range of a
file of any size (1 GB+) is produced by slicing, without holding the file.

Presigned URL (served by this same server, no API key needed)::

    {scheme}://{host}/storage/{model_id}/{rel}?expires={unix_seconds}&sig={hex}

``sig = HMAC-SHA256(secret, "GET\\n/{model_id}/{rel}\\n{expires}")``.  Expiry is
checked against REAL wall-clock time (``time.time()``), not simulated time, so
``url_ttl`` means real seconds at any ``--speed`` (a short TTL expires in tests
however fast the world runs); it is checked when a request starts, as S3 does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import random
import struct
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

BLOCK = 1 << 20  # bytes of pseudo-random material per file; also the chunk size
CHUNK = BLOCK


@dataclass(frozen=True)
class ModelInfo:
    id: str
    name: str
    params: int
    base_model_id: str
    job_id: str
    seed: int
    created: float


@dataclass(frozen=True)
class FileEntry:
    rel: str
    size: int
    prefix: bytes  # the bytes before the pseudo-random data (all of config.json)
    seed: int

    @property
    def data_len(self) -> int:
        return self.size - len(self.prefix)


def _safetensors_prefix(target: int, names: list[str], meta: dict) -> bytes:
    """Header (length + JSON) for a shard whose total size is ``target`` (or just above)."""
    h_len = 0
    while True:
        data = max(0, target - 8 - h_len)
        header = _header_json(data, names, meta)
        if len(header) <= h_len:
            return struct.pack("<Q", h_len) + header.ljust(h_len, b" ")
        h_len = (len(header) + 7) // 8 * 8


def _header_json(data: int, names: list[str], meta: dict) -> bytes:
    cols = 256
    row_bytes = cols * 2
    rows_total = data // row_bytes
    rem = data - rows_total * row_bytes
    per = rows_total // len(names)
    tensors: dict[str, dict] = {"__metadata__": meta}
    off = 0
    for i, name in enumerate(names):
        rows = per if i < len(names) - 1 else rows_total - per * (len(names) - 1)
        if rows <= 0:
            continue
        n = rows * row_bytes
        tensors[name] = {"dtype": "BF16", "shape": [rows, cols], "data_offsets": [off, off + n]}
        off += n
    if rem:
        tensors["lm_head.quant_scales"] = {
            "dtype": "U8",
            "shape": [rem],
            "data_offsets": [off, off + rem],
        }
        off += rem
    assert off == data
    return json.dumps(tensors, separators=(",", ":")).encode()


class Storage:
    def __init__(
        self,
        resolve: Callable[[str], ModelInfo | None],
        *,
        model_bytes: int,
        shards: int,
        secret: bytes,
    ) -> None:
        self.resolve = resolve
        self.model_bytes = max(0, int(model_bytes))
        self.shards = max(1, int(shards))
        self.secret = secret
        self._layouts: dict[str, list[FileEntry]] = {}
        self._blocks: OrderedDict[int, bytes] = OrderedDict()
        self._lock = threading.Lock()

    # -- layout ----------------------------------------------------------------------------
    def files(self, model: ModelInfo) -> list[FileEntry]:
        cached = self._layouts.get(model.id)
        if cached is not None:
            return cached
        config = self._config_json(model)
        n = self.shards
        budget = max(0, self.model_bytes - len(config))
        out: list[FileEntry] = []
        for k in range(1, n + 1):
            rel = "model.safetensors" if n == 1 else f"model-{k:05d}-of-{n:05d}.safetensors"
            target = budget // n + (budget % n if k == 1 else 0)
            layers = range((k - 1) * 4, k * 4)
            names = [
                f"model.layers.{i}.{part}.weight"
                for i in layers
                for part in ("self_attn.qkv_proj", "mlp.up_proj")
            ]
            meta = {"format": "pt", "model_id": model.id, "shard": f"{k}/{n}"}
            prefix = _safetensors_prefix(target, names, meta)
            header_len = struct.unpack("<Q", prefix[:8])[0]
            size = max(target, 8 + header_len)
            out.append(FileEntry(rel, size, prefix, (model.seed * 1009 + k) & 0xFFFFFFFFFFFF))
        out.append(FileEntry("config.json", len(config), config, 0))
        self._layouts[model.id] = out
        return out

    def entry(self, model_id: str, rel: str) -> tuple[ModelInfo, FileEntry] | None:
        model = self.resolve(model_id)
        if model is None:
            return None
        for e in self.files(model):
            if e.rel == rel:
                return model, e
        return None

    @staticmethod
    def _config_json(model: ModelInfo) -> bytes:
        hidden = 2048 if model.params < 2e9 else 2560
        layers = max(8, round(model.params / (12 * hidden * hidden)))
        cfg = {
            "architectures": ["AxomForCausalLM"],
            "model_type": "axom-fusion",
            "hidden_size": hidden,
            "intermediate_size": hidden * 4,
            "num_hidden_layers": layers,
            "num_attention_heads": hidden // 128,
            "vocab_size": 65536,
            "torch_dtype": "bfloat16",
            "axom": {
                "model_id": model.id,
                "name": model.name,
                "params": model.params,
                "job_id": model.job_id,
                "base_model_id": model.base_model_id,
            },
        }
        return (json.dumps(cfg, indent=2) + "\n").encode()

    # -- content ---------------------------------------------------------------------------
    def _block(self, seed: int) -> bytes:
        with self._lock:  # the server thread and a test thread may both read files
            b = self._blocks.get(seed)
            if b is None:
                one = random.Random(seed).randbytes(BLOCK)
                b = one + one  # doubled so a rotated block is a single slice
                self._blocks[seed] = b
                if len(self._blocks) > 8:
                    self._blocks.popitem(last=False)
            else:
                self._blocks.move_to_end(seed)
            return b

    def iter_range(self, e: FileEntry, start: int, end: int, chunk: int = CHUNK) -> Iterator[bytes]:
        """Bytes ``[start, end)`` of file ``e`` in chunks of at most ``chunk``."""
        start, end = max(0, start), min(end, e.size)
        p = len(e.prefix)
        while start < end and start < p:
            stop = min(end, p, start + chunk)
            yield e.prefix[start:stop]
            start = stop
        if start >= end:
            return
        bb = self._block(e.seed)
        q, q_end = start - p, end - p
        while q < q_end:
            k, r = divmod(q, BLOCK)
            n = min(BLOCK - r, q_end - q, chunk)
            off = (k * 0x9E3779B1 + e.seed) % BLOCK
            yield bb[off + r : off + r + n]
            q += n

    def read_range(self, model_id: str, rel: str, start: int = 0, end: int | None = None) -> bytes:
        found = self.entry(model_id, rel)
        if found is None:
            raise KeyError(f"{model_id}/{rel}")
        e = found[1]
        return b"".join(self.iter_range(e, start, e.size if end is None else end))

    def expected_sha256(self, model_id: str, rel: str) -> str:
        found = self.entry(model_id, rel)
        if found is None:
            raise KeyError(f"{model_id}/{rel}")
        h = hashlib.sha256()
        for chunk in self.iter_range(found[1], 0, found[1].size):
            h.update(chunk)
        return h.hexdigest()

    # -- signing ---------------------------------------------------------------------------
    def _sig(self, model_id: str, rel: str, expires: int) -> str:
        msg = f"GET\n/{model_id}/{rel}\n{expires}".encode()
        return hmac.new(self.secret, msg, hashlib.sha256).hexdigest()

    def presign(self, origin: str, model_id: str, rel: str, expires: int) -> str:
        """Absolute presigned URL; ``origin`` is e.g. ``http://127.0.0.1:8765``."""
        return (
            f"{origin}/storage/{model_id}/{quote(rel)}"
            f"?expires={expires}&sig={self._sig(model_id, rel, expires)}"
        )

    def check(
        self, model_id: str, rel: str, expires: str | None, sig: str | None, now: float
    ) -> str:
        """``"ok"``, ``"expired"`` or ``"bad"`` (missing/tampered signature)."""
        if not expires or not sig or not expires.isdigit():
            return "bad"
        if not hmac.compare_digest(self._sig(model_id, rel, int(expires)), sig):
            return "bad"
        return "expired" if now >= int(expires) else "ok"


def expires_at(now: float, ttl: float) -> int:
    return int(math.ceil(now + ttl))
