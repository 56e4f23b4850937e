"""What a run's worker emits over time: metric points, log lines, its result.

:func:`generate` walks a run's :class:`~.plan.Plan` and yields
``(relative_ts, kind, data)`` items in time order, drawing all its noise from one
RNG seeded by the run.  :class:`Telemetry` pulls items lazily up to "now"; since
the generator is deterministic, pulling in one go or in many small steps gives
the same history -- the world stays a pure function of (seed, simulated time)
even though nothing is computed for a run nobody looks at.

Kinds: ``point`` (metric dict), ``log`` ((stream, text)), ``truncate`` (step:
withdraw points after it -- the run was preempted and will redo those steps),
``result`` (result dict).
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Iterator
from typing import Any

from .catalog import GPU_BILLED, POINT_EVERY, cost_usd
from .clock import iso
from .curves import baseline_loss, final_eval_loss, make_curve, point, smooth_loss
from .plan import Plan, RunSpec

WARNINGS = (
    "UserWarning: torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly",
    "[W NCCL] watchdog: collective AllReduce took 1.8s (threshold 1.0s)",
    "warning: dataloader worker 3 is slow (2.1 s/batch); consider raising num_workers",
    "huggingface/tokenizers: The current process just got forked, after parallelism has "
    "already been used. Disabling parallelism to avoid deadlocks...",
    "FutureWarning: `torch.cuda.amp.autocast(args...)` is deprecated. "
    "Please use `torch.amp.autocast('cuda', args...)` instead.",
)

HOSTILE_STAGING = (
    ("stdout", "\x1b[32m\u2714\x1b[0m tokenizer loaded \x1b[1;31m(fast)\x1b[0m"),
    ("stdout", "\x1b]0;pwned\x07loading shards 1/4"),
    ("stderr", "[bold red]x[/] user code printed Rich-style markup"),
    ("stdout", "[@click=app.quit]click here to continue[/]"),
)
HOSTILE_RUNNING = (
    ("stdout", "sample[0] = " + ("the quick brown fox jumps over the lazy dog; " * 112)[:4988]),
    (
        "stderr",
        "progress 37%\r progress 38%\r\x08\x08 caf\ufffd au lait \ufffd\ufffd "
        "(invalid utf-8 replaced)",
    ),
    ("stdout", "\x1b[2J\x1b[Hscreen cleared by worker \x1b[5mblink\x1b[0m\ttab"),
)


def generate(spec: RunSpec, plan: Plan, created: float) -> Iterator[tuple[float, str, object]]:
    rng = random.Random(spec.seed ^ 0x7E1E)
    curve = make_curve(spec)
    total, spc = spec.total_steps, spec.steps_per_cycle
    executed = 0
    last_loss = curve.loss0
    gpu_seconds = 0.0
    hostile = "hostile" in spec.features
    prev = None
    for i, seg in enumerate(plan.segments):
        t0, t1, st = seg.t0, seg.t1, seg.status
        span = (t1 - t0) if math.isfinite(t1) else 0.0
        if st in GPU_BILLED:
            gpu_seconds += span
        if st == "queued":
            if i == 0:
                yield (
                    t0,
                    "log",
                    (
                        "stdout",
                        f"[axom] job {spec.id} submitted: {spec.type} run "
                        f"'{spec.name}', {total} steps",
                    ),
                )
            else:
                yield (
                    t0,
                    "log",
                    ("stdout", f"[axom] requeued (retry {seg.retries}); waiting for spot capacity"),
                )
        elif st == "provisioning":
            yield (
                t0,
                "log",
                ("stdout", f"[axom] provisioning worker: 1x H100 80GB (spot) in {spec.region}"),
            )
            wid = f"w-{rng.getrandbits(32):08x}"
            yield (
                t0 + 0.7 * span,
                "log",
                ("stdout", f"[axom] worker {wid} ready (driver 560.35.03, CUDA 12.6)"),
            )
        elif st == "staging":
            yield (
                t0,
                "log",
                (
                    "stdout",
                    f"loading base model {spec.base_model_name} "
                    f"({spec.params_before / 1e9:.2f}B params, bf16)",
                ),
            )
            if rng.random() < 0.7:
                yield t0 + 0.1 * span, "log", ("stderr", rng.choice(WARNINGS))
            if hostile:
                for k, (stream, text) in enumerate(HOSTILE_STAGING):
                    yield t0 + (0.15 + 0.1 * k) * span, "log", (stream, text)
            yield (
                t0 + 0.6 * span,
                "log",
                ("stdout", f"loading dataset {spec.dataset_name} (seq_len {spec.seq_len})"),
            )
            yield t0 + 0.9 * span, "log", ("stdout", "staging done; starting training")
        elif st == "running":
            cycle = seg.cycle
            if seg.step0 % spc == 0:
                if seg.attempt > 0 and prev is not None and prev.status == "staging":
                    yield (
                        t0,
                        "log",
                        (
                            "stdout",
                            f"resuming from checkpoint step {seg.step0} (retry {seg.retries})",
                        ),
                    )
                yield t0, "log", ("stdout", _cycle_line(spec, cycle))
            if hostile and seg.attempt == 0 and cycle == 1 and seg.step0 == 0:
                for stream, text in HOSTILE_RUNNING:
                    yield t0, "log", (stream, text)
            s = (seg.step0 // POINT_EVERY + 1) * POINT_EVERY
            eval_said = False
            while s <= seg.step1:
                ts = seg.time_of(s)
                p = point(spec, curve, s, seg.rate, rng)
                p = {"ts": iso(created + ts), **p}
                yield ts, "point", p
                loss, g = p["loss"], p["grad_norm"]
                if p["phase"] == "eval" and not eval_said:
                    eval_said = True
                    yield ts, "log", ("stdout", f"running eval for cycle {cycle}/{spec.cycles}")
                yield (
                    ts,
                    "log",
                    (
                        "stdout",
                        f"step {s}/{total} \u00b7 loss {loss:.4f} \u00b7 "
                        f"lr {p['lr']:.2e} \u00b7 grad {g:.3f} \u00b7 "
                        f"{p['throughput']:,.0f} tok/s",
                    ),
                )
                if loss != loss:
                    yield (
                        ts,
                        "log",
                        (
                            "stderr",
                            f"warning: non-finite loss (nan) at step {s}; skipping optimizer step",
                        ),
                    )
                else:
                    last_loss = loss
                    if g > 3.0:
                        yield (
                            ts,
                            "log",
                            (
                                "stderr",
                                f"warning: grad_norm {g:.1f} at step {s} "
                                "exceeds clip threshold 1.0; clipped",
                            ),
                        )
                if rng.random() < 0.004:
                    yield ts, "log", ("stderr", rng.choice(WARNINGS))
                s += POINT_EVERY
            executed += seg.step1 - seg.step0
            if seg.step1 % spc == 0 and seg.step1 > seg.step0:
                ev = smooth_eval(spec, curve, seg.step1)
                yield (
                    seg.time_of(seg.step1),
                    "log",
                    (
                        "stdout",
                        f"eval cycle {cycle}/{spec.cycles}: loss {ev:.4f} \u00b7 "
                        f"ppl {math.exp(ev):.2f}",
                    ),
                )
        elif st == "checkpointing":
            gb = spec.params_by_cycle[seg.cycle - 1] * 2 / 1e9
            yield (
                t0,
                "log",
                (
                    "stdout",
                    f"saving checkpoint step {seg.step0} to s3://axom-ckpt/"
                    f"{spec.id[:8]}/step-{seg.step0} ({gb:.1f} GB)",
                ),
            )
            yield t1, "log", ("stdout", f"checkpoint step {seg.step0} saved in {span:.1f}s")
        elif st == "preempted":
            yield t0, "truncate", seg.step0
            yield (
                t0,
                "log",
                (
                    "stderr",
                    "SIGTERM received: spot capacity reclaimed by provider; worker shutting down",
                ),
            )
            at = prev.step1 if prev is not None else seg.step0
            yield (
                t0,
                "log",
                (
                    "stdout",
                    f"[axom] run preempted at step {at} (retry {seg.retries}); "
                    f"will resume from checkpoint step {seg.step0}",
                ),
            )
        elif st == "uploading":
            yield (
                t0,
                "log",
                (
                    "stdout",
                    f"uploading model {spec.name} to storage "
                    f"({spec.params_after * 2 / 1e9:.1f} GB)",
                ),
            )
            for k in (1, 2):
                yield t0 + span * k / 3, "log", ("stdout", f"upload {k * 33}%")
            yield t1, "log", ("stdout", "upload 100%")
        elif st == "completed":
            ppl_b = math.exp(baseline_loss(spec, curve))
            ppl_f = math.exp(final_eval_loss(spec, curve) * (1.0 + rng.gauss(0.0, 0.003)))
            fp = {"train": (0.0002, 0.002), "contract": (0.02, 0.09), "finetune": (0.0, 0.0005)}
            result = {
                "job_id": spec.id,
                "ppl_baseline": round(ppl_b, 2),
                "ppl_final": round(ppl_f, 2),
                "ppl_delta_pct": round((ppl_f / ppl_b - 1.0) * 100.0, 2),
                "loss_final": round(last_loss, 4),
                "params_before": spec.params_before,
                "params_after": spec.params_after,
                "params_delta": spec.params_after - spec.params_before,
                "function_preservation": round(rng.uniform(*fp[spec.type]), 4),
                "gpu_seconds": int(gpu_seconds),
                "tokens_processed": executed * spec.seq_len,
                "cost_usd": cost_usd(int(gpu_seconds)),
            }
            yield t0, "result", result
            yield (
                t0,
                "log",
                (
                    "stdout",
                    f"[axom] run completed: ppl {result['ppl_baseline']} -> "
                    f"{result['ppl_final']} ({result['ppl_delta_pct']:+.2f}%), "
                    f"model {spec.name} v1 ready",
                ),
            )
        elif st == "failed":
            at = prev.step1 if prev is not None else seg.step0
            for text in (
                "Traceback (most recent call last):",
                '  File "/opt/axom/fusion/train.py", line 412, in train_step',
                "    loss.backward()",
                "RuntimeError: CUDA error: an illegal memory access was encountered",
            ):
                yield t0, "log", ("stderr", text)
            yield t0, "log", ("stdout", f"[axom] run failed at step {at}: {plan.error}")
        prev = seg


def smooth_eval(spec: RunSpec, curve, step: int) -> float:
    return smooth_loss(spec, curve, step) + 0.04


def _cycle_line(spec: RunSpec, cycle: int) -> str:
    p = spec.params_by_cycle[cycle - 1]
    before = spec.params_by_cycle[cycle - 2] if cycle > 1 else spec.params_before
    head = f"cycle {cycle}/{spec.cycles}:"
    if spec.type == "train":
        return (
            f"{head} growing {before / 1e9:.2f}B -> {p / 1e9:.2f}B params "
            "(function-preserving init)"
        )
    if spec.type == "contract":
        return f"{head} contracting {before / 1e9:.2f}B -> {p / 1e9:.2f}B params"
    return f"{head} training LoRA adapters (rank {spec.hyperparams.get('lora_rank', 32)})"


class Telemetry:
    """Materialized metric points, log lines and result of one run, pulled lazily."""

    __slots__ = ("steps", "points", "lines", "result", "_gen", "_next", "_created", "rel")

    def __init__(self, spec: RunSpec, plan: Plan, created: float) -> None:
        self.steps: list[int] = []
        self.points: list[dict] = []
        self.lines: list[dict] = []
        self.result: dict | None = None
        self._created = created
        self._gen = generate(spec, plan, created)
        self._next = next(self._gen, None)
        self.rel = -math.inf

    def advance(self, rel: float) -> None:
        if rel <= self.rel:
            return
        self.rel = rel
        nxt = self._next
        gen, lines, created = self._gen, self.lines, self._created
        data: Any  # what each kind carries: a point, (stream, text), a step, a result
        while nxt is not None and nxt[0] <= rel:
            ts, kind, data = nxt
            if kind == "point":
                self.steps.append(data["step"])
                self.points.append(data)
            elif kind == "log":
                stream, text = data
                lines.append(
                    {"seq": len(lines) + 1, "ts": iso(created + ts), "stream": stream, "text": text}
                )
            elif kind == "truncate":
                k = bisect_right(self.steps, data)
                del self.steps[k:]
                del self.points[k:]
            elif kind == "result":
                self.result = data
            nxt = next(gen, None)
        self._next = nxt
