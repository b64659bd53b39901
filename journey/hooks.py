"""Extension points where other domain packages react to the user's journey.

`journey` must not depend on `coaching` (coaching builds on the journey), so coaching registers
its reactions here when it is installed (see `tremplin.app.build_environment`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from journey.turn import Turn

CareerHook = Callable[[Turn, str], Awaitable[None]]

# Called inside the saving transaction, after the row exists: (turn, rome).
career_saved: list[CareerHook] = []
# Called inside the removing transaction, after the row is gone: (turn, rome).
career_removed: list[CareerHook] = []
