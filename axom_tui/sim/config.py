"""Simulator configuration."""

from __future__ import annotations

from dataclasses import dataclass, field

from .faults import FaultConfig

DEFAULT_KEY = "axom_live_sim0000000000000000000000000000"


@dataclass
class SimConfig:
    #: Seed of the whole world (runs, ids, curves, file contents).
    seed: int = 7
    #: Simulated seconds per real second (RealClock only).  At 1, a 6000-step train
    #: run takes about an hour; the demo uses 30.
    speed: float = 30.0
    #: Simulated epoch (Unix seconds).  None: the real clock's start is "now"; a
    #: ManualClock brings its own.
    start: float | None = None
    #: Full-scope API key (train, read, datasets, models, billing).
    key: str = DEFAULT_KEY
    #: Optional second key with only the ``read`` scope (download -> 403).
    read_only_key: str | None = None
    #: Lifetime of presigned storage URLs, in REAL seconds.
    url_ttl: float = 300.0
    #: Approximate total bytes of one model's files (config.json + shards).
    model_bytes: int = 4_000_000
    #: Number of .safetensors shards per model.
    model_shards: int = 2
    faults: FaultConfig = field(default_factory=FaultConfig)
    #: Runs present at the epoch (scripted scenario first; >10 adds random runs).
    initial_runs: int = 10
    #: Extra old completed runs spread over the past ``history_days`` (usage charts).
    history_runs: int = 8
    history_days: int = 13
    #: New runs are not submitted while this many runs are live (non-terminal).
    max_live_runs: int = 8
    #: Mean simulated seconds between automatic submissions (0 disables them).
    submit_every: float = 150.0
    #: The world advances in ticks of this many simulated seconds.
    tick: float = 1.0
    #: HMAC secret for presigned URLs (None: random per Simulator).
    storage_secret: bytes | None = None
