"""/coach, /endcoach and the hand-over buttons (questions, programme, consent, relay, waiting,
satisfaction, withdrawal)."""

from __future__ import annotations

from bot.handlers import ActionFlow, CommandFlow, arg
from coaching import handover_flows as flows
from coaching import handover_privacy, relay, satisfaction
from journey import actions

COMMANDS: dict[str, CommandFlow] = {
    "coach": lambda turn, text: flows.start(turn, text.strip().upper() or None),
    "endcoach": lambda turn, text: relay.end_relay(turn),
}

ACTIONS: dict[str, ActionFlow] = {
    actions.COACH: lambda turn, args: flows.start(turn, arg(args, 0) or None, via="button"),
    flows.ANSWER_SITUATION: flows.answer_situation,
    flows.ANSWER_AGE: flows.answer_age,
    flows.CHANGE_ANSWERS: flows.change_answers,
    flows.PICK: flows.pick,
    flows.CONSENT_YES: flows.consent_yes,
    flows.CONSENT_NO: flows.consent_no,
    handover_privacy.WITHDRAW: handover_privacy.withdraw,
    relay.END_RELAY: lambda turn, args: relay.end_relay(turn),
    relay.RESUME_RELAY: lambda turn, args: relay.resume_relay(turn, arg(args, 0)),
    relay.KEEP_WAITING: flows.keep_waiting,
    relay.SWITCH: flows.switch,
    satisfaction.RATE: lambda turn, args: satisfaction.rate(turn, arg(args, 0), arg(args, 1)),
    satisfaction.NO_COMMENT: lambda turn, args: satisfaction.no_comment(turn, arg(args, 0)),
}
