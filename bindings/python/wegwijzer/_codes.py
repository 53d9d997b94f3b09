"""The codes of the Wegwijzer vocabulary and their bit masks.

Topics, modes and accessibility features are small closed vocabularies, written as
the lowercase codes of the CSV contract (``"digid"``, ``"home_visit"``). Sets of them
can also be given as integer bit masks, bit ``i`` standing for ``TOPICS[i]`` (resp.
``MODES[i]``, ``ACCESS[i]``): the fast path for a million rows in a NumPy array.
"""
from __future__ import annotations

from typing import Iterable, Tuple, Union

from . import _core

#: Help topics, in bit order.
TOPICS: Tuple[str, ...] = tuple(_core.TOPICS)
#: Modes of help, in bit order (also the contract's tie order between equal costs).
MODES: Tuple[str, ...] = tuple(_core.MODES)
#: Accessibility features, in bit order.
ACCESS: Tuple[str, ...] = tuple(_core.ACCESS)
#: Provider kinds.
PROVIDER_KINDS: Tuple[str, ...] = tuple(_core.PROVIDER_KINDS)
#: Physical modes: distance-bound.
PHYSICAL_MODES: Tuple[str, ...] = ("in_person", "home_visit")
#: Cost of a phone or video referral, in metres-equivalent.
REMOTE_COST_M: int = int(_core.REMOTE_COST_M)

Codes = Union[str, Iterable[str], int]


def topic_mask(codes: Codes) -> int:
    """Bit mask of topics: ``topic_mask("digid;benefits") == topic_mask(["digid", "benefits"]) == 3``.

    Raises ValueError naming an unknown code.
    """
    return int(_core.topic_mask(codes))


def mode_mask(codes: Codes) -> int:
    """Bit mask of modes, e.g. ``mode_mask(["phone", "video"])``."""
    return int(_core.mode_mask(codes))


def access_mask(codes: Codes) -> int:
    """Bit mask of accessibility features, e.g. ``access_mask("wheelchair")``."""
    return int(_core.access_mask(codes))


def language_codes(codes: Union[str, Iterable[str]]) -> Tuple[str, ...]:
    """Checked ISO 639-1 codes in ISO list order: ``language_codes("nl;ar") == ("ar", "nl")``."""
    return tuple(_core.language_codes(codes))


def codes_of(mask: int, vocabulary: Tuple[str, ...]) -> Tuple[str, ...]:
    """The codes whose bits are set in ``mask``: ``codes_of(3, TOPICS) == ("digid", "benefits")``."""
    mask = int(mask)
    if mask < 0 or mask >> len(vocabulary):
        raise ValueError(f"bit mask {mask} is outside 0..{(1 << len(vocabulary)) - 1}")
    return tuple(code for bit, code in enumerate(vocabulary) if mask >> bit & 1)
