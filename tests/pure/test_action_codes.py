"""Every button code the journey emits is defined once and handled by exactly one flow."""

from __future__ import annotations

from bot.handlers import all_actions
from coaching.nudges import content
from journey import actions


def test_each_journey_code_is_defined_once_and_handled() -> None:
    codes = {name: value for name, value in vars(actions).items() if name.isupper()}
    assert len(set(codes.values())) == len(codes)  # no two names for one code
    handled = all_actions()
    assert sorted(v for v in codes.values() if v not in handled) == []
    # The career card's and the nudges' "talk to a coach" lead to the same hand-over flow.
    assert actions.COACH == "co" and content.COACH in handled
