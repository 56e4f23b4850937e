"""Shared shape of benchmark results: one ``BenchLine`` per measured figure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BenchLine:
    name: str
    ours: float
    baseline: float | None
    ratio: float | None
    budget: str
    passed: bool
    unit: str = ""

    def row(self) -> str:
        """``name | ours | baseline | ratio | budget | PASS/FAIL``."""

        def num(value: float | None) -> str:
            if value is None:
                return "-"
            return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"

        unit = f" {self.unit}" if self.unit else ""
        baseline = "-" if self.baseline is None else f"{num(self.baseline)}{unit}"
        ratio = "-" if self.ratio is None else f"{self.ratio:.2f}x"
        verdict = "PASS" if self.passed else "FAIL"
        ours = f"{num(self.ours)}{unit}"
        return f"{self.name} | {ours} | {baseline} | {ratio} | {self.budget} | {verdict}"
