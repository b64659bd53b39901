"""The buttons of the coaching nudges (their texts, sending and buttons' flows live in
`coaching.nudges`): 🎓 and 💬 record the press, then run the career card's flows."""

from __future__ import annotations

from bot.handlers import ActionFlow
from coaching.nudges import content, flows

ACTIONS: dict[str, ActionFlow] = {
    content.STOP: flows.stop_button,
    content.PLAN: flows.plan_answer,
    content.TRAINING: flows.training_button,
    content.COACH: flows.coach_button,
}
