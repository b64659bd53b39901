"""Navigation state lives in its own table: "back" to search results and double taps do not
depend on the analytics events (which a retention job may prune)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from journey import navigation, search, training
from storage.engine import Database
from storage.models import Event
from tests.support import make_turn, make_user


async def test_back_and_double_taps_survive_the_events_being_pruned(db: Database) -> None:
    async with db.transaction() as session:
        turn = make_turn(session, await make_user(session, 41))
        await search.run_search(turn, "plombier")
        assert await training.training_options(turn, "J1501")
        await session.execute(delete(Event))  # analytics pruned
        back = await search.back_to_results(turn)
        assert back.replies[0].edit and "« plombier »" in back.replies[0].text
        again = await training.training_options(turn, "J1501")
        assert again.replies == [] and again.notice  # still one message for a double tap
        turn.now += navigation.DOUBLE_TAP + timedelta(seconds=1)
        assert (await training.training_options(turn, "J1501")).replies  # later: sent again
