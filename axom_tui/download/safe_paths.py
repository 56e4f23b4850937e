"""Turn an untrusted manifest ``rel`` into a path inside the destination, or refuse it.

The server chooses every ``rel``. A name is refused when it is empty, absolute, carries a
drive letter or UNC prefix, a backslash, a ``..`` component, a control character, is too
long, or would land outside the destination. On disk, a symlink at any component below
the destination (or at the final name or its ``.part``) is refused too: nothing is ever
written through a link. The checks here are repeated right before each open/rename so a
link planted while a download runs is caught as well.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

PART_SUFFIX = ".part"
MAX_REL_CHARS = 1024
MAX_COMPONENT_BYTES = 255 - len(PART_SUFFIX)  # room for the .part suffix
MAX_DEPTH = 32

_DRIVE = re.compile(r"^[A-Za-z]:")
_FOLDER_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


class UnsafePathError(ValueError):
    """A ``rel`` that must not be written; ``reason`` says why in a few words."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class SafeTarget:
    """Where one manifest file goes: ``final`` and its ``part`` under ``dest``."""

    rel: str
    parts: tuple[str, ...]
    dest: Path
    final: Path
    part: Path


def check_rel(rel: object) -> tuple[str, ...]:
    """Validate a ``rel`` syntactically; return its path components."""
    if not isinstance(rel, str) or not rel.strip():
        raise UnsafePathError("empty name")
    if len(rel) > MAX_REL_CHARS:
        raise UnsafePathError("name too long")
    for ch in rel:
        if unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029":
            raise UnsafePathError("control character in name")
    if "\\" in rel:
        raise UnsafePathError("backslash in name")
    if rel.startswith("/"):
        raise UnsafePathError("absolute path")
    if _DRIVE.match(rel):
        raise UnsafePathError("drive letter in name")
    raw = rel.split("/")
    if raw[-1] == "":
        raise UnsafePathError("names a folder, not a file")
    parts: list[str] = []
    for comp in raw:
        if comp == "..":
            raise UnsafePathError("'..' in name")
        if comp in ("", "."):
            continue
        if len(comp.encode("utf-8", "surrogatepass")) > MAX_COMPONENT_BYTES:
            raise UnsafePathError("name too long")
        if comp.strip() in ("", ".", ".."):
            raise UnsafePathError("blank or dot-only component")
        parts.append(comp)
    if not parts:
        raise UnsafePathError("empty name")
    if len(parts) > MAX_DEPTH:
        raise UnsafePathError("too deeply nested")
    return tuple(parts)


def resolve_target(dest: Path, rel: object) -> SafeTarget:
    """Map ``rel`` to a :class:`SafeTarget` under ``dest`` (an absolute, resolved folder).

    Purely lexical plus a check of what already exists on disk; creates nothing.
    """
    parts = check_rel(rel)
    final = dest.joinpath(*parts)
    normal = Path(os.path.normpath(final))
    try:
        inside = os.path.commonpath([str(dest), str(normal)]) == str(dest) and normal != dest
    except ValueError:  # different drives on Windows
        inside = False
    if not inside:
        raise UnsafePathError("resolves outside the destination")
    target = SafeTarget(
        rel=str(rel),
        parts=parts,
        dest=dest,
        final=final,
        part=final.with_name(final.name + PART_SUFFIX),
    )
    check_on_disk(target)
    return target


def check_on_disk(target: SafeTarget) -> None:
    """Refuse if a symlink (or a non-folder) sits at any component below ``dest``.

    Missing components are fine (they will be created by :func:`make_parents`).
    """
    current = target.dest
    for i, comp in enumerate(target.parts):
        current = current / comp
        last = i == len(target.parts) - 1
        mode = _lstat_mode(current)
        if mode is None:
            if not last:
                return  # nothing deeper can exist either
            break
        if stat.S_ISLNK(mode):
            raise UnsafePathError("a symlink is in the way in the destination")
        if not last and not stat.S_ISDIR(mode):
            raise UnsafePathError("a file is in the way where a folder is needed")
        if last and not stat.S_ISREG(mode):
            raise UnsafePathError("something other than a regular file is at that name")
    mode = _lstat_mode(target.part)
    if mode is not None and not stat.S_ISREG(mode):
        raise UnsafePathError("something other than a regular file is at the .part name")


def make_parents(target: SafeTarget) -> None:
    """Create the folders between ``dest`` and the file, one at a time, never through a link."""
    current = target.dest
    for comp in target.parts[:-1]:
        current = current / comp
        try:
            os.mkdir(current, 0o755)
        except FileExistsError:
            pass
        mode = _lstat_mode(current)
        if mode is None or not stat.S_ISDIR(mode):
            raise UnsafePathError("a symlink or file is in the way in the destination")
    check_on_disk(target)


def _lstat_mode(path: Path) -> int | None:
    try:
        return os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise UnsafePathError("a file is in the way where a folder is needed") from None


def plan_targets(dest: Path, rels: list[str]) -> list[SafeTarget | UnsafePathError]:
    """Resolve every ``rel``; later duplicates/collisions (case-insensitively) are refused.

    A rel that names another one's ``.part`` file or a folder another needs is refused too.
    """
    out: list[SafeTarget | UnsafePathError] = []
    files: set[str] = set()
    folders: set[str] = set()
    for rel in rels:
        try:
            target = resolve_target(dest, rel)
        except UnsafePathError as exc:
            out.append(exc)
            continue
        key = "/".join(target.parts).casefold()
        own_folders = {"/".join(target.parts[:i]).casefold() for i in range(1, len(target.parts))}
        if key in files:
            out.append(UnsafePathError("duplicate of another file in the manifest"))
            continue
        if key in folders:
            out.append(UnsafePathError("is a folder another file needs"))
            continue
        is_part_of_other = key.endswith(PART_SUFFIX) and key[: -len(PART_SUFFIX)] in files
        if (key + PART_SUFFIX) in files or is_part_of_other:
            out.append(UnsafePathError("collides with another file's .part name"))
            continue
        if own_folders & files:
            out.append(UnsafePathError("needs a folder where another file goes"))
            continue
        files.add(key)
        folders |= own_folders
        out.append(target)
    return out


def safe_folder_name(name: str, fallback: str = "model") -> str:
    """One portable folder name from server text: ``falcon x2/v1`` → ``falcon_x2_v1``."""
    text = unicodedata.normalize("NFKC", name or "")
    text = _FOLDER_UNSAFE.sub("_", text).strip("._-")
    text = re.sub(r"_+", "_", text)[:100].strip("._-")
    if not text:
        text = _FOLDER_UNSAFE.sub("_", fallback).strip("._-")[:100] or "model"
    return text
