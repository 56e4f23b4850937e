"""safe_paths: every hostile ``rel`` is refused; safe ones land inside the destination."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from axom_tui.download.safe_paths import (
    UnsafePathError,
    check_rel,
    make_parents,
    plan_targets,
    resolve_target,
    safe_folder_name,
)


@pytest.mark.parametrize(
    "rel, reason",
    [
        ("", "empty"),
        ("   ", "empty"),
        (".", "empty"),
        ("./", "folder"),
        ("/etc/passwd", "absolute"),
        ("//server/share/x", "absolute"),
        ("../x", ".."),
        ("a/../../x", ".."),
        ("a/b/..", ".."),
        ("..", ".."),
        ("C:evil.bin", "drive"),
        ("c:/windows/x", "drive"),
        ("..\\..\\x", "backslash"),
        ("a\\b", "backslash"),
        ("a\x00b", "control"),
        ("a\nb", "control"),
        ("a\x1b[31mb", "control"),
        ("a\x85b", "control"),
        ("dir/", "folder"),
        ("a/ /b", "blank"),
        ("a/.../b".replace("...", " . "), "blank"),
        ("x" * 300, "too long"),
        ("/".join(["d"] * 40) + "/f", "deeply"),
    ],
)
def test_hostile_rels_are_refused(rel: str, reason: str) -> None:
    with pytest.raises(UnsafePathError) as info:
        check_rel(rel)
    assert reason in info.value.reason


@pytest.mark.parametrize(
    "rel, parts",
    [
        ("config.json", ("config.json",)),
        ("sub/dir/model.safetensors", ("sub", "dir", "model.safetensors")),
        ("./config.json", ("config.json",)),
        ("a//b", ("a", "b")),
        ("..hidden", ("..hidden",)),
        ("a..b/c", ("a..b", "c")),
        ("ünïcode/файл.bin", ("ünïcode", "файл.bin")),
    ],
)
def test_safe_rels_are_accepted(rel: str, parts: tuple[str, ...]) -> None:
    assert check_rel(rel) == parts


def test_non_string_rel_is_refused() -> None:
    with pytest.raises(UnsafePathError):
        check_rel(None)
    with pytest.raises(UnsafePathError):
        check_rel(5)


def test_target_is_inside_dest_with_part_next_to_final(tmp_path: Path) -> None:
    t = resolve_target(tmp_path, "a/b/model.bin")
    assert t.final == tmp_path / "a" / "b" / "model.bin"
    assert t.part == tmp_path / "a" / "b" / "model.bin.part"


def test_symlinked_folder_in_dest_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "link").symlink_to(outside)
    with pytest.raises(UnsafePathError, match="symlink"):
        resolve_target(dest, "link/evil.bin")
    with pytest.raises(UnsafePathError, match="symlink"):
        resolve_target(dest, "link/deeper/evil.bin")


def test_symlink_at_final_name_or_part_is_refused(tmp_path: Path) -> None:
    target_file = tmp_path / "victim"
    target_file.write_text("keep")
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "config.json").symlink_to(target_file)
    with pytest.raises(UnsafePathError):
        resolve_target(dest, "config.json")
    (dest / "w.bin.part").symlink_to(target_file)
    with pytest.raises(UnsafePathError):
        resolve_target(dest, "w.bin")
    (dest / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(UnsafePathError):
        resolve_target(dest, "dangling")


def test_file_where_a_folder_is_needed_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("x")
    with pytest.raises(UnsafePathError, match="folder"):
        resolve_target(tmp_path, "a/b.bin")


def test_make_parents_refuses_a_link_planted_after_planning(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "dest"
    dest.mkdir()
    target = resolve_target(dest, "sub/x.bin")  # fine at planning time
    (dest / "sub").symlink_to(outside)
    with pytest.raises(UnsafePathError):
        make_parents(target)
    assert list(outside.iterdir()) == []


def test_make_parents_creates_nested_folders(tmp_path: Path) -> None:
    target = resolve_target(tmp_path, "a/b/c/x.bin")
    make_parents(target)
    assert (tmp_path / "a" / "b" / "c").is_dir()


def test_plan_refuses_duplicates_and_collisions(tmp_path: Path) -> None:
    rels = ["x.bin", "./x.bin", "X.BIN", "x.bin.part", "d/y", "d", "ok.json", "/abs"]
    planned = plan_targets(tmp_path, rels)
    verdicts = {
        rel: (p.reason if isinstance(p, UnsafePathError) else "ok") for rel, p in zip(rels, planned)
    }
    assert verdicts["x.bin"] == "ok"
    assert "duplicate" in verdicts["./x.bin"]
    assert "duplicate" in verdicts["X.BIN"]
    assert ".part" in verdicts["x.bin.part"]
    assert verdicts["d/y"] == "ok"
    assert "folder" in verdicts["d"]
    assert verdicts["ok.json"] == "ok"
    assert "absolute" in verdicts["/abs"]


def test_part_name_first_then_its_file_is_refused(tmp_path: Path) -> None:
    planned = plan_targets(tmp_path, ["x.bin.part", "x.bin"])
    assert not isinstance(planned[0], UnsafePathError)
    assert isinstance(planned[1], UnsafePathError)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab./\\:\x00 C..")), max_size=24))
def test_any_accepted_rel_stays_inside(rel: str) -> None:
    dest = Path("/nonexistent-dest-root/d")
    try:
        parts = check_rel(rel)
    except UnsafePathError:
        return
    final = Path(os.path.normpath(dest.joinpath(*parts)))
    assert os.path.commonpath([dest, final]) == str(dest)
    assert final != dest
    assert ".." not in parts


@pytest.mark.parametrize(
    "name, expected",
    [
        ("falcon-h1-x2-chassis-v1", "falcon-h1-x2-chassis-v1"),
        ("../../etc/evil-v1", "etc_evil-v1"),
        ("a b/c\\d-v1", "a_b_c_d-v1"),
        ("\x1b[31mred\x00-v1", "31mred_-v1"),
        ("...", "model"),
        ("", "model"),
    ],
)
def test_safe_folder_name(name: str, expected: str) -> None:
    assert safe_folder_name(name) == expected
    assert "/" not in safe_folder_name(name) and not safe_folder_name(name).startswith(".")
