"""The hand-over flows on a real database: questions, programmes, consent, referral, relay,
no answer in time, withdrawal, erasure, satisfaction and export."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from coaching import handover_flows as flows
from coaching import handover_privacy, relay, satisfaction
from coaching.partners import SHIPPED, import_partners
from journey import inbox, privacy
from journey.conversation import LoggingMessenger
from kernel import events
from kernel.turn import Environment, Turn
from messages import Outcome, Reply
from messages.messenger import Unreachable
from scoring.catalogue import load_catalogue
from storage.engine import Database
from storage.models import (
    CoachConsent,
    ConversationEntry,
    Event,
    Nudge,
    Referral,
    ReferralMessage,
    ReferralNote,
    SavedCareer,
    User,
    WebhookDelivery,
)
from tests.fakes import FakeMessenger
from tests.support import make_turn, make_user
from tremplin.app import build_reactions

CATALOGUE = load_catalogue()
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
USER = 1001

Flow = Callable[[Turn], Awaitable[Outcome]]


# The hand-over plugged into the journey, as the composition root does.
REACTIONS = build_reactions()


@pytest.fixture
async def db_with_partners(db: Database, tmp_path: Path) -> Database:
    """The shipped example programmes, with a webhook on Cap Jeunes and the digital course."""
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    for entry in data["programmes"]:
        if entry["code"] in ("cap_jeunes", "metiers_4mois"):
            entry["webhook"] = {"url": "https://partner.example/hook", "secret": "s"}
    path = tmp_path / "partners.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    async with db.transaction() as session:
        await import_partners(session, path)
    return db


@pytest.fixture
async def user_db(db_with_partners: Database) -> Database:
    """A user from the Rhône (région 84) who came through Cap Jeunes, with two saved careers."""
    async with db_with_partners.transaction() as session:
        await make_user(session, USER, first_name="Zoé", partner_code="cap_jeunes")
        session.add(SavedCareer(user_id=USER, rome="G1602", interest=2, readiness=1))
        session.add(SavedCareer(user_id=USER, rome="M1805"))
    return db_with_partners


async def act(
    db: Database, flow: Flow, *, now: datetime = T0, user_id: int = USER
) -> tuple[Outcome, Turn]:
    """Run a flow in its own transaction, as the bot does for one update."""
    async with db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        turn = make_turn(
            session, user, Environment(catalogue=CATALOGUE, reactions=REACTIONS), now=now
        )
        return await flow(turn), turn


def keys(outcome: Outcome) -> list[str]:
    return [reply.key for reply in outcome.replies]


def action_of(reply: Reply, label: str) -> tuple[str, tuple[str, ...]]:
    for row in reply.buttons:
        for button in row:
            if label.lower() in button.text.lower() and button.action is not None:
                return button.action.name, button.action.args
    raise LookupError(label)


async def rows(db: Database, model: Any, **where: Any) -> list[Any]:
    async with db.transaction() as session:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return list(await session.scalars(query.order_by(model.id)))


async def refer(db: Database, *, rome: str | None = None, conversation: bool = False) -> Referral:
    """Answer the questions (jobseeker, 18-25) and say yes to Cap Jeunes."""
    await act(db, lambda t: flows.answer_situation(t, ("jobseeker",)))
    await act(db, lambda t: flows.answer_age(t, ("18_25",)))
    args = ("cap_jeunes", "1" if conversation else "0", *((rome,) if rome else ()))
    outcome, _ = await act(db, lambda t: flows.consent_yes(t, args))
    assert keys(outcome) == ["coach.consent", "coach.referred"]
    (referral,) = await rows(db, Referral, user_id=USER)
    return referral


async def test_only_needed_questions_then_fitting_programmes(user_db: Database) -> None:
    outcome, _ = await act(user_db, lambda t: flows.start(t, None))
    assert keys(outcome) == ["coach.ask_situation"]
    name, args = action_of(outcome.replies[0], "cherche un emploi")
    assert (name, args) == ("cs", ("jobseeker",))
    outcome, _ = await act(user_db, lambda t: flows.answer_situation(t, args))
    assert keys(outcome) == ["coach.ask_age"] and outcome.replies[0].edit
    outcome, _ = await act(user_db, lambda t: flows.answer_age(t, ("18_25",)))
    (listing,) = outcome.replies
    assert listing.key == "coach.programmes"
    # A young jobseeker with a digital career saved: the partner they came through first, then
    # the course made for their career. The regional fund for employees is not offered.
    assert "Transitions Pro" not in listing.text
    names = [b.text for row in listing.buttons for b in row]
    assert names[:2] == [
        "👉 Cap Jeunes 18-30",
        "👉 Métiers du numérique en 4 mois",
    ]
    assert "(le programme d'où vous venez)" in listing.text

    # Asked again: the answers are remembered, no question.
    outcome, _ = await act(user_db, lambda t: flows.start(t, None))
    assert keys(outcome) == ["coach.programmes"]
    requested = await rows(user_db, Event, kind=events.COACH_REQUESTED)
    assert len(requested) == 2 and requested[0].partner_code == "cap_jeunes"

    # "My situation changed" asks again.
    outcome, _ = await act(user_db, lambda t: flows.change_answers(t, ()))
    assert keys(outcome) == ["coach.ask_situation"]


async def test_no_programme_fits_points_to_the_free_national_service(
    db_with_partners: Database,
) -> None:
    async with db_with_partners.transaction() as session:
        await make_user(session, USER, departement="59")  # Nord: outside the regional fund
    await act(db_with_partners, lambda t: flows.answer_situation(t, ("employed",)))
    outcome, _ = await act(db_with_partners, lambda t: flows.answer_age(t, ("31_44",)))
    (reply,) = outcome.replies
    assert reply.key == "coach.no_match" and "Conseil en évolution professionnelle" in reply.text
    assert reply.buttons[0][0].url == flows.CEP_URL
    assert await rows(db_with_partners, Event, kind=events.HANDOVER_NO_MATCH)


async def test_unfinished_profile_is_finished_first(db_with_partners: Database) -> None:
    async with db_with_partners.transaction() as session:
        await make_user(session, USER, departement=None, onboarded=False)
    outcome, _ = await act(db_with_partners, lambda t: flows.start(t, None))
    assert keys(outcome) == ["onboarding.finish_first", "onboarding.ask_departement"]


async def test_consent_lists_exactly_what_is_shared_and_nothing_leaves_before_yes(
    user_db: Database,
) -> None:
    await act(user_db, lambda t: flows.answer_situation(t, ("jobseeker",)))
    await act(user_db, lambda t: flows.answer_age(t, ("18_25",)))
    outcome, _ = await act(user_db, lambda t: flows.pick(t, ("cap_jeunes", "G1602")))
    (question,) = outcome.replies
    assert question.key == "coach.consent"
    for shown in (
        "Cap Jeunes",
        "Zoé",
        "Rhône (69)",
        "Je cherche un emploi",
        "18 à 25 ans",
        "le métier qui vous intéresse : Cuisinier / Cuisinière",
        "Cuisinier / Cuisinière (intérêt : beaucoup, envie de vous former : peut-être)",
        "Développeur / Développeuse informatique",
        "notre conversation",
    ):
        assert shown in question.text, shown
    assert await rows(user_db, WebhookDelivery) == []
    assert await rows(user_db, CoachConsent) == []

    outcome, _ = await act(user_db, lambda t: flows.consent_no(t, ("cap_jeunes",)))
    assert keys(outcome) == ["coach.declined"]
    assert await rows(user_db, WebhookDelivery) == [] and await rows(user_db, Referral) == []

    _, args = action_of(question, "sans la conversation")
    outcome, _ = await act(user_db, lambda t: flows.consent_yes(t, args))
    assert keys(outcome) == ["coach.consent", "coach.referred"] and outcome.replies[0].edit
    assert "Cap Jeunes" in outcome.replies[1].text and "sous 1 jour" in outcome.replies[1].text
    (consent,) = await rows(user_db, CoachConsent)
    assert consent.given_at == T0 and not consent.share_conversation
    (delivery,) = await rows(user_db, WebhookDelivery)
    body = json.loads(delivery.body)
    assert body["event"] == "referral.created"
    shared = body["data"]["user"]
    assert set(shared) == {
        "language",
        "first_name",
        "departement",
        "situation",
        "age_band",
        "career",
        "saved_careers",
        "survey",
    }
    assert shared["survey"] == [{"rome": "G1602", "interest": "a_lot", "ready_to_train": "maybe"}]
    assert str(USER) not in delivery.body  # the Telegram id never leaves
    (referral,) = await rows(user_db, Referral)
    assert referral.state == "requested" and referral.promised_by == T0 + timedelta(days=1)

    # A second tap on yes does not make a second referral.
    outcome, _ = await act(user_db, lambda t: flows.consent_yes(t, args))
    assert outcome.notice and len(await rows(user_db, Referral)) == 1


async def test_conversation_is_shared_only_when_agreed(user_db: Database) -> None:
    async with user_db.transaction() as session:
        session.add(ConversationEntry(user_id=USER, direction="in", kind="text", text="cuisinier"))
    await refer(user_db, conversation=True)
    (delivery,) = await rows(user_db, WebhookDelivery)
    said = json.loads(delivery.body)["data"]["user"]["conversation"]
    assert {"from": "user", "text": "cuisinier"}.items() <= said[0].items()


async def test_hand_over_stops_pending_nudges(user_db: Database) -> None:
    async with user_db.transaction() as session:
        session.add(
            Nudge(user_id=USER, sequence=1, kind="step", step=2, due_at=T0 + timedelta(days=2))
        )
    await refer(user_db)
    (nudge,) = await rows(user_db, Nudge)
    assert nudge.state == "cancelled" and nudge.note == "handover"


async def test_relay_takes_free_text_until_endcoach(user_db: Database) -> None:
    referral = await refer(user_db)
    outcome, _ = await act(
        user_db, lambda t: inbox.handle_text(t, "Bonjour, je cherche en cuisine")
    )
    assert keys(outcome) == ["coach.relayed"]
    (message,) = await rows(user_db, ReferralMessage)
    assert message.sender == "user" and message.referral_id == referral.id
    assert [d.event for d in await rows(user_db, WebhookDelivery)] == [
        "referral.created",
        "message.created",
    ]

    outcome, _ = await act(user_db, relay.end_relay)
    assert keys(outcome) == ["coach.relay_ended"]
    outcome, _ = await act(user_db, lambda t: inbox.handle_text(t, "cuisinier"))
    assert "coach.relayed" not in keys(outcome)
    assert len(await rows(user_db, ReferralMessage)) == 1
    outcome, _ = await act(user_db, relay.end_relay)
    assert keys(outcome) == ["coach.no_relay"]


async def test_coach_reply_is_labelled_logged_and_offers_to_answer(user_db: Database) -> None:
    referral = await refer(user_db)
    await act(user_db, relay.end_relay)
    fake = FakeMessenger()
    messenger = LoggingMessenger(fake, user_db.sessions)
    result = await relay.coach_reply(user_db, messenger, referral.id, "Julie Martin", "Bonjour <3")
    assert result.delivered
    ((chat_id, reply),) = fake.pairs
    assert chat_id == USER
    assert reply.text == "💬 <b>Julie</b> · Cap Jeunes 18-30\nBonjour &lt;3"
    _, args = action_of(reply, "Répondre à Julie")
    logged = await rows(user_db, ConversationEntry, kind="coach")
    assert len(logged) == 1 and "Julie" in logged[0].text
    (updated,) = await rows(user_db, Referral)
    assert updated.state == "in_progress" and updated.coach_name == "Julie Martin"

    outcome, _ = await act(user_db, lambda t: relay.resume_relay(t, args[0]))
    assert keys(outcome) == ["coach.relay_resumed"] and "Julie" in outcome.replies[0].text
    outcome, _ = await act(user_db, lambda t: inbox.handle_text(t, "Merci !"))
    assert "Julie" in outcome.replies[0].text

    fake.error = Unreachable("blocked")
    blocked = await relay.coach_reply(user_db, messenger, referral.id, "Julie", "Encore là ?")
    assert not blocked.delivered and blocked.reason == "unreachable"
    (user,) = await rows(user_db, User)
    assert user.unreachable


async def test_no_answer_in_time_then_wait_or_switch(user_db: Database) -> None:
    referral = await refer(user_db, rome="M1805")
    messenger = FakeMessenger()
    assert await relay.check_timeouts(user_db, messenger, T0 + timedelta(hours=23)) == 0
    assert await relay.check_timeouts(user_db, messenger, T0 + timedelta(days=1)) == 1
    assert await relay.check_timeouts(user_db, messenger, T0 + timedelta(days=2)) == 0  # once
    ((_, update),) = messenger.pairs
    assert update.key == "coach.timeout" and "sous 1 jour" in update.text

    _, wait_args = action_of(update, "J'attends")
    later = T0 + timedelta(days=1, hours=1)
    outcome, _ = await act(user_db, lambda t: flows.keep_waiting(t, wait_args), now=later)
    assert keys(outcome) == ["coach.waiting"]
    assert await relay.check_timeouts(user_db, messenger, later + timedelta(hours=23)) == 0
    assert await relay.check_timeouts(user_db, messenger, later + timedelta(days=1)) == 1

    _, switch_args = action_of(update, "autre programme")
    outcome, _ = await act(user_db, lambda t: flows.switch(t, switch_args), now=later)
    assert keys(outcome) == ["coach.switched", "coach.programmes"]
    assert "Cap Jeunes" not in outcome.replies[1].text
    assert "Métiers du numérique" in outcome.replies[1].text
    (closed,) = await rows(user_db, Referral)
    assert closed.id == referral.id and closed.state == "closed" and closed.outcome == "no_answer"
    assert (await rows(user_db, WebhookDelivery))[-1].event == "referral.closed"


async def test_a_coach_reply_in_time_means_no_timeout(user_db: Database) -> None:
    referral = await refer(user_db)
    await relay.coach_reply(user_db, FakeMessenger(), referral.id, "Julie", "Bonjour !")
    assert await relay.check_timeouts(user_db, FakeMessenger(), T0 + timedelta(days=3)) == 0


async def test_withdrawal_stops_sharing_and_tells_the_programme(user_db: Database) -> None:
    await refer(user_db)
    outcome, _ = await act(user_db, privacy.show)
    assert keys(outcome) == ["privacy.summary", "coach.privacy_consents"]
    _, args = action_of(outcome.replies[1], "Retirer mon accord")
    # A message written just before, still waiting to be sent, must not leave any more.
    await act(user_db, lambda t: inbox.handle_text(t, "mon numéro : 06 00 00 00 00"))

    outcome, _ = await act(user_db, lambda t: handover_privacy.withdraw(t, args))
    assert keys(outcome) == ["coach.withdrawn"]
    states = {d.event: d.state for d in await rows(user_db, WebhookDelivery)}
    assert states == {
        "referral.created": "cancelled",
        "message.created": "cancelled",
        "consent.withdrawn": "pending",
    }
    (consent,) = await rows(user_db, CoachConsent)
    assert consent.withdrawn_at == T0
    (referral,) = await rows(user_db, Referral)
    assert referral.state == "closed" and referral.closed_reason == "consent_withdrawn"
    outcome, _ = await act(user_db, lambda t: inbox.handle_text(t, "Toujours là ?"))
    assert "coach.relayed" not in keys(outcome)
    outcome, _ = await act(user_db, privacy.show)
    assert "aucun programme ne reçoit" in outcome.replies[1].text
    assert outcome.replies[1].buttons == ()
    outcome, _ = await act(user_db, lambda t: handover_privacy.withdraw(t, args))
    assert outcome.notice and not outcome.replies  # already withdrawn


async def test_delete_erases_our_copies_and_asks_the_programme_to_erase(user_db: Database) -> None:
    referral = await refer(user_db)
    await act(user_db, lambda t: inbox.handle_text(t, "Bonjour"))
    await act(user_db, privacy.confirm_delete)
    (notice,) = await rows(user_db, WebhookDelivery)
    assert notice.event == "user.deleted" and notice.user_id is None
    assert json.loads(notice.body)["data"]["referral"] == {"id": referral.id}
    assert "Zoé" not in notice.body
    for model in (Referral, CoachConsent, User):
        assert await rows(user_db, model) == []


async def test_satisfaction_score_and_comment(user_db: Database) -> None:
    referral = await refer(user_db)
    messenger = FakeMessenger()
    assert await satisfaction.close_and_ask(
        user_db, messenger, referral.id, "started_training", now=T0 + timedelta(days=20)
    )
    ((_, question),) = messenger.pairs
    assert question.key == "coach.satisfaction_question"
    assert [b.text for b in question.buttons[0]] == ["1", "2", "3", "4", "5"]
    _, args = action_of(question, "4")
    outcome, _ = await act(user_db, lambda t: satisfaction.rate(t, *args))
    assert keys(outcome) == ["coach.satisfaction_ask_comment"] and "4/5" in outcome.replies[0].text
    outcome, _ = await act(user_db, lambda t: inbox.handle_text(t, "Très à l'écoute, merci"))
    assert keys(outcome) == ["coach.satisfaction_thanks"]
    (rated,) = await rows(user_db, Referral)
    assert rated.outcome == "started_training" and rated.satisfaction_score == 4
    assert rated.satisfaction_comment == "Très à l'écoute, merci"
    sent = [json.loads(d.body) for d in await rows(user_db, WebhookDelivery)]
    answered = [b["data"] for b in sent if b["event"] == "satisfaction.answered"]
    assert answered[-1]["score"] == 4 and answered[-1]["comment"] == "Très à l'écoute, merci"
    assert len(await rows(user_db, Event, kind=events.HANDOVER_RATED)) == 2
    # The step is over: the next text is a search again, not a comment.
    outcome, _ = await act(user_db, lambda t: inbox.handle_text(t, "cuisinier"))
    assert "coach.satisfaction_thanks" not in keys(outcome)
    # Forged or out-of-range scores are refused.
    outcome, _ = await act(user_db, lambda t: satisfaction.rate(t, str(referral.id), "9"))
    assert outcome.notice and not outcome.replies


async def test_text_long_after_the_score_is_not_taken_as_a_comment(user_db: Database) -> None:
    referral = await refer(user_db)
    await satisfaction.close_and_ask(user_db, FakeMessenger(), referral.id, "other")
    await act(user_db, lambda t: satisfaction.rate(t, str(referral.id), "3"))
    later = T0 + timedelta(hours=2)
    outcome, _ = await act(user_db, lambda t: inbox.handle_text(t, "cuisinier"), now=later)
    assert "coach.satisfaction_thanks" not in keys(outcome)
    (rated,) = await rows(user_db, Referral)
    assert rated.satisfaction_score == 3 and rated.satisfaction_comment is None
    assert (await rows(user_db, User))[0].step is None


async def test_export_includes_the_hand_over(user_db: Database) -> None:
    await refer(user_db)
    await act(user_db, lambda t: inbox.handle_text(t, "Bonjour"))
    async with user_db.transaction() as session:
        user = await session.get(User, USER)
        assert user is not None
        data = await privacy.export_data(session, user, REACTIONS)
    coaching = data["coaching"]
    assert coaching["answers"].items() >= {"situation": "jobseeker", "age_band": "18_25"}.items()
    assert coaching["consents"][0]["programme"] == "cap_jeunes"
    assert coaching["referrals"][0]["messages"][0]["text"] == "Bonjour"


async def say(db: Database, text: str, *, now: datetime = T0) -> Outcome:
    """Plain text as the runtime handles it: logged as it came in, then routed."""
    async with db.transaction() as session:
        session.add(ConversationEntry(user_id=USER, direction="in", kind="text", text=text, at=now))
    outcome, _ = await act(db, lambda t: inbox.handle_text(t, text), now=now)
    async with db.transaction() as session:
        for reply in outcome.replies:
            session.add(
                ConversationEntry(
                    user_id=USER,
                    direction="out",
                    kind="text",
                    text=reply.text,
                    template_key=reply.key,
                    at=now,
                )
            )
    return outcome


async def test_a_new_programme_never_receives_the_exchange_with_another_programmes_coach(
    user_db: Database,
) -> None:
    """Finding 1: after a switch, "our conversation" is the user's conversation with the bot."""
    await say(user_db, "cuisinier")
    referral = await refer(user_db, rome="M1805", conversation=True)
    await say(user_db, "Mon numéro perso : 06 12 34 56 78")
    messenger = LoggingMessenger(FakeMessenger(), user_db.sessions)
    await relay.coach_reply(user_db, messenger, referral.id, "Julie", "Conseil privé de Julie")
    later = T0 + timedelta(days=2)
    switched, _ = await act(user_db, lambda t: flows.switch(t, (str(referral.id),)), now=later)
    assert keys(switched)[0] == "coach.switched"
    args = ("metiers_4mois", "1", "M1805")
    outcome, _ = await act(user_db, lambda t: flows.consent_yes(t, args), now=later)
    assert keys(outcome) == ["coach.consent", "coach.referred"]
    (delivery,) = [
        d
        for d in await rows(user_db, WebhookDelivery)
        if d.partner_code == "metiers_4mois" and d.event == "referral.created"
    ]
    shared = json.loads(delivery.body)["data"]["user"]["conversation"]
    said = json.dumps(shared, ensure_ascii=False)
    assert {"from": "user", "text": "cuisinier"}.items() <= shared[0].items()
    assert "06 12 34 56 78" not in said and "Conseil privé" not in said and "Julie" not in said
    assert all(line["from"] in ("user", "bot") for line in shared)


