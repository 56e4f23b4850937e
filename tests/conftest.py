"""Puts tests/ itself on the path, so every folder can import tests/contract_examples.py by name
(each folder's own helpers are importable because pytest puts a test's folder on the path)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
