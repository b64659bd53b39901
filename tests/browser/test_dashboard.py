"""The evaluation dashboard in Chromium: seeded events, recorded as the bot records them (some
of them of people who then erased their data, kept anonymously), give exactly the figures this
test computes on its own, for a period and a programme; every table downloads as CSV; a coach
gets 403."""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from accounts import service as accounts
from journey import privacy
from kernel import events
from storage.models import User
from tests.browser.test_console import (  # noqa: F401  (fixtures)
    COACH,
    PASSWORD,
    Stack,
    bot_factory,
    pytestmark,
    stack,
)
from tremplin.app import build_reactions

OPERATOR = "nora@tremplin.example"
START = datetime(2026, 11, 1, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")  # the dashboard's days
EXPLORATION = {"section_shown", "career_opened", "training_opened", "career_saved",
               "career_removed", "survey_answered", "searched"}


@dataclass
class Seeded:
    """One seeded event, as the test sees it."""

    user: int
    at: datetime
    kind: str
    partner: str | None
    rome: str | None
    data: dict[str, Any]


def _seed_events(rng: random.Random) -> list[Seeded]:
    """Forty people over November, a few of them in programmes, doing a bit of everything."""
    seeded: list[Seeded] = []
    for n in range(40):
        user = 900_000 + n if n < 36 else -(1000 + n)  # the last four were erased
        partner = "cap_jeunes" if n % 5 == 0 else None
        at = START + timedelta(days=rng.randrange(0, 28), hours=10, minutes=n)

        def add(
            kind: str, rome: str | None = None, minutes: float = 0,
            user: int = user, partner: str | None = partner, **data: Any,
        ) -> None:
            nonlocal at
            at = at + timedelta(minutes=minutes)
            seeded.append(Seeded(user, at, kind, partner, rome, data))

        add("onboarded")
        add("section_shown", minutes=1, section="top", page=0)
        if rng.random() < 0.6:
            add("career_opened", "J1501", minutes=rng.randrange(1, 9), origin="section")
            if rng.random() < 0.5:
                add("training_opened", "J1501", minutes=rng.randrange(1, 5))
            if rng.random() < 0.5:
                add("career_saved", "J1501", minutes=1)
                add("survey_answered", "J1501", minutes=1, question="interest",
                    answer=rng.choice([0, 1, 2]))
                add("survey_answered", "J1501", minutes=1, question="readiness",
                    answer=rng.choice([0, 1, 2]))
                if rng.random() < 0.3:  # changed their mind: the latest answer counts
                    add("survey_answered", "J1501", minutes=2, question="interest", answer=2)
        elif rng.random() < 0.3:
            add("training_opened", "N1101", minutes=3)  # training without exploring first
        holdout = n % 4 == 0
        add("nudges_planned", minutes=40, sequence=1, holdout=holdout, variants={})
        if not holdout:
            for step in (1, 2):
                variant = "a" if n % 2 else "b"
                add("nudge_sent", "J1501", minutes=60 * 24, step=step, variant=variant)
                pick = rng.random()
                if pick < 0.2:
                    add("nudge_clicked", "J1501", minutes=5, step=step, variant=variant,
                        button="coach")
                    add("coach_requested", "J1501", minutes=0.5, via="button")
                elif pick < 0.35:
                    add("nudge_clicked", "J1501", minutes=5, step=step, variant=variant,
                        button="training")
                elif pick < 0.45:
                    add("nudges_stopped", "J1501", minutes=5, via="button", step=step,
                        variant=variant)
                    break
        elif rng.random() < 0.3:
            add("coach_requested", None, minutes=60, via="command")
    # Two referrals to Cap Jeunes: one answered after 90 min and closed, rated 4; one timed out.
    seeded += [
        Seeded(900_000, START + timedelta(days=28, hours=1), "handover_referred", "cap_jeunes",
               None, {"programme": "cap_jeunes", "referral": 1}),
        Seeded(900_000, START + timedelta(days=28, hours=2, minutes=30), "handover_message",
               "cap_jeunes", None, {"programme": "cap_jeunes", "referral": 1,
                                     "direction": "coach"}),
        Seeded(900_000, START + timedelta(days=28, hours=5), "handover_closed", "cap_jeunes",
               None, {"programme": "cap_jeunes", "referral": 1, "outcome": "found_job"}),
        Seeded(900_000, START + timedelta(days=28, hours=6), "handover_rated", "cap_jeunes",
               None, {"programme": "cap_jeunes", "referral": 1, "score": 4}),
        Seeded(900_005, START + timedelta(days=28, hours=1), "handover_referred", "cap_jeunes",
               None, {"programme": "cap_jeunes", "referral": 2}),
        Seeded(900_005, START + timedelta(days=29, hours=1), "handover_timed_out", "cap_jeunes",
               None, {"programme": "cap_jeunes", "referral": 2}),
        # Outside the period: must not count.
        Seeded(900_001, datetime(2026, 10, 20, tzinfo=UTC), "career_opened", None, "J1501", {}),
    ]
    return seeded


def _expected(seeded: list[Seeded], partner: str | None) -> dict[str, str]:
    """The dashboard's figures, computed here from the seeded list alone."""
    rows = [
        e for e in seeded
        if datetime(2026, 11, 1, tzinfo=PARIS) <= e.at < datetime(2026, 12, 1, tzinfo=PARIS)
        and (partner is None or e.partner == partner)
    ]
    users = {e.user for e in rows}
    first_open: dict[int, datetime] = {}
    for e in sorted(rows, key=lambda e: e.at):
        if e.kind == "career_opened":
            first_open.setdefault(e.user, e.at)
    trained = {e.user for e in rows
               if e.kind == "training_opened" and e.user in first_open
               and e.at >= first_open[e.user]}
    saved = sum(1 for e in rows if e.kind == "career_saved")
    sessions: list[float] = []
    by_user: dict[int, list[datetime]] = {}
    for e in rows:
        if e.kind in EXPLORATION:
            by_user.setdefault(e.user, []).append(e.at)
    for times in by_user.values():
        times.sort()
        start = last = times[0]
        for t in times[1:]:
            if t - last > timedelta(minutes=30):
                sessions.append((last - start).total_seconds())
                start = t
            last = t
        sessions.append((last - start).total_seconds())
    latest: dict[tuple[int, str], int] = {}
    for e in sorted(rows, key=lambda e: e.at):
        if e.kind == "survey_answered":
            latest[(e.user, e.data["question"])] = e.data["answer"]
    interest = [a for (_, q), a in latest.items() if q == "interest"]
    ready = [a for (_, q), a in latest.items() if q == "readiness"]
    coach = {e.user for e in rows if e.kind == "coach_requested"}
    sent = {e.user for e in rows if e.kind == "nudge_sent"}
    via_nudge = {e.user for e in rows if e.kind == "nudge_clicked" and e.data["button"] == "coach"}

    def pct(part: int, whole: int) -> str:
        # The console is in French: a decimal comma.
        return f"{part / whole * 100:.1f} %".replace(".", ",") if whole else "—"

    median = statistics.median(sessions)
    minutes, seconds = divmod(round(median), 60)
    return {
        "users": str(len(users)),
        "explored": pct(len(first_open), len(users)),
        "trained": pct(len(trained), len(first_open)),
        "saved_per_user": f"{saved / len(users):.2f}".replace(".", ","),
        "median_exploring": f"{minutes} min {seconds:02d} s",
        "interested": pct(sum(1 for a in interest if a > 0), len(interest)),
        "ready": pct(sum(1 for a in ready if a > 0), len(ready)),
        "coach": pct(len(coach), len(users)),
        "coach_nudge": pct(len(via_nudge), len(sent)),
    }


async def _store(stack: Stack, seeded: list[Seeded]) -> None:  # noqa: F811
    """Record the events as the bot does (which keeps the dashboard's tallies), then erase the
    people the list shows as erased, as /delete does."""
    erased = {e.user: 800_000 - e.user for e in seeded if e.user < 0}  # their id while here
    async with stack.bot.process.db.transaction() as session:
        await accounts.create_account(session, OPERATOR, "operator", PASSWORD,
                                      display_name="Nora")
        users: dict[int, User] = {}
        for e in seeded:
            if e.user not in users:
                user_id = erased.get(e.user, e.user)
                users[e.user] = User(id=user_id, chat_id=user_id, first_name="x",
                                     onboarded=True, partner_code=e.partner)
                session.add(users[e.user])
        await session.flush()
        for e in seeded:
            await events.record(session, users[e.user], e.kind, rome=e.rome, at=e.at, **e.data)
        for seeded_id in erased:
            await privacy.erase(session, users[seeded_id], build_reactions())


async def test_the_dashboard_matches_an_independent_computation(stack: Stack) -> None:  # noqa: F811
    from playwright.async_api import expect

    seeded = _seed_events(random.Random(13))
    await _store(stack, seeded)
    page = await stack.page(OPERATOR)
    for partner, choice in ((None, "all"), ("cap_jeunes", "cap_jeunes")):
        await page.goto(stack.console + "/dashboard")
        await page.get_by_label("Du").fill("2026-11-01")
        await page.get_by_label("Au").fill("2026-11-30")
        await page.get_by_label("Programme").select_option(choice)
        await page.get_by_role("button", name="Filtrer").click()
        for key, value in _expected(seeded, partner).items():
            await expect(page.locator(f"tr[data-figure='{key}'] td.value")).to_have_text(value)
    await expect(page.locator("tr[data-figure='explored'] td.reference")).to_have_text("46 %")
    # Hand-over: the answered referral took 90 minutes, the other timed out.
    row = page.locator("table.programmes tr[data-row='cap_jeunes'] td")
    await expect(row).to_have_text(
        ["cap_jeunes", "2", "1", "1", "0", "1", "found_job=1", "5400.0", "4.0", "1"]
    )
    assert await page.locator("svg.chart").count() == 2
    headers = page.locator("table.programmes th")
    await expect(headers.first).to_have_text("Programme")
    await expect(headers.nth(7)).to_have_text("Délai médian de 1re réponse (s)")
    await page.goto(stack.console + "/dashboard?from=2026-11-01&to=2026-11-30&programme=all")
    await page.screenshot(path=str(stack.shots / "operator-dashboard.png"), full_page=True)

    # Every table downloads as CSV with the same figures.
    csv = await page.evaluate(
        "() => fetch('/dashboard/figures.csv?from=2026-11-01&to=2026-11-30&programme=all')"
        ".then(r => r.text())"
    )
    assert csv.splitlines()[0] == "figure,tremplin,reference"
    assert f"users,{_expected(seeded, None)['users']}," in csv
    for table in ("nudges", "programmes"):
        status = await page.evaluate(f"() => fetch('/dashboard/{table}.csv').then(r => r.status)")
        assert status == 200

    coach = await stack.page(COACH)
    response = await coach.goto(stack.console + "/dashboard")
    assert response is not None and response.status == 403
