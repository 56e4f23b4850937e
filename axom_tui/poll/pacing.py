"""Request pacing: a token bucket for the request budget, and backoff with jitter."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    """``rate`` tokens per second, at most ``burst`` saved up. One request costs one token."""

    rate: float
    burst: float
    tokens: float = field(init=False)
    updated: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError("a token bucket needs rate > 0 and burst >= 1")
        self.tokens = float(self.burst)

    def _refill(self, now: float) -> None:
        if self.updated is not None and now > self.updated:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        if self.updated is None or now > self.updated:
            self.updated = now

    def has_token(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= 1.0 - 1e-9

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1.0

    def next_token_at(self, now: float) -> float:
        """When a token will be available (``now`` if one is)."""
        self._refill(now)
        missing = 1.0 - self.tokens
        return now if missing <= 1e-9 else now + missing / self.rate


def backoff_delay(failures: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with "equal jitter": between half and all of min(cap, base * 2^(n-1))."""
    if failures <= 0:
        return 0.0
    ceiling = min(cap, base * 2.0 ** min(failures - 1, 30))
    return ceiling * (0.5 + 0.5 * rng.random())
