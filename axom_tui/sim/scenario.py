"""Who runs what: random run specs and the scripted opening scenario.

The opening (``initial_runs`` = 10 by default, in this priority order) is placed
around the epoch E so that a demo shows every status within its first minutes at
``--speed 30``:

==============  ========================================================================
preempt-twice   train 6x1000; preempted at step 1650 (E+240s), requeues, resumes from
                checkpoint 1000 re-sending steps 1010.., preempted again at step 3420
failing         train 3x800; preempted 3 times then crashes at step 1520 (E+1500s):
                ``failed`` with a readable ``error``, retries 3
nan             train 6x1000 with NaN losses (forced at steps 1230, 2470, 4010, and ~0.6%)
done-train      completed before E (one preemption in its history)
done-contract   contract 4x500, completed before E
near-finish     train 3x1000 finishing at E+150s (checkpointing/uploading/completed)
queued          submitted at E-5s, waits 60 s in the queue
provisioning    provisioning since E-10s
hostile         finetune staging since E-15s; prints ANSI/OSC/markup/5000-char lines
done-big        train, turns 2 (12000 steps: paging beyond 500 points / 1000 lines)
==============  ========================================================================
"""

from __future__ import annotations

import random
from collections.abc import Callable

from .catalog import GPU_REGIONS, WORDS, make_uuid, short_base
from .plan import Interrupt, Plan, RunSpec, build_plan

ROLE_ORDER = (
    "preempt-twice",
    "failing",
    "nan",
    "done-train",
    "done-contract",
    "near-finish",
    "queued",
    "provisioning",
    "hostile",
    "done-big",
)

FAIL_MESSAGE = (
    "worker crashed at step {step}: RuntimeError: CUDA error: an illegal memory "
    "access was encountered; retry limit exhausted (3 of 3 retries used)"
)


class Catalog:
    def __init__(self, base_models: list[dict], datasets: list[dict]) -> None:
        self.base_models = base_models
        self.datasets = datasets
        self.used_names: set[str] = set()

    def base(self, name: str | None, rng: random.Random) -> dict:
        if name:
            return next(b for b in self.base_models if b["name"] == name)
        return rng.choice(self.base_models)

    def unique(self, name: str) -> str:
        n, k = name, 2
        while n in self.used_names:
            n, k = f"{name}-{k}", k + 1
        self.used_names.add(n)
        return n


def make_spec(
    index: int,
    seed: int,
    cat: Catalog,
    *,
    type: str | None = None,
    base: str | None = None,
    cycles: int | None = None,
    spc: int | None = None,
    turns: int = 1,
    interrupts: tuple[Interrupt, ...] | None = None,
    features: frozenset[str] = frozenset(),
    nan_steps: tuple[int, ...] = (),
    queue_wait: float | None = None,
) -> RunSpec:
    rng = random.Random(seed)
    run_id = make_uuid(rng)
    model_id = make_uuid(rng)
    kind = type or rng.choices(("train", "contract", "finetune"), (0.6, 0.25, 0.15))[0]
    b = cat.base(base, rng)
    ds = rng.choice(cat.datasets)
    before = b["params"]
    word = rng.choice(WORDS)
    seq_len = rng.choice((256, 256, 512))
    if kind == "train":
        c = cycles or rng.choice((3, 4, 6, 6, 6))
        s = spc or rng.choice((500, 800, 1000, 1000))
        growth = rng.choice((1.5, 2.0, 2.0))
        n_cycles = c * turns
        params = [
            int(before * growth ** (k / n_cycles)) // 1_000_000 * 1_000_000
            for k in range(1, n_cycles + 1)
        ]
        name = cat.unique(f"{short_base(b['name'])}-x{growth:g}-{word}")
        hp = {
            "turns": turns,
            "cycles": c,
            "steps_per_cycle": s,
            "lr": 1e-4,
            "seq_len": seq_len,
            "output_name": name,
        }
    elif kind == "contract":
        n_cycles, s = cycles or 4, spc or 500
        ratio = rng.choice((0.3, 0.4, 0.5, 0.5, 0.6))
        params = [
            int(before * (1 - ratio * k / n_cycles)) // 1_000_000 * 1_000_000
            for k in range(1, n_cycles + 1)
        ]
        name = cat.unique(f"{short_base(b['name'])}-c{int(ratio * 100)}-{word}")
        hp = {
            "source_model_id": b["id"],
            "contraction_ratio": ratio,
            "num_layers_to_contract": 8,
            "cycles": n_cycles,
            "steps_per_cycle": s,
            "lr": 5e-5,
            "seq_len": seq_len,
            "output_name": name,
        }
    else:
        n_cycles, s = 1, spc or 2000
        params = [before]
        name = cat.unique(f"{short_base(b['name'])}-lora-{word}")
        hp = {"lora_rank": 32, "steps": s, "lr": 2e-4, "seq_len": seq_len, "output_name": name}
    total = n_cycles * s
    if interrupts is None:
        interrupts = _random_interrupts(rng, total, s)
    return RunSpec(
        index=index,
        seed=rng.getrandbits(63),
        id=run_id,
        model_id=model_id,
        type=kind,
        name=name,
        base_model_id=b["id"],
        base_model_name=b["name"],
        dataset_id=ds["id"],
        dataset_name=ds["name"],
        hyperparams=hp,
        cycles=n_cycles,
        steps_per_cycle=s,
        seq_len=seq_len,
        params_before=before,
        params_by_cycle=params,
        interrupts=interrupts,
        features=features,
        nan_steps=nan_steps,
        region=rng.choice(GPU_REGIONS),
        queue_wait=queue_wait,
    )


