"""Benchmark of the coaches' web console on PostgreSQL (`console/`, `coaching/casework.py`).

Run from the repository root: ``python bench/bench_console.py`` (``--quick`` for a tenth of the
sizes; ``--database-url postgresql://…`` for the server, default TREMPLIN_TEST_POSTGRES_URL or
postgresql://postgres@127.0.0.1:5432/postgres; a fresh database is made and dropped).

Seeds 100,000 users, 5,000 referrals (three programmes, the measured coach's programme holding
60 % of them), 5,000,000 conversation lines, 200,000 saved careers and 20,000 relay messages with
`generate_series`, then times, through the real console application (sign-in cookie, CSRF,
services, templates; in-process ASGI, no network):

- the inbox (first page, counts, unread and overdue marks);
- a search (a word found in the consented conversations, the first names and saved careers);
- a referral page with its transcript (500 lines shown).

The searchable words of each shared conversation (`conversation_words`) are built after seeding by
the code that keeps them up to date as lines arrive. Each page is requested `--runs` times; prints
p50 and p95 (goal: each p95 < 300 ms). Peer: the same search written naively, an ILIKE over every
conversation line joined to the programme's referrals afterwards, timed once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from sqlalchemy import select  # noqa: E402

from accounts import service as accounts  # noqa: E402
from accounts.secrets import shared_secret  # noqa: E402
from coaching.partners import SHIPPED, import_partners  # noqa: E402
from console.app import ConsoleServices, build_console  # noqa: E402
from console.security import SessionSigner  # noqa: E402
from journey.conversation import rebuild_words  # noqa: E402
from migrations.apply import upgrade_async  # noqa: E402
from scoring.catalogue import load_catalogue  # noqa: E402
from storage.engine import Database  # noqa: E402
from storage.models import CoachConsent, Referral  # noqa: E402
from storage.scratch import create_database, drop_database  # noqa: E402
from tremplin.console_process import NoBot  # noqa: E402

PASSWORD = "bench password long enough"
NAMES = ["Camille", "Léa", "Yanis", "Inès", "Lucas", "Zoé", "Mohamed", "Chloé", "Hugo", "Sarah"]
DEPARTEMENTS = ["69", "75", "13", "59", "33", "31", "44", "67", "971", "2A"]
WORDS = [
    "je cherche une formation en logistique",
    "bonjour",
    "quels métiers près de chez moi",
    "combien ça paie",
    "aide-soignant",
    "je voudrais changer de travail",
    "cariste",
    "merci beaucoup",
    "développeur web",
    "est-ce que le CPF finance",
]
ROMES = ["N1103", "J1501", "M1805", "H2913", "K2204", "F1603", "G1602", "D1106", "N4101", "J1301"]


# What people talk about: the catalogue's career titles (each line names one), so that a word of
# a title is found in a realistic share of lines, not in every tenth one.
TITLES = sorted({career.title("fr") for career in load_catalogue().careers.values()})[:400]
SEARCHES = ["Camille", *(max(TITLES[k].split(), key=len) for k in (3, 57, 211))]


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _columns(conn: asyncpg.Connection, table: str) -> list[tuple[str, str, bool]]:
    rows = await conn.fetch(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_name = $1 ORDER BY ordinal_position",
        table,
    )
    return [(r["column_name"], r["data_type"], r["is_nullable"] == "YES") for r in rows]


_FILLER = {
    "boolean": "false",
    "integer": "0",
    "bigint": "0",
    "smallint": "0",
    "json": "'[]'::json",
    "jsonb": "'[]'::jsonb",
    "timestamp with time zone": "now()",
    "timestamp without time zone": "now()",
}


async def _insert(
    conn: asyncpg.Connection, table: str, source: str, values: dict[str, str]
) -> None:
    """INSERT … SELECT from `source` (a FROM clause over generate_series `g`), with the given
    expressions, and a neutral value for any other NOT NULL column (so the bench survives new
    columns)."""
    names: list[str] = []
    exprs: list[str] = []
    for name, kind, nullable in await _columns(conn, table):
        if name in values:
            names.append(name)
            exprs.append(values[name])
        elif not nullable and name != "id":
            names.append(name)
            exprs.append(_FILLER.get(kind, "''"))
    await conn.execute(
        f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(exprs)} FROM {source}"
    )


def _array(items: list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + i.replace("'", "''") + "'" for i in items) + "]"


async def seed(url: str, users: int, referrals: int, lines: int) -> None:
    """Fill the database with generate_series (minutes for the full size, not hours)."""
    conn = await asyncpg.connect(_dsn(url))
    try:
        step = max(1, users // referrals)
        names, deps = _array(NAMES), _array(DEPARTEMENTS)
        t0 = time.perf_counter()
        await _insert(
            conn,
            "users",
            f"generate_series(1, {users}) AS g(i)",
            {
                "id": "g.i",
                "chat_id": "g.i",
                "first_name": f"({names})[1 + g.i % 10] || CASE WHEN g.i % 7 = 0 THEN '-Marie' "
                "ELSE '' END",
                "language": "'fr'",
                "departement": f"({deps})[1 + (g.i / 7) % 10]",
                "priorities": "'[]'::json",
                "onboarded": "true",
                "created_at": "now() - (g.i % 400) * interval '1 hour'",
                "updated_at": "now()",
            },
        )
        romes = _array(ROMES)
        await _insert(
            conn,
            "saved_careers",
            f"generate_series(1, {users * 2}) AS g(i)",
            {
                "user_id": f"1 + (g.i - 1) % {users}",
                "rome": f"({romes})[1 + ((g.i - 1) / {users} + g.i) % 10]",
                "saved_at": "now() - (g.i % 300) * interval '1 hour'",
                "interest": "g.i % 3",
                "readiness": "(g.i / 3) % 3",
            },
        )
        programme = (
            "CASE WHEN g.i % 5 < 3 THEN 'cap_jeunes' WHEN g.i % 5 = 3 THEN 'metiers_4mois' "
            "ELSE 'transitions_ara' END"
        )
        items = (
            '\'["first_name", "departement", "situation", "saved_careers", "survey", '
            '"conversation"]\'::json'
        )
        await _insert(
            conn,
            "coach_consents",
            f"generate_series(1, {referrals}) AS g(i)",
            {
                "id": "g.i",
                "user_id": f"g.i * {step}",
                "partner_code": programme,
                "items": items,
                "share_conversation": "g.i % 4 <> 0",
                "given_at": "now() - (g.i % 90) * interval '1 day'",
                "withdrawn_at": "CASE WHEN g.i % 50 = 0 THEN now() ELSE NULL END",
            },
        )
        state = (
            "CASE WHEN g.i % 4 = 0 THEN 'requested' WHEN g.i % 4 = 1 THEN 'accepted' "
            "WHEN g.i % 4 = 2 THEN 'in_progress' ELSE 'closed' END"
        )
        await _insert(
            conn,
            "referrals",
            f"generate_series(1, {referrals}) AS g(i)",
            {
                "id": "g.i",
                "user_id": f"g.i * {step}",
                "partner_code": programme,
                "consent_id": "g.i",
                "state": state,
                "outcome": "CASE WHEN g.i % 4 = 3 THEN 'found_job' ELSE NULL END",
                "relay_on": "g.i % 4 <> 3",
                "created_at": "now() - (g.i % 90) * interval '1 day'",
                "promised_by": "now() - (g.i % 90) * interval '1 day' + interval '2 days'",
                "last_user_message_at": "now() - (g.i % 90) * interval '1 day' "
                "+ interval '3 hours'",
                "last_coach_message_at": "CASE WHEN g.i % 3 = 0 THEN NULL ELSE now() "
                "- (g.i % 90) * interval '1 day' + interval '4 hours' END",
                "coach_seen_at": "CASE WHEN g.i % 2 = 0 THEN now() ELSE NULL END",
            },
        )
        await conn.execute(
            "SELECT setval(pg_get_serial_sequence('referrals', 'id'), "
            "(SELECT max(id) FROM referrals))"
        )
        await conn.execute(
            "SELECT setval(pg_get_serial_sequence('coach_consents', 'id'), "
            "(SELECT max(id) FROM coach_consents))"
        )
        await _insert(
            conn,
            "referral_messages",
            f"generate_series(1, {referrals * 4}) AS g(i)",
            {
                "referral_id": f"1 + (g.i - 1) % {referrals}",
                "at": "now() - (g.i % 2000) * interval '1 hour'",
                "sender": "CASE WHEN g.i % 2 = 0 THEN 'user' ELSE 'coach' END",
                "author": "CASE WHEN g.i % 2 = 0 THEN NULL ELSE 'Julie Martin' END",
                "text": f"({_array(WORDS)})[1 + g.i % 10]",
                "delivered": "true",
            },
        )
        seeded = time.perf_counter() - t0
        print(f"  seeded users, careers, consents, referrals in {seeded:.1f} s", flush=True)
        t0 = time.perf_counter()
        # Building the search index once at the end is much faster than growing it row by row.
        trigram = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%_trgm'"
        )
        for row in trigram:
            await conn.execute(f"DROP INDEX {row['indexname']}")
        # Lines in batches so one statement never holds the whole table in memory.
        batch = 1_000_000
        for start in range(1, lines + 1, batch):
            end = min(lines, start + batch - 1)
            await _insert(
                conn,
                "conversation_log",
                f"generate_series({start}, {end}) AS g(i)",
                {
                    "user_id": f"1 + (g.i - 1) % {users}",
                    "at": "now() - ((g.i * 37) % 10000000) * interval '1 second'",
                    "direction": "CASE WHEN g.i % 2 = 0 THEN 'in' ELSE 'out' END",
                    "kind": "CASE WHEN g.i % 2 = 1 THEN 'text' WHEN g.i % 6 = 0 THEN 'button' "
                    "WHEN g.i % 6 = 2 THEN 'command' ELSE 'text' END",
                    "text": f"({_array(WORDS)})[1 + (g.i / 2) % 10] || ' ' || "
                    f"({_array(TITLES)})[1 + (g.i * 7 + g.i / 997) % {len(TITLES)}]",
                },
            )
        print(f"  seeded {lines:,} conversation lines in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        shared = await build_words(url)
        print(f"  built the searchable words of {shared:,} shared conversations in "
              f"{time.perf_counter() - t0:.1f} s", flush=True)
        t0 = time.perf_counter()
        for row in trigram:
            await conn.execute(row["indexdef"])
        print(f"  built {len(trigram)} search indexes in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        await conn.execute("ANALYZE")
        print(f"  analysed in {time.perf_counter() - t0:.1f} s", flush=True)
    finally:
        await conn.close()


async def build_words(url: str) -> int:
    """The searchable words of every conversation a programme may read, built by the code that
    keeps them up to date (`journey.conversation.rebuild_words`), as referrals made through the
    bot would have them."""
    db = Database(url)
    try:
        async with db.transaction() as session:
            people = list(
                await session.scalars(
                    select(Referral.user_id)
                    .join(CoachConsent, CoachConsent.id == Referral.consent_id)
                    .where(
                        CoachConsent.share_conversation.is_(True),
                        CoachConsent.withdrawn_at.is_(None),
                    )
                    .distinct()
                )
            )
            await rebuild_words(session, people)
        return len(people)
    finally:
        await db.dispose()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(url: str, runs: int) -> dict[str, tuple[float, float]]:
    """p50 and p95 (ms) of the inbox, a search and a transcript page, through the console."""
    db = Database(url)
    try:
        async with db.transaction() as session:
            known = {a.email for a in await accounts.list_accounts(session)}
            if "bench@coach.example" not in known:
                await accounts.create_account(
                    session, "bench@coach.example", "coach", PASSWORD, programme_code="cap_jeunes"
                )
            secret = await shared_secret(session)
        services = ConsoleServices(
            db=db, messenger=NoBot(), signer=SessionSigner(secret), catalogue=load_catalogue()
        )
        app = build_console(services)
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://console") as client:
            login = await client.get("/login")
            csrf = login.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            signed = await client.post(
                "/login",
                data={"csrf": csrf, "email": "bench@coach.example", "password": PASSWORD},
            )
            assert signed.status_code == 303, signed.text[:500]
            async with db.transaction() as session:
                from sqlalchemy import text

                ids = [
                    row[0]
                    for row in await session.execute(
                        text(
                            "SELECT r.id FROM referrals r JOIN coach_consents c "
                            "ON c.id = r.consent_id WHERE r.partner_code = 'cap_jeunes' "
                            "AND c.withdrawn_at IS NULL AND c.share_conversation "
                            "ORDER BY r.id LIMIT :n"
                        ),
                        {"n": runs},
                    )
                ]
            pages = {
                "inbox": lambda n: "/",
                "search": lambda n: "/?" + urlencode({"q": SEARCHES[n % len(SEARCHES)]}),
                "transcript": lambda n: f"/referrals/{ids[n % len(ids)]}",
            }
            results: dict[str, tuple[float, float]] = {}
            for name, path in pages.items():
                await client.get(path(0))  # warm the pool and the caches once
                timings: list[float] = []
                for n in range(runs):
                    t0 = time.perf_counter()
                    response = await client.get(path(n))
                    timings.append((time.perf_counter() - t0) * 1000)
                    assert response.status_code == 200, (name, response.status_code)
                results[name] = (statistics.median(timings), _percentile(timings, 0.95))
            return results
    finally:
        await db.dispose()


async def naive_search(url: str) -> float:
    """The peer: a search that scans every conversation line before scoping to the programme."""
    conn = await asyncpg.connect(_dsn(url))
    try:
        t0 = time.perf_counter()
        await conn.fetch(
            "SELECT DISTINCT r.id FROM conversation_log l JOIN referrals r ON r.user_id = "
            "l.user_id WHERE l.text ILIKE '%logistique%' AND r.partner_code = 'cap_jeunes'"
        )
        return (time.perf_counter() - t0) * 1000
    finally:
        await conn.close()


async def main_async(args: argparse.Namespace) -> int:
    if args.reuse:
        # Measure again on a database kept by an earlier --keep run (no seeding).
        await upgrade_async(args.reuse)
        return _report(await measure(args.reuse, args.runs), await naive_search(args.reuse))
    url = await create_database(args.database_url, "tremplin_bench")
    try:
        await upgrade_async(url)
        db = Database(url)
        async with db.transaction() as session:
            await import_partners(session, SHIPPED)
        await db.dispose()
        print(
            f"seeding {args.users:,} users, {args.referrals:,} referrals, "
            f"{args.lines:,} conversation lines on PostgreSQL…",
            flush=True,
        )
        await seed(url, args.users, args.referrals, args.lines)
        results = await measure(url, args.runs)
        peer = await naive_search(url)
    finally:
        if args.keep:
            print(f"kept: {url}")
        else:
            await drop_database(args.database_url, url)
    return _report(results, peer)


def _report(results: dict[str, tuple[float, float]], peer: float) -> int:
    failed = False
    for page, (p50, p95) in results.items():
        ok = p95 < 300
        failed |= not ok
        print(f"{page:<11} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   {'ok' if ok else 'OVER 300 ms'}")
    print(f"searched for: {', '.join(SEARCHES)}")
    print(f"peer: naive search over every line, once: {peer:.1f} ms")
    return 1 if failed else 0


def main() -> int:
    """Parse the sizes and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "TREMPLIN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--users", type=int)
    parser.add_argument("--referrals", type=int)
    parser.add_argument("--lines", type=int)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="keep the database (to explain)")
    parser.add_argument("--reuse", metavar="URL", help="measure a kept database again")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    args.users = args.users or 100_000 // scale
    args.referrals = args.referrals or 5_000 // scale
    args.lines = args.lines or 5_000_000 // scale
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