async def test_the_user_is_told_the_rating_is_shared_and_only_the_reply_is_a_comment(
    user_db: Database,
) -> None:
    """Finding 5: the question says the answer goes to the programme, and a career search
    typed after doing something else is not sent to the programme as a comment."""
    referral = await refer(user_db)
    messenger = FakeMessenger()
    await satisfaction.close_and_ask(user_db, messenger, referral.id, "other")
    ((_, question),) = messenger.pairs
    assert "transmise à Cap Jeunes" in question.text
    asked, _ = await act(user_db, lambda t: satisfaction.rate(t, str(referral.id), "3"))
    assert "transmis" in asked.replies[0].text and "Cap Jeunes" in asked.replies[0].text
    # The user moves on: a command, then a career search, well within the hour.
    async with user_db.transaction() as session:
        session.add(ConversationEntry(user_id=USER, direction="in", kind="command", text="/saved"))
    later = T0 + timedelta(minutes=5)
    outcome = await say(user_db, "plombier à Lyon", now=later)
    assert "coach.satisfaction_thanks" not in keys(outcome)
    (rated,) = await rows(user_db, Referral)
    assert rated.satisfaction_score == 3 and rated.satisfaction_comment is None
    sent = [json.loads(d.body)["data"] for d in await rows(user_db, WebhookDelivery)]
    assert "plombier" not in json.dumps(sent, ensure_ascii=False)

    # Rated again and answered at once: that reply is the comment, kept out of "our conversation".
    await act(user_db, lambda t: satisfaction.rate(t, str(referral.id), "4"), now=later)
    outcome = await say(user_db, "Très bien", now=later)
    assert keys(outcome) == ["coach.satisfaction_thanks"]
    (rated,) = await rows(user_db, Referral)
    assert rated.satisfaction_comment == "Très bien"
    (logged,) = await rows(user_db, ConversationEntry, text="Très bien")
    assert logged.kind == "comment"