def _random_interrupts(rng: random.Random, total: int, spc: int) -> tuple[Interrupt, ...]:
    roll = rng.random()
    if roll < 0.25:
        n, fail = 1, False
    elif roll < 0.32:
        n, fail = 2, False
    elif roll < 0.37:
        n, fail = 4, True
    else:
        return ()
    out: list[Interrupt] = []
    step = int(rng.uniform(0.2, 0.9) * spc)
    for a in range(n):
        if step % spc == 0:
            step += 7
        if step >= total:
            break
        last = fail and a == n - 1
        out.append(
            Interrupt(
                a,
                step,
                "fail" if last else "preempt",
                FAIL_MESSAGE.format(step=step) if last else "",
            )
        )
        step += int(rng.uniform(0.3, 1.2) * spc)
    if fail and (not out or out[-1].kind != "fail"):
        out = [i for i in out if i.kind != "fail"]
    return tuple(out)


def _event_time(plan: Plan, kind: str, nth: int = 0) -> float:
    hits = [t for t, k, _ in plan.events if k == kind]
    return hits[nth]


def _status_time(plan: Plan, status: str) -> float:
    seg = plan.first(status)
    assert seg is not None
    return seg.t0


def _step_time(plan: Plan, step: int) -> float:
    for seg in plan.segments:
        if seg.status == "running" and seg.step0 < step <= seg.step1:
            return seg.time_of(step)
    raise ValueError(step)


def scripted(
    role: str, index: int, seed: int, cat: Catalog, epoch: float
) -> tuple[RunSpec, Plan, float]:
    """Spec, plan and creation time of one role of the opening scenario."""
    P = Interrupt
    anchor: Callable[[Plan], float]
    if role == "preempt-twice":
        spec = make_spec(
            index,
            seed,
            cat,
            type="train",
            base="falcon-h1-1.5b",
            cycles=6,
            spc=1000,
            interrupts=(P(0, 1650), P(1, 3420)),
        )
        anchor, at = (lambda p: _event_time(p, "preempted")), 240.0
    elif role == "failing":
        spec = make_spec(
            index,
            seed,
            cat,
            type="train",
            base="llama-3.2-1b",
            cycles=3,
            spc=800,
            interrupts=(
                P(0, 700),
                P(1, 1130),
                P(2, 1370),
                P(3, 1520, "fail", FAIL_MESSAGE.format(step=1520)),
            ),
        )
        anchor, at = (lambda p: _event_time(p, "error")), 1500.0
    elif role == "nan":
        spec = make_spec(
            index,
            seed,
            cat,
            type="train",
            base="qwen3-1.7b",
            cycles=6,
            spc=1000,
            interrupts=(),
            features=frozenset({"nan"}),
            nan_steps=(1230, 2470, 4010),
        )
        anchor, at = (lambda p: _step_time(p, 1100)), 60.0
    elif role == "done-train":
        spec = make_spec(
            index, seed, cat, type="train", cycles=6, spc=1000, interrupts=(P(0, 2500),)
        )
        anchor, at = (lambda p: p.end), -4500.0
    elif role == "done-contract":
        spec = make_spec(index, seed, cat, type="contract", interrupts=())
        anchor, at = (lambda p: p.end), -900.0
    elif role == "near-finish":
        spec = make_spec(
            index, seed, cat, type="train", base="llama-3.2-1b", cycles=3, spc=1000, interrupts=()
        )
        anchor, at = (lambda p: p.end), 150.0
    elif role == "queued":
        spec = make_spec(index, seed, cat, type="train", interrupts=(), queue_wait=60.0)
        anchor, at = (lambda p: 0.0), -5.0
    elif role == "provisioning":
        spec = make_spec(index, seed, cat, type="contract", interrupts=())
        anchor, at = (lambda p: _status_time(p, "provisioning")), -10.0
    elif role == "hostile":
        spec = make_spec(
            index, seed, cat, type="finetune", interrupts=(), features=frozenset({"hostile"})
        )
        anchor, at = (lambda p: _status_time(p, "staging")), -15.0
    elif role == "done-big":
        spec = make_spec(index, seed, cat, type="train", cycles=6, spc=1000, turns=2, interrupts=())
        anchor, at = (lambda p: p.end), -2400.0
    else:
        raise ValueError(role)
    plan = build_plan(spec)
    return spec, plan, float(int(epoch + at - anchor(plan)))
