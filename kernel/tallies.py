"""The evaluation dashboard's figures, pre-aggregated as events are recorded ("tallies"), so that
the dashboard sums a few thousand rows for any period instead of scanning every event.

How one table answers every period. The dashboard asks for whole days [a, b] (days in `ZONE`).
For one person, in one scope (every programme, or the one stamped on the events), each figure
depends only on their events of days a…b, so it can change only where a or b crosses one of the
person's own active days D0 < D1 < … < Dk. The (a, b) plane therefore cuts into cells
a ∈ [D(i-1)+1, Di], b ∈ [Dj, D(j+1)-1] (i ≤ j) inside which the person's figures are constant:
those of their events of days Di…Dj. Each cell adds them to the row keyed (scope, figure, value,
a_lo, a_hi, b_lo, b_hi); the figure for a period is the sum of the rows whose rectangle holds
(a, b). Distinct people, "opened training after exploring", "latest survey answer" and the
hold-out groups all come out exact, with no per-person work when reading. Rectangles of
different people coincide (a person active on one day d makes ([FIRST, d], [d, LAST])), so the
tallies stay small; the exact durations behind the two medians are kept apart
(`DashboardValue`) and read only within the histogram buckets that hold the median.

The figures of one person's events are `person_figures`, the one statement of the rules below;
`journey.stats` computes the same definitions straight from the events (the reference the tests
compare with, and the benchmark's peer).

Upkeep: `record_event` runs in the transaction that records the event; it reads the person's
events, works out the cells the new event can change (for an event on their latest day, only
the cells ending on their last two days) before and after, and adds the difference. /delete and
the retention purge change nothing: the anonymous copy of the events (`anonymous_events`) has
the same figures, and the tallies never held who. `rebuild` recomputes everything from
`events` and `anonymous_events` (the migration's backfill, and the tests' from-scratch check).

Definitions (the reference evaluation's):

- *users*: people with at least one event in the period;
- *explored*: people who opened at least one career card;
- *trained after exploring*: explorers who opened training options at or after their first
  career card of the period;
- *saved*: people with a saved career; *careers saved*: save events;
- *time exploring*: a person's exploration events (`EXPLORATION_KINDS`) cut into sessions
  wherever two are more than `SESSION_GAP` apart; a session lasts from its first to its last
  event (a lone event lasts 0 s);
- *survey*: each person's latest answer per saved career and question;
- *nudges*: per step and A/B variant, people sent one, who pressed a button, asked for a coach
  from it, stopped from it; the treated and hold-out groups by the latest plan of the period;
- *hand-over*: per programme and referral, referred, answered, timed out, withdrawn, closed
  (latest outcome), the wait from the (latest) referral to the coach's first answer, and the
  latest rating.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table, and_, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from kernel import events
from storage.dialect import locked
from storage.models import AnonymousEvent, DashboardTally, DashboardValue, Event, User

# The days of the dashboard's periods: the service's (France's) calendar, the same for every
# operator, so "November" is one set of figures whoever looks.
ZONE = ZoneInfo("Europe/Paris")
EPOCH = date(1970, 1, 1)
FIRST, LAST = -1, 1_000_000  # open ends of a rectangle: before any day, after any day
ALL = "*"  # the scope of every programme together; "" is people who came without one

SESSION_GAP = timedelta(minutes=30)
EXPLORATION_KINDS: frozenset[str] = frozenset(
    {
        events.SECTION_SHOWN,
        events.CAREER_OPENED,
        events.TRAINING_OPENED,
        events.CAREER_SAVED,
        events.CAREER_REMOVED,
        events.SURVEY_ANSWERED,
        events.SEARCHED,
    }
)
ANSWERS = (0, 1, 2)
NUDGE_KINDS = frozenset(
    {events.NUDGES_PLANNED, events.NUDGE_SENT, events.NUDGE_CLICKED, events.NUDGES_STOPPED}
)
HANDOVER_KINDS = frozenset(
    {
        events.HANDOVER_REFERRED,
        events.HANDOVER_MESSAGE,
        events.HANDOVER_TIMED_OUT,
        events.HANDOVER_WITHDRAWN,
        events.HANDOVER_CLOSED,
        events.HANDOVER_RATED,
    }
)
# Histograms (bucket widths in seconds) of the durations whose median is shown: the coarsest
# in the tallies, the finer ones (named `finer(figure, width)`) and the exact values in
# `DashboardValue`. A median reads the finer counts inside one bucket of the level above, then
# the exact values inside one finest bucket: about ten buckets per level, whatever the size.
WIDTHS = (600.0, 60.0, 6.0)
SESSION = "session"
TOTAL_US = "explore_us"  # total time exploring, in microseconds (exact integers)

# (exact?, figure, value): exact ones go to `DashboardValue`, the rest to `DashboardTally`.
Key = tuple[bool, str, float]
# (scope, exact?, figure, value, a_lo, a_hi, b_lo, b_hi)
Mark = tuple[str, bool, str, float, int, int, int, int]


def day_number(at: datetime) -> int:
    """The day of `at` in `ZONE`, counted from 1970-01-01."""
    return (at.astimezone(ZONE).date() - EPOCH).days


def day_of(day: date) -> int:
    """A calendar day's number (see `day_number`)."""
    return (day - EPOCH).days


