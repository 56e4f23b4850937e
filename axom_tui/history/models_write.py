"""The models list on its way to the run cache, encoded model by model and remembered.

A big account holds thousands of models and gains one each time a run completes; the
list was encoded whole each time (4,800 models: ~66 ms of the writer thread per
finished run, most of the idle app's cache work). Each model's JSON is kept while its
record is the same object (the client hands back the same record for an unchanged
item), so a write encodes the new models alone and deflates the joined list fast.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence

from axom_tui.api.records import Model
from axom_tui.base.sanitize import has_secrets, redact_secrets
from axom_tui.history import codec

#: A fast deflate: the models list is rewritten whole and read once, at start-up.
MODELS_DEFLATE_LEVEL = 1


class ModelsEncoder:
    """``encode(models)`` gives what :func:`codec.decode_models` reads back."""

    def __init__(self) -> None:
        self._json: dict[str, tuple[Model, str]] = {}

    def encode(self, models: Sequence[Model]) -> bytes:
        known, kept = self._json, {}
        parts = []
        for model in models:
            hit = known.get(model.id)
            if hit is None or hit[0] is not model:
                text = json.dumps(
                    codec.record_dict(model), separators=(",", ":"), ensure_ascii=False
                )
                hit = (model, text)
            kept[model.id] = hit
            parts.append(hit[1])
        self._json = kept  # models no longer listed are forgotten
        text = "[" + ",".join(parts) + "]"
        if has_secrets():  # as codec's records: the key never reaches the disk
            text = redact_secrets(text)
        return zlib.compress(text.encode(), MODELS_DEFLATE_LEVEL)
