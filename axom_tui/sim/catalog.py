"""Static facts of the simulated Fusion service: prices, rates, catalogs, names.

Every number that the rest of the simulator derives from lives here, so the
"consistency" of results (cost from GPU time, throughput from step rate) is
easy to audit.
"""

from __future__ import annotations

import random
import uuid

from axom_tui.api.records import KNOWN_STATUSES, TERMINAL_STATUSES

#: What a GPU-hour is billed at (USD).  ``cost_usd = gpu_seconds / 3600 * GPU_HOUR_USD``.
GPU_HOUR_USD = 3.20
#: One metric point (and one "step" log line) every this many steps.
POINT_EVERY = 10
#: Training speed of a ``REF_PARAMS`` model, in steps per *simulated* second.
#: A 1.5B -> 2.4B six-cycle, 6000-step train run therefore takes about an hour of
#: simulated time (two minutes at ``--speed 30``).
BASE_STEPS_PER_SEC = 1.9
REF_PARAMS = 2_000_000_000
#: LoRA finetunes run this much faster than full training.
LORA_SPEEDUP = 1.8
#: Statuses during which a GPU worker is held (and billed).
GPU_BILLED = frozenset({"staging", "running", "checkpointing", "uploading"})

#: The contract's statuses: the simulator uses the very names the client parses.
STATUSES = KNOWN_STATUSES
TERMINAL = TERMINAL_STATUSES

#: Every transition the simulator may make (``None`` = submission).  Tests check
#: each run's event chain against this table.
LEGAL_TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({"queued"}),
    "queued": frozenset({"provisioning"}),
    "provisioning": frozenset({"staging"}),
    "staging": frozenset({"running"}),
    "running": frozenset({"checkpointing", "preempted", "failed"}),
    "checkpointing": frozenset({"running", "uploading"}),
    "uploading": frozenset({"completed"}),
    "preempted": frozenset({"queued"}),
    "completed": frozenset(),
    "failed": frozenset(),
}

# name, params, family, context length
BASE_MODELS: tuple[tuple[str, int, str, int], ...] = (
    ("falcon-h1-1.5b", 1_540_000_000, "falcon-h1", 8192),
    ("qwen3-1.7b", 1_720_000_000, "qwen3", 32768),
    ("llama-3.2-1b", 1_240_000_000, "llama", 131072),
    ("smollm3-3b", 3_080_000_000, "smollm", 65536),
    ("gemma-3-1b", 1_000_000_000, "gemma", 32768),
    ("axom-base-700m", 700_000_000, "axom", 4096),
)

# name, tokens, rows, format
DATASETS: tuple[tuple[str, int, int, str], ...] = (
    ("fineweb-edu-sample-10bt", 10_000_000_000, 9_672_101, "parquet"),
    ("tinystories-v2", 470_000_000, 2_717_495, "jsonl"),
    ("the-stack-python-dedup", 2_300_000_000, 1_200_431, "parquet"),
    ("axom-chat-mix-v3", 640_000_000, 1_034_887, "jsonl"),
    ("openwebmath-2b", 2_000_000_000, 6_315_233, "parquet"),
    ("legal-contracts-en", 310_000_000, 88_410, "jsonl"),
)

WORDS = (
    "chassis",
    "keel",
    "lattice",
    "spindle",
    "harbor",
    "quill",
    "ember",
    "vault",
    "sprocket",
    "atlas",
    "meridian",
    "cobalt",
    "fathom",
    "trellis",
    "bastion",
    "ridge",
    "lumen",
    "tern",
    "gantry",
    "mosaic",
    "cinder",
    "pylon",
    "solstice",
    "marrow",
)

GPU_REGIONS = ("us-east-2", "us-west-1", "eu-central-1", "ap-northeast-1")


def make_uuid(rng: random.Random) -> str:
    """A version-4 UUID string drawn from ``rng`` (so ids follow from the seed)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def short_base(name: str) -> str:
    """``falcon-h1-1.5b`` -> ``falcon-h1``."""
    parts = name.split("-")
    return "-".join(parts[:-1]) if len(parts) > 1 else name


def cost_usd(gpu_seconds: float) -> float:
    return round(gpu_seconds / 3600.0 * GPU_HOUR_USD, 2)
