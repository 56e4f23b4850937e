"""The charting core never imports Textual (it is tested and benchmarked without it)."""

from __future__ import annotations

import subprocess
import sys


def test_charting_imports_without_textual() -> None:
    probe = (
        "import sys, axom_tui.charting, axom_tui.charting.render, axom_tui.charting.views; "
        "print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