def figure(*parts: Any) -> str:
    """The name of a figure with parts (a step and variant, a programme…), unambiguously."""
    return json.dumps(list(parts), ensure_ascii=False, separators=(",", ":"))


def bucket(seconds: float, width: float) -> float:
    """The histogram bucket (its lower bound) of a duration."""
    return float(seconds // width * width)


def finer(name: str, width: float) -> str:
    """The name of a duration figure's histogram of `width`-second buckets (below the top)."""
    return f"{name}~{width:g}"


class Ev(NamedTuple):
    """One event as the tallies see it (events and anonymous events alike)."""

    at: datetime
    day: int
    kind: str
    partner: str
    rome: str | None
    data: dict[str, Any]


def session_durations(
    timestamps: list[tuple[int, datetime]], gap: timedelta = SESSION_GAP
) -> list[float]:
    """Durations (seconds) of the sessions in (user, time) pairs sorted by user then time."""
    return [d.total_seconds() for d in _sessions(timestamps, gap)]


def _sessions(timestamps: list[tuple[int, datetime]], gap: timedelta) -> list[timedelta]:
    durations: list[timedelta] = []
    current_user: int | None = None
    start = last = None
    for user_id, at in timestamps:
        if user_id != current_user or last is None or at - last > gap:
            if start is not None and last is not None:
                durations.append(last - start)
            current_user, start = user_id, at
        last = at
    if start is not None and last is not None:
        durations.append(last - start)
    return durations


def _exact(out: Counter[Key], name: str, seconds: float) -> None:
    """A duration behind a median: its exact value and its histogram buckets."""
    out[(True, name, seconds)] += 1
    out[(False, name, bucket(seconds, WIDTHS[0]))] += 1
    for width in WIDTHS[1:]:
        out[(True, finer(name, width), bucket(seconds, width))] += 1


def person_figures(evs: Sequence[Ev]) -> Counter[Key]:
    """Every figure one person adds to a period, from their events of that period (sorted by
    time, then by the order they were recorded)."""
    out: Counter[Key] = Counter()
    if not evs:
        return out
    kinds = Counter(e.kind for e in evs)

    def one(name: str, value: float = 0.0, n: int = 1) -> None:
        out[(False, name, value)] += n

    one("users")
    first_open = min((e.at for e in evs if e.kind == events.CAREER_OPENED), default=None)
    if first_open is not None:
        one("explored")
        if any(e.kind == events.TRAINING_OPENED and e.at >= first_open for e in evs):
            one("trained")
    if kinds[events.CAREER_SAVED]:
        one("saved")
        one("careers_saved", n=kinds[events.CAREER_SAVED])
    asked = bool(kinds[events.COACH_REQUESTED])
    if asked:
        one("coach")

    explore = [(0, e.at) for e in evs if e.kind in EXPLORATION_KINDS]
    if explore:
        one("explorers")
        for duration in _sessions(explore, SESSION_GAP):
            _exact(out, SESSION, duration.total_seconds())
            one(TOTAL_US, n=duration // timedelta(microseconds=1))

    latest: dict[tuple[str | None, str], int] = {}
    for e in evs:
        if e.kind == events.SURVEY_ANSWERED:
            question, answer = e.data.get("question"), e.data.get("answer")
            if question in ("interest", "readiness") and answer in ANSWERS:
                latest[(e.rome, str(question))] = answer
    for (_, question), answer in latest.items():
        one(question, float(answer))

    _nudge_figures(evs, asked, one)
    _handover_figures(evs, out)
    return out


def _nudge_figures(evs: Sequence[Ev], asked: bool, one: Any) -> None:
    planned: bool | None = None
    stopped = sent = coach_via_nudge = False
    steps: dict[tuple[int, str], set[str]] = {}
    for e in evs:
        if e.kind not in NUDGE_KINDS:
            continue
        if e.kind == events.NUDGES_PLANNED:
            planned = bool(e.data.get("holdout"))  # the latest plan of the period counts
            continue
        if e.kind == events.NUDGES_STOPPED:
            stopped = True
        step = e.data.get("step")
        if not isinstance(step, int):
            continue
        did = steps.setdefault((step, str(e.data.get("variant") or "")), set())
        if e.kind == events.NUDGE_SENT:
            did.add("sent")
            sent = True
        elif e.kind == events.NUDGE_CLICKED:
            did.add("clicked")
            if e.data.get("button") == "coach":
                did.add("coach")
                coach_via_nudge = True
        else:
            did.add("stopped")
    for (step, variant), did in steps.items():
        for what in did:
            one(figure("step", step, variant, what))
    if sent:
        one("sent_users")
    if coach_via_nudge:
        one("coach_via_nudge")
    if planned is not None:
        one("planned", float(planned))
        if asked:
            one("planned_coach", float(planned))
        if stopped:
            one("planned_stopped", float(planned))


def _handover_figures(evs: Sequence[Ev], out: Counter[Key]) -> None:
    done: dict[tuple[str, int], set[str]] = {}
    outcome: dict[tuple[str, int], str] = {}
    referred_at: dict[int, datetime] = {}
    first_answer: dict[int, datetime] = {}
    rated: dict[int, tuple[str, int]] = {}
    for e in evs:
        if e.kind not in HANDOVER_KINDS:
            continue
        code, referral = str(e.data.get("programme") or ""), e.data.get("referral")
        if not isinstance(referral, int):
            continue
        did = done.setdefault((code, referral), set())
        if e.kind == events.HANDOVER_REFERRED:
            did.add("referred")
            referred_at[referral] = e.at
        elif e.kind == events.HANDOVER_MESSAGE and e.data.get("direction") == "coach":
            did.add("answered")
            first_answer.setdefault(referral, e.at)
        elif e.kind == events.HANDOVER_TIMED_OUT:
            did.add("timed_out")
        elif e.kind == events.HANDOVER_WITHDRAWN:
            did.add("withdrawn")
        elif e.kind == events.HANDOVER_CLOSED:
            outcome[(code, referral)] = str(e.data.get("outcome") or "")
        elif e.kind == events.HANDOVER_RATED and isinstance(e.data.get("score"), int):
            rated[referral] = (code, int(e.data["score"]))  # the latest rating counts
    for (code, referral), did in done.items():
        out[(False, figure("programme", code, "seen"), 0.0)] += 1
        for what in did:
            out[(False, figure("programme", code, what), 0.0)] += 1
        if (code, referral) in outcome:
            out[(False, figure("closed", code, outcome[(code, referral)]), 0.0)] += 1
        if "referred" in did and referral in first_answer and referral in referred_at:
            wait = (first_answer[referral] - referred_at[referral]).total_seconds()
            _exact(out, figure("wait", code), wait)
    for code, score in rated.values():
        out[(False, figure("rating", code), float(score))] += 1


def cells(scope: str, evs: Sequence[Ev], from_day: int | None = None) -> Counter[Mark]:
    """The marks of one person's events in one scope: every cell of their (first day, last day)
    plane with the figures of its events; only the cells whose last day is ≥ `from_day` when
    given (the others cannot have changed)."""
    out: Counter[Mark] = Counter()
    days = sorted({e.day for e in evs})
    ends = [e.day for e in evs]  # sorted, as the events are
    for j, last_day in enumerate(days):
        if from_day is not None and last_day < from_day:
            continue
        b_hi = days[j + 1] - 1 if j + 1 < len(days) else LAST
        stop = bisect_left(ends, days[j + 1]) if j + 1 < len(days) else len(evs)
        for i in range(j + 1):
            a_lo = days[i - 1] + 1 if i else FIRST
            start = bisect_left(ends, days[i])
            for (exact, name, value), n in person_figures(evs[start:stop]).items():
                out[(scope, exact, name, value, a_lo, days[i], last_day, b_hi)] += n
    return out


def person_marks(evs: Sequence[Ev]) -> Counter[Mark]:
    """Every mark of one person's events (sorted), in every scope."""
    everything = cells(ALL, evs)
    partners = {e.partner for e in evs}
    if len(partners) == 1:  # the usual case: their one programme's marks are the same
        (partner,) = partners
        return everything + Counter({(partner, *m[1:]): n for m, n in everything.items()})
    out: Counter[Mark] = Counter(everything)
    for partner in sorted(partners):
        out.update(cells(partner, [e for e in evs if e.partner == partner]))
    return out


def _ev(at: datetime, kind: str, partner: str | None, rome: str | None, data: Any) -> Ev:
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return Ev(at, day_number(at), kind, partner or "", rome, dict(data or {}))


# ----- upkeep --------------------------------------------------------------------------------

_KEY = ("scope", "figure", "value", "a_lo", "a_hi", "b_lo", "b_hi")
_TABLES: dict[bool, Table] = {
    False: DashboardTally.__table__,  # type: ignore[dict-item]
    True: DashboardValue.__table__,  # type: ignore[dict-item]
}


def _rows(delta: Iterable[tuple[Mark, int]], exact: bool) -> list[dict[str, Any]]:
    return [
        {"scope": m[0], "figure": m[2], "value": m[3], "a_lo": m[4], "a_hi": m[5],
         "b_lo": m[6], "b_hi": m[7], "n": n}
        for m, n in delta
        if m[1] is exact and n
    ]


def _statements(dialect_name: str, exact: bool) -> tuple[Any, Any]:
    """The upsert that adds `n` to a row, and the delete of rows that fell to 0."""
    table = _TABLES[exact]
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    insert = dialect.insert(table)
    upsert = insert.on_conflict_do_update(
        index_elements=list(_KEY), set_={"n": table.c.n + insert.excluded.n}
    )
    emptied = delete(table).where(
        and_(*(table.c[k] == bindparam(f"k_{k}") for k in _KEY)), table.c.n == 0
    )
    return upsert, emptied


def _zero_keys(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{f"k_{k}": r[k] for k in _KEY} for r in rows if r["n"] < 0]


async def _apply(session: AsyncSession, delta: Counter[Mark]) -> None:
    name = session.get_bind().dialect.name
    for exact in (False, True):
        rows = _rows(delta.items(), exact)
        if not rows:
            continue
        upsert, emptied = _statements(name, exact)
        await session.execute(upsert, rows)
        if zeros := _zero_keys(rows):
            await session.execute(emptied, zeros)


def _difference(after: Counter[Mark], before: Counter[Mark]) -> Counter[Mark]:
    delta: Counter[Mark] = Counter(after)
    delta.subtract(before)
    return Counter({m: n for m, n in delta.items() if n})


async def record_event(session: AsyncSession, event: Event) -> None:
    """Add a just-recorded (flushed) event to the tallies, in its transaction."""
    # One writer per person at a time (PostgreSQL): the events read below include those of a
    # concurrent transaction that committed first.
    await session.execute(locked(session, select(User.id).where(User.id == event.user_id)))
    rows = await session.execute(
        select(Event.id, Event.at, Event.kind, Event.partner_code, Event.rome, Event.data)
        .where(Event.user_id == event.user_id)
        .order_by(Event.at, Event.id)
    )
    after: list[Ev] = []
    before: list[Ev] = []
    for row_id, at, kind, partner, rome, data in rows:
        ev = _ev(at, kind, partner, rome, data)
        after.append(ev)
        if row_id != event.id:
            before.append(ev)
    new_day = day_number(event.at)
    delta: Counter[Mark] = Counter()
    for scope in (ALL, event.partner_code or ""):
        old = [e for e in before if scope == ALL or e.partner == scope]
        new = [e for e in after if scope == ALL or e.partner == scope]
        earlier = [e.day for e in old if e.day < new_day]
        from_day = max(earlier) if earlier else None
        delta.update(_difference(cells(scope, new, from_day), cells(scope, old, from_day)))
    await _apply(session, delta)


# ----- from scratch --------------------------------------------------------------------------

_FLUSH_MARKS = 200_000


def _people(rows: Iterable[Any]) -> Iterator[list[Ev]]:
    """Group rows (person, at, kind, partner, rome, data) sorted by person then time."""
    person: Any = None
    evs: list[Ev] = []
    for who, at, kind, partner, rome, data in rows:
        if who != person and evs:
            yield evs
            evs = []
        person = who
        evs.append(_ev(at, kind, partner, rome, data))
    if evs:
        yield evs


def _write(connection: Connection, marks: Counter[Mark]) -> None:
    for exact in (False, True):
        rows = _rows(marks.items(), exact)
        if rows:
            upsert, _ = _statements(connection.dialect.name, exact)
            connection.execute(upsert, rows)
    marks.clear()


def rebuild(connection: Connection) -> int:
    """Recompute the tallies from `events` and `anonymous_events` (both tables emptied first);
    returns how many people were counted. Synchronous, for the migration's backfill; from an
    `AsyncSession`, call it through `run_sync`."""
    for table in _TABLES.values():
        connection.execute(delete(table))
    live = select(Event.user_id, Event.at, Event.kind, Event.partner_code, Event.rome,
                  Event.data).order_by(Event.user_id, Event.at, Event.id)
    gone = select(AnonymousEvent.subject, AnonymousEvent.at, AnonymousEvent.kind,
                  AnonymousEvent.partner_code, AnonymousEvent.rome,
                  AnonymousEvent.data).order_by(AnonymousEvent.subject, AnonymousEvent.at,
                                                AnonymousEvent.id)
    people = 0
    marks: Counter[Mark] = Counter()
    for query in (live, gone):
        result = connection.execute(query.execution_options(yield_per=20_000))
        for evs in _people(result):
            marks.update(person_marks(evs))
            people += 1
            if len(marks) >= _FLUSH_MARKS:
                _write(connection, marks)
        result.close()
    _write(connection, marks)
    return people
