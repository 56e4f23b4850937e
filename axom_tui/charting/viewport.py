"""The chart's zoom: which stretch of the x axis is on screen, and how keys move it.

A :class:`Viewport` is a window ``[lo, hi]`` in x units (steps, or milliseconds when the
axis shows time) or None for the whole run, plus ``follow``: a window that reaches the
newest point keeps reaching it as the run grows (same width, new points scroll in), so
zooming in on a live run's tail keeps the tail in view.

A window that touches the newest point follows it (``_clamp`` says so), whichever key
put it there. Every function takes the data's extent ``(first x, last x)`` and returns a window
clamped to it, never narrower than ``min_span`` (a few points), never wider than the
extent (then: None, the whole run).
"""

from __future__ import annotations

from dataclasses import dataclass

Extent = tuple[float, float]

ZOOM_STEP = 2.0  # each zoom key halves or doubles the visible span
PAN_STEP = 0.25  # each pan key moves a quarter of the visible span


@dataclass(frozen=True, slots=True)
class Viewport:
    lo: float
    hi: float
    follow: bool = False

    @property
    def span(self) -> float:
        return self.hi - self.lo


def resolve(view: Viewport | None, extent: Extent) -> Viewport | None:
    """``view`` as of the data's current ``extent``: a following window moves with the
    newest point; a window wider than the data is the whole run."""
    if view is None:
        return None
    _first, last = extent
    if view.follow and view.hi != last:
        view = Viewport(last - view.span, last, True)
    return _clamp(view, extent)


def _clamp(view: Viewport, extent: Extent) -> Viewport | None:
    first, last = extent
    span = view.span
    if span >= last - first:
        return None
    lo = min(max(view.lo, first), last - span)
    return Viewport(lo, lo + span, lo + span >= last)


def zoom(
    view: Viewport | None, extent: Extent, factor: float, center: float, min_span: float
) -> Viewport | None:
    """Span divided by ``factor`` (> 1 zooms in) around ``center``, which keeps its place
    on screen: the point under the cursor or the mouse stays under it."""
    first, last = extent
    if last <= first:
        return None
    lo, hi = (view.lo, view.hi) if view is not None else (first, last)
    span = max(hi - lo, 1e-300)
    center = min(max(center, lo), hi)
    new_span = max(min_span, span / factor)
    if new_span >= last - first:
        return None
    where = (center - lo) / span  # the centre's place across the window, kept
    new_lo = center - where * new_span
    return _clamp(Viewport(new_lo, new_lo + new_span), extent)


def pan(view: Viewport | None, extent: Extent, fraction: float) -> Viewport | None:
    """Move by ``fraction`` of the visible span (negative: back in time)."""
    if view is None:
        return None
    shift = view.span * fraction
    return _clamp(Viewport(view.lo + shift, view.hi + shift), extent)


def showing(view: Viewport | None, extent: Extent, x: float) -> Viewport | None:
    """The smallest move of ``view`` that puts ``x`` inside it (same span)."""
    if view is None or view.lo <= x <= view.hi:
        return view
    span = view.span
    lo = x if x < view.lo else x - span
    return _clamp(Viewport(lo, lo + span), extent)
