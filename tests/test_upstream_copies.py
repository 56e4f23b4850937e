"""Where we copy or bypass framework internals, a changed upstream fails here, loudly.

Each guarded module declares ``UPSTREAM_VERSION`` (the library version it follows) and
``UPSTREAM``: ``"module:Qualified.name" -> (digest, what to re-check)``, the digest being
the first 16 hex digits of the SHA-256 of the upstream object's dedented source. With
Textual and uvicorn allowed a range of versions, a new release that leaves these
functions alone passes; one that changes them names the function, the module that
depends on it and what to re-check there.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import textwrap
from importlib.metadata import version
from types import ModuleType

import pytest

GUARDED = ["axom_tui.ui.quiet_driver", "axom_tui.ui.widgets.scroll_size", "axom_tui.sim.server"]


def source_digest(ref: str) -> str:
    module_name, qualname = ref.split(":")
    obj: object = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    source = textwrap.dedent(inspect.getsource(obj))  # type: ignore[arg-type]
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def changes(module: ModuleType) -> list[str]:
    """One message per upstream object whose source no longer matches the record."""
    library, recorded = module.UPSTREAM_VERSION.split()
    out = []
    for ref, (digest, recheck) in module.UPSTREAM.items():
        try:
            now = source_digest(ref)
        except (ImportError, AttributeError) as exc:
            now = f"gone ({exc})"
        if now != digest:
            out.append(
                f"{ref} changed upstream (installed {library} {version(library)}; "
                f"{module.__name__} follows {library} {recorded}, digest {digest}, now {now}). "
                f"Re-check {module.__file__}: {recheck}; then record the new digest and "
                f"version in its UPSTREAM."
            )
    return out


@pytest.mark.parametrize("name", GUARDED)
def test_copied_framework_internals_match_the_installed_library(name: str) -> None:
    module = importlib.import_module(name)
    assert module.UPSTREAM, f"{name} declares nothing it follows"
    problems = changes(module)
    assert not problems, "\n".join(problems)


def test_a_changed_upstream_names_the_function_the_module_and_what_to_recheck() -> None:
    fake = ModuleType("axom_tui.fake_copy")
    fake.__file__ = "axom_tui/fake_copy.py"
    fake.UPSTREAM_VERSION = "textual 0.1.0"  # type: ignore[attr-defined]
    fake.UPSTREAM = {  # type: ignore[attr-defined]
        "textual.drivers.linux_driver:LinuxDriver.run_input_thread": ("0" * 16, "port it"),
        "textual.widget:Widget.no_such_method": ("1" * 16, "find its successor"),
    }
    first, second = changes(fake)
    assert "LinuxDriver.run_input_thread changed upstream" in first
    assert "axom_tui.fake_copy follows textual 0.1.0" in first and "port it" in first
    assert f"installed textual {version('textual')}" in first
    assert "gone" in second and "find its successor" in second
