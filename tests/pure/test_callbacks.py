"""The callback-data codec: compact, versioned, and safe against anything a client sends."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.callbacks import MAX_BYTES, CallbackTooLong, decode, encode
from messages.outgoing import Action

_part = st.from_regex(r"[A-Za-z0-9_.:+-]{1,12}", fullmatch=True)


@given(name=_part, args=st.lists(_part, max_size=3))
def test_round_trip(name: str, args: list[str]) -> None:
    action = Action(name, tuple(args))
    data = encode(action)
    assert len(data.encode()) <= MAX_BYTES
    assert decode(data) == action


@given(st.text(max_size=200))
def test_decoding_never_raises(data: str) -> None:
    result = decode(data)
    if result is not None:
        assert encode(result) == data


def test_too_long_or_unsafe_actions_are_refused_when_building_buttons() -> None:
    with pytest.raises(CallbackTooLong):
        encode(Action("x", ("a" * 30, "b" * 30)))
    with pytest.raises(ValueError):
        encode(Action("x", ("has|pipe",)))


def test_other_versions_are_stale() -> None:
    assert decode("0|pr|salary") is None
    assert decode("2|pr|salary") is None
    assert decode("1|pr|salary") == Action("pr", ("salary",))
