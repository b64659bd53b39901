"""The buttons of the coaching nudges (their texts and sending live in `coaching.nudges`).

🎓 and 💬 on a nudge record the press, then run the same flows as the career card's buttons
(`tr` training options, `co` talk to a coach).
"""

from __future__ import annotations

from bot.handlers import ActionFlow, all_actions
from coaching.nudges import content, flows
from journey import actions
from kernel.turn import Turn
from messages import Outcome, render


def _then(button: str, target: str) -> ActionFlow:
    async def flow(turn: Turn, args: tuple[str, ...]) -> Outcome:
        await flows.record_press(turn, args, button)
        delegate = all_actions().get(target)
        if delegate is None or not args:
            return Outcome(notice=render("common.stale_button", turn.lang))
        return await delegate(turn, args[:1])

    return flow


ACTIONS: dict[str, ActionFlow] = {
    content.STOP: flows.stop_button,
    content.PLAN: flows.plan_answer,
    content.TRAINING: _then("training", actions.TRAINING),
    content.COACH: _then("coach", actions.COACH),
}
