"""The codes of the journey's buttons (see `messages.outgoing.Action`).

They are contracts: old messages in users' chats still carry them, `tr` (training options) and
`co` (talk to a coach) are also emitted by the nudges, and `co` is handled by coaching.
"""

from __future__ import annotations

EXPLORE = "ex"  # optional arg "e": edit the pressed message in place
SECTION = "es"  # (section key, page)
SECTIONS_MENU = "el"  # ()
OPEN_CARD = "ec"  # (rome, origin)
CLOSE_CAREERS = "ek"  # (rome, origin of the card)
TRAINING = "tr"  # (rome,)
COACH = "co"  # (rome?): handled by coaching.handover_flows
SAVE = "sv"  # (rome, origin of the card)
REMOVE = "sr"  # (rome, origin of the card)
SURVEY = "sq"  # (rome, "i" or "r", "0"…"2")
SAVED_LIST = "vl"  # ()
SAVED_REMOVE = "vr"  # (rome,): the 🗑 of the /saved list
SEARCH_BACK = "sb"  # ()
SOURCES = "ds"  # (rome, origin of the card): where the card's figures come from
QUIZ_START = "qs"  # (): the interests quiz's first question
QUIZ_ANSWER = "qz"  # (question number "0"…"5", answer "2" yes, "1" a little, "0" no, "s" skip,
# "x" stop)
QUIZ_CLEAR = "qc"  # (): forget the quiz's answers (/settings)
