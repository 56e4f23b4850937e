"""Modes a key steps through: an enum whose members come round in order."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class CyclingEnum(StrEnum):
    """A ``StrEnum`` whose :meth:`next` is the member after this one (the first after the
    last), in the order the members are declared."""

    def next(self) -> Self:
        members = list(type(self))
        return members[(members.index(self) + 1) % len(members)]
