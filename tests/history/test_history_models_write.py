"""The run cache writes a big account's models list without encoding every model again
each time one is added (issue 17: 4,800 models cost ~66 ms of the writer per finished
run, most of the idle app's cache work)."""

from __future__ import annotations

from axom_tui.api.records import Model
from axom_tui.history import codec, read
from axom_tui.history.cache import open_cache
from axom_tui.history.snapshot import Batch
from axom_tui.history.write import write_batch


def _models(n: int) -> list[Model]:
    return [Model(id=f"m{i}", name=f"run-{i}", version="v1", job_id=f"j{i}") for i in range(n)]


def _encoded_records(monkeypatch) -> list[object]:
    seen: list[object] = []
    real = codec.record_dict
    monkeypatch.setattr(codec, "record_dict", lambda r: (seen.append(r), real(r))[1])
    return seen


def test_models_written_again_encode_only_the_new_one(tmp_path, monkeypatch):
    conn = open_cache(tmp_path / "c.sqlite3").connect()
    models = _models(300)
    write_batch(conn, Batch((), models=tuple(models)), 0.0)
    assert read.read_models(conn) == models
    seen = _encoded_records(monkeypatch)
    more = [Model(id="new", name="new-run", job_id="jn"), *models]
    write_batch(conn, Batch((), models=tuple(more)), 0.0)
    assert read.read_models(conn) == more
    assert seen == [more[0]]  # was all 301


def test_a_model_changed_under_the_same_id_is_written_as_it_is_now(tmp_path):
    conn = open_cache(tmp_path / "c.sqlite3").connect()
    models = _models(3)
    write_batch(conn, Batch((), models=tuple(models)), 0.0)
    changed = [models[0], Model(id="m1", name="renamed"), models[2]]
    write_batch(conn, Batch((), models=tuple(changed)), 0.0)
    assert read.read_models(conn) == changed