# Columns that only link rows together or schedule the machinery; everything else kept about a
# person must be in their export.
_LINKS = {"id", "user_id", "chat_id", "referral_id", "consent_id", "delivery_id", "message_id"}
_MACHINERY = {"claimed_at", "claimed_by", "share_conversation"}


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, datetime):
        yield value.isoformat()
    elif isinstance(value, bool) or value is None or value == "":
        return
    else:
        yield str(value)


async def test_export_holds_every_value_every_table_keeps_about_the_user(
    user_db: Database,
) -> None:
    """Finding 4: the coach's note, why and when a referral closed, what went to which programme
    and when — compared with every row of every table that holds the user's id."""
    from storage.models import Base

    await say(user_db, "cuisinier")
    referral = await refer(user_db, rome="M1805", conversation=True)
    await say(user_db, "Bonjour Julie")
    messenger = LoggingMessenger(FakeMessenger(), user_db.sessions)
    await relay.coach_reply(user_db, messenger, referral.id, "Julie Martin", "Bonjour Zoé")
    async with user_db.transaction() as session:
        session.add(
            Nudge(user_id=USER, sequence=1, kind="step", step=2, due_at=T0 + timedelta(days=2))
        )
    await satisfaction.close_and_ask(
        user_db,
        FakeMessenger(),
        referral.id,
        "started_training",
        note="Motivée, a besoin d'un CV",
        now=T0 + timedelta(days=9),
    )
    async with user_db.transaction() as session:
        session.add(ReferralNote(referral_id=referral.id, author="Julie", text="Appeler lundi"))
    rated_at = T0 + timedelta(days=10)
    await act(user_db, lambda t: satisfaction.rate(t, str(referral.id), "5"), now=rated_at)
    await say(user_db, "Super accompagnement", now=rated_at)

    async with user_db.transaction() as session:
        user = await session.get(User, USER)
        assert user is not None
        export = await privacy.export_data(session, user, REACTIONS)
        exported = json.dumps(export, ensure_ascii=False, default=str)
        values = set(_leaves(export))
        referral_ids = list(await session.scalars(select(Referral.id)))
        checked: dict[str, int] = {}
        for table in Base.metadata.sorted_tables:
            columns = table.c
            if "user_id" in columns:
                where = columns.user_id == USER
            elif "referral_id" in columns:
                where = columns.referral_id.in_(referral_ids)
            elif table.name == "users":
                where = columns.id == USER
            else:
                continue
            for row in (await session.execute(table.select().where(where))).mappings():
                checked[table.name] = checked.get(table.name, 0) + 1
                for name, value in row.items():
                    if name in _LINKS or name in _MACHINERY:
                        continue
                    if name == "body":  # a webhook's JSON, exported parsed
                        value = json.loads(value)
                    for leaf in _leaves(value):
                        assert leaf in values or leaf in exported, (table.name, name, leaf)
    assert {
        "users",
        "saved_careers",
        "coach_profiles",
        "coach_consents",
        "referrals",
        "referral_messages",
        "conversation_log",
        "events",
        "nudges",
        "webhook_deliveries",
        "referral_notes",
    } <= set(checked)
    data = json.loads(exported)
    (closed,) = data["coaching"]["referrals"]
    assert closed["coach_note"] == "Motivée, a besoin d'un CV"
    assert closed["coach_notes"][0]["text"] == "Appeler lundi"
    assert closed["closed_reason"] == "coach" and closed["closed_at"]
    sent = data["coaching"]["sent_to_programmes"]
    assert [(s["programme"], s["event"]) for s in sent][:2] == [
        ("cap_jeunes", "referral.created"),
        ("cap_jeunes", "message.created"),
    ]
    assert all(s["created_at"] for s in sent)


async def test_buttons_built_from_names_show_the_names_as_written(user_db: Database) -> None:
    from storage.models import PartnerProgramme

    async with user_db.transaction() as session:
        programme = await session.get(PartnerProgramme, "cap_jeunes")
        assert programme is not None
        programme.name = "L'Étape & Co <Lyon>"
    await act(user_db, lambda t: flows.answer_situation(t, ("jobseeker",)))
    outcome, _ = await act(user_db, lambda t: flows.answer_age(t, ("18_25",)))
    labels = [b.text for row in outcome.replies[0].buttons for b in row]
    assert "👉 L'Étape & Co <Lyon>" in labels

    referral = await refer(user_db)
    await act(user_db, relay.end_relay)
    fake = FakeMessenger()
    messenger = LoggingMessenger(fake, user_db.sessions)
    await relay.coach_reply(user_db, messenger, referral.id, "O'Brien", "Bonjour")
    ((_, reply),) = fake.pairs
    assert [b.text for row in reply.buttons for b in row] == ["💬 Répondre à O'Brien"]
    outcome, _ = await act(user_db, lambda t: flows.start(t, None))  # /coach again: its status
    labels = [b.text for row in outcome.replies[0].buttons for b in row]
    assert "💬 Répondre à O'Brien" in labels


async def test_dates_are_written_in_words_in_each_language(user_db: Database) -> None:
    await refer(user_db)
    outcome, _ = await act(user_db, privacy.show)
    assert "depuis le 2\u00a0mars 2026" in outcome.replies[1].text
    outcome, _ = await act(user_db, lambda t: flows.start(t, None))
    assert "envoyée le 2\u00a0mars 2026" in outcome.replies[0].text
    async with user_db.transaction() as session:
        user = await session.get(User, USER)
        assert user is not None
        user.language = "en"
    outcome, _ = await act(user_db, privacy.show)
    assert "since 2 March 2026" in outcome.replies[1].text
    outcome, _ = await act(user_db, lambda t: flows.start(t, None))
    assert "sent on 2 March 2026" in outcome.replies[0].text
    assert "02/03/2026" not in outcome.replies[0].text
