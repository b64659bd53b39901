"""What the user goes through to reach a human coach: /coach (or a coach button), at most the
eligibility questions that matter, the programmes that fit, the exact consent, the referral, the
live relay and its end, and waiting or switching when nobody answered.

The composition root (`tremplin.app.build_reactions`) plugs `handover_text.text_route`,
`handover_privacy.privacy_replies` and `handover_privacy.on_delete` into the journey; the
background job is `coaching.handover_worker`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from coaching import consent as consents
from coaching import matching, referrals, relay
from coaching.partners import able_to_answer, answer_delay
from journey import onboarding, profile_view
from kernel import events
from kernel.partners import AGE_BANDS, SITUATIONS, Partner, get_partner, list_partners
from kernel.turn import Turn
from messages import Action, Button, Outcome, Reply, render, render_label
from messages.formats import long_date
from scoring.departements import get_departement
from storage.models import CoachProfile, Referral

ANSWER_SITUATION = "cs"  # (situation, rome?)
ANSWER_AGE = "ca"  # (age band, rome?)
CHANGE_ANSWERS = "cq"  # (rome?)
PICK = "cp"  # (programme, rome?)
CONSENT_YES = "cy"  # (programme, "1" with the conversation / "0" without, rome?)
CONSENT_NO = "cn"  # (programme,)

log = logging.getLogger(__name__)

CEP_URL = "https://mon-cep.org/"
_ROME = re.compile(r"^[A-Z]\d{4}$")


# ----- what matching needs to know ---------------------------------------------------------------


def _rome(turn: Turn, raw: str | None) -> str | None:
    if not raw or not _ROME.match(raw):
        return None
    return raw if turn.env.catalogue.get(raw) is not None else None


def _rome_args(rome: str | None) -> tuple[str, ...]:
    return (rome,) if rome else ()


async def _profile(session: AsyncSession, user_id: int) -> CoachProfile:
    profile = await session.get(CoachProfile, user_id)
    if profile is None:
        profile = CoachProfile(user_id=user_id)
        session.add(profile)
        await session.flush()
    return profile


async def _seeker(turn: Turn, rome: str | None) -> matching.Seeker:
    profile = await turn.session.get(CoachProfile, turn.user.id)
    saved = await consents.saved_careers(turn.session, turn.user.id, None, turn.lang)
    careers = tuple(dict.fromkeys([*([rome] if rome else []), *(c.rome for c in saved)]))
    found = (turn.env.catalogue.get(code) for code in careers)
    sectors = tuple(career.sector for career in found if career is not None)
    departement = get_departement(turn.user.departement) if turn.user.departement else None
    return matching.Seeker(
        departement=turn.user.departement,
        region=departement.region_code if departement else None,
        situation=profile.situation if profile else None,
        age_band=profile.age_band if profile else None,
        careers=careers,
        sectors=sectors,
    )


# ----- /coach and the questions -------------------------------------------------------------------


async def start(turn: Turn, raw_rome: str | None = None, *, via: str = "command") -> Outcome:
    """/coach or a coach button: the questions still needed, then the programmes that fit."""
    pending = onboarding.pending_question(turn)
    if pending is not None:
        first = Reply(render("onboarding.finish_first", turn.lang), "onboarding.finish_first")
        return Outcome().add(first).add(pending)
    rome = _rome(turn, raw_rome)
    await events.record(turn.session, turn.user, events.COACH_REQUESTED, rome=rome, via=via)
    active = await referrals.active_referral(turn.session, turn.user.id)
    if active is not None:
        return Outcome().add(await _status(turn, active))
    return await _next_step(turn, rome)


async def _next_step(
    turn: Turn, rome: str | None, *, exclude: tuple[str, ...] = (), edit: bool = False
) -> Outcome:
    seeker = await _seeker(turn, rome)
    listed = [p for p in await list_partners(turn.session) if p.code not in exclude]
    partners = await able_to_answer(turn.session, listed)
    questions = matching.questions_to_ask(partners, seeker)
    if matching.SITUATION in questions:
        return Outcome().add(_ask(_SITUATION, turn.lang, rome, edit=edit))
    if matching.AGE in questions:
        return Outcome().add(_ask(_AGE, turn.lang, rome, edit=edit))
    ranked = matching.rank(partners, seeker, turn.user.partner_code)
    if not ranked:
        await events.record(turn.session, turn.user, events.HANDOVER_NO_MATCH, rome=rome)
        buttons = ((Button(render_label("coach.cep_button", turn.lang), url=CEP_URL),),)
        text = render("coach.no_match", turn.lang)
        return Outcome().add(Reply(text, "coach.no_match", buttons=buttons, edit=edit))
    return Outcome().add(_programmes(turn, ranked, rome, seeker, edit=edit))


@dataclass(frozen=True)
class _Question:
    """A question about the person that decides which programmes can take them: its template
    names (`coach.ask_<name>`, `coach.<name>_<answer>`), its answers, its button code and the
    profile field that keeps the answer."""

    name: str
    answers: tuple[str, ...]
    action: str
    field: str


_SITUATION = _Question("situation", tuple(SITUATIONS), ANSWER_SITUATION, "situation")
_AGE = _Question("age", tuple(AGE_BANDS), ANSWER_AGE, "age_band")


def _ask(question: _Question, lang: str, rome: str | None, *, edit: bool) -> Reply:
    """One button per answer; each carries the career on to the programmes."""
    rows = tuple(
        (
            Button(
                render_label(f"coach.{question.name}_{answer}", lang),
                Action(question.action, (answer, *_rome_args(rome))),
            ),
        )
        for answer in question.answers
    )
    key = f"coach.ask_{question.name}"
    return Reply(render(key, lang), key, rows, edit=edit)


async def _answered(turn: Turn, args: tuple[str, ...], question: _Question) -> Outcome:
    """Remember the answer pressed, then the next question or the programmes."""
    if not args or args[0] not in question.answers:
        return Outcome(notice=render("common.stale_button", turn.lang))
    setattr(await _profile(turn.session, turn.user.id), question.field, args[0])
    return await _next_step(turn, _rome(turn, args[1] if len(args) > 1 else None), edit=True)


async def answer_situation(turn: Turn, args: tuple[str, ...]) -> Outcome:
    """The situation button: remember it, then the next question or the programmes."""
    return await _answered(turn, args, _SITUATION)


async def answer_age(turn: Turn, args: tuple[str, ...]) -> Outcome:
    """The age button: remember it, then the programmes."""
    return await _answered(turn, args, _AGE)


async def change_answers(turn: Turn, args: tuple[str, ...]) -> Outcome:
    """ "My situation changed": forget the answers and ask again."""
    profile = await _profile(turn.session, turn.user.id)
    profile.situation = None
    profile.age_band = None
    return await _next_step(turn, _rome(turn, args[0] if args else None))


def _programmes(
    turn: Turn,
    ranked: list[Partner],
    rome: str | None,
    seeker: matching.Seeker,
    *,
    edit: bool,
) -> Reply:
    lang = turn.lang
    shown = [
        {
            "name": p.name,
            "description": p.description(lang),
            "coach": p.coach_role(lang),
            "delay": answer_delay(p, lang),
            "yours": p.code == turn.user.partner_code,
        }
        for p in ranked
    ]
    rows: list[tuple[Button, ...]] = [
        (
            Button(
                render_label("coach.choose_button", lang, name=p.name),
                Action(PICK, (p.code, *_rome_args(rome))),
            ),
        )
        for p in ranked
    ]
    if seeker.situation or seeker.age_band:
        rows.append(
            (
                Button(
                    render_label("coach.change_answers_button", lang),
                    Action(CHANGE_ANSWERS, _rome_args(rome)),
                ),
            )
        )
    text = render("coach.programmes", lang, programmes=shown)
    return Reply(text, "coach.programmes", tuple(rows), edit=edit)


# ----- consent and referral -----------------------------------------------------------------------


async def _fitting(turn: Turn, code: str, rome: str | None) -> Partner | None:
    partner = await get_partner(turn.session, code)
    if partner is None or not matching.eligible(partner, await _seeker(turn, rome)):
        return None
    if not await able_to_answer(turn.session, [partner]):
        return None  # nobody left to read its referrals since the list was shown
    return partner


async def pick(turn: Turn, args: tuple[str, ...]) -> Outcome:
    """A programme was chosen: show exactly what it would receive, and ask."""
    rome = _rome(turn, args[1] if len(args) > 1 else None)
    active = await referrals.active_referral(turn.session, turn.user.id)
    if active is not None:
        return Outcome().add(await _status(turn, active))
    partner = await _fitting(turn, args[0], rome) if args else None
    if partner is None:
        return Outcome(notice=render("coach.not_available", turn.lang))
    # The question replaces the list: a programme is chosen, its buttons are done.
    return Outcome().add(await _consent_question(turn, partner, rome, edit=True))


async def _consent_question(
    turn: Turn, partner: Partner, rome: str | None, *, edit: bool = False
) -> Reply:
    lang, user = turn.lang, turn.user
    profile = await turn.session.get(CoachProfile, user.id)
    saved = await consents.saved_careers(turn.session, user.id, turn.env.catalogue, lang)
    text = render(
        "coach.consent",
        lang,
        programme=partner.name,
        first_name=user.first_name,
        departement=profile_view.departement_label(user.departement, lang),
        situation=render(f"coach.situation_{profile.situation}", lang)
        if profile and profile.situation
        else None,
        age=render(f"coach.age_{profile.age_band}", lang) if profile and profile.age_band else None,
        career=consents.career_title(turn.env.catalogue, rome, lang) if rome else None,
        saved=[
            {
                "title": c.title,
                "interest": render(f"coach.interest_{c.interest}", lang)
                if c.interest is not None
                else None,
                "readiness": render(f"coach.readiness_{c.readiness}", lang)
                if c.readiness is not None
                else None,
            }
            for c in saved
        ],
    )
    args = _rome_args(rome)
    buttons = (
        (
            Button(
                render_label("coach.yes_with_conversation_button", lang),
                Action(CONSENT_YES, (partner.code, "1", *args)),
            ),
        ),
        (
            Button(
                render_label("coach.yes_button", lang),
                Action(CONSENT_YES, (partner.code, "0", *args)),
            ),
        ),
        (Button(render_label("coach.no_button", lang), Action(CONSENT_NO, (partner.code,))),),
    )
    return Reply(text, "coach.consent", buttons, edit=edit)


async def consent_yes(turn: Turn, args: tuple[str, ...]) -> Outcome:
    """Yes: record the consent, make the referral, tell the user who answers and when."""
    if len(args) < 2 or args[1] not in ("0", "1"):
        return Outcome(notice=render("common.stale_button", turn.lang))
    rome = _rome(turn, args[2] if len(args) > 2 else None)
    active = await referrals.active_referral(turn.session, turn.user.id)
    if active is not None:
        if active.partner_code == args[0]:
            return Outcome(notice=render("coach.already_sent", turn.lang))
        return Outcome().add(await _status(turn, active))
    partner = await _fitting(turn, args[0], rome)
    if partner is None:
        return Outcome(notice=render("coach.not_available", turn.lang))
    items = consents.items_for(rome=rome, share_conversation=args[1] == "1")
    given = await consents.give(turn.session, turn.user, partner.code, items, now=turn.now)
    await events.record(
        turn.session,
        turn.user,
        events.HANDOVER_CONSENTED,
        rome=rome,
        programme=partner.code,
        items=items,
    )
    await referrals.create(
        turn.session,
        turn.user,
        partner,
        given,
        rome=rome,
        catalogue=turn.env.catalogue,
        now=turn.now,
    )
    text = render(
        "coach.referred",
        turn.lang,
        programme=partner.name,
        delay=answer_delay(partner, turn.lang),
        coach=partner.coach_role(turn.lang),
    )
    buttons = ((Button(render_label("coach.end_button", turn.lang), Action(relay.END_RELAY)),),)
    # The consent stays readable as what was agreed to, without its buttons.
    question = await _consent_question(turn, partner, rome)
    agreed = render("coach.consent_given", turn.lang, conversation=args[1] == "1")
    answered = Reply(f"{question.text}\n\n{agreed}", "coach.consent", edit=True)
    return Outcome().add(answered).add(Reply(text, "coach.referred", buttons))


async def consent_no(turn: Turn, args: tuple[str, ...]) -> Outcome:
    """No: nothing is shared."""
    partner = await get_partner(turn.session, args[0]) if args else None
    await events.record(
        turn.session,
        turn.user,
        events.HANDOVER_DECLINED,
        programme=partner.code if partner is not None else None,
    )
    return Outcome().add(Reply(render("coach.declined", turn.lang), "coach.declined", edit=True))


async def _status(turn: Turn, referral: Referral) -> Reply:
    partner = await get_partner(turn.session, referral.partner_code)
    lang = turn.lang
    text = render(
        "coach.status",
        lang,
        programme=partner.name if partner else referral.partner_code,
        since=long_date(referral.created_at, lang),
        coach=relay.coach_first_name(referral.coach_name),
        relay_on=referral.relay_on,
    )
    rows: list[tuple[Button, ...]] = []
    if referral.relay_on:
        rows.append((Button(render_label("coach.end_button", lang), Action(relay.END_RELAY)),))
    else:
        who = relay.coach_first_name(referral.coach_name) or (partner.name if partner else "")
        rows.append(
            (
                Button(
                    render_label("coach.reply_button", lang, coach=who),
                    Action(relay.RESUME_RELAY, (str(referral.id),)),
                ),
            )
        )
    rows.append(
        (
            Button(
                render_label("coach.switch_button", lang), Action(relay.SWITCH, (str(referral.id),))
            ),
        )
    )
    return Reply(text, "coach.status", tuple(rows))


# ----- no answer in time --------------------------------------------------------------------------


async def _own_open(turn: Turn, args: tuple[str, ...]) -> Referral | None:
    referral = await referrals.own_referral(turn.session, turn.user.id, args[0] if args else None)
    return referral if referral is not None and referral.state in referrals.ACTIVE else None


async def keep_waiting(turn: Turn, args: tuple[str, ...]) -> Outcome:
    """Wait another promised period; the user is told again if it passes too."""
    referral = await _own_open(turn, args)
    if referral is None:
        return Outcome(notice=render("common.stale_button", turn.lang))
    partner = await get_partner(turn.session, referral.partner_code)
    if partner is not None and referral.first_reply_at is None:
        referral.promised_by = turn.now + partner.answers_within
        referral.timeout_notified_at = None
    text = render(
        "coach.waiting",
        turn.lang,
        programme=partner.name if partner else referral.partner_code,
    )
    return Outcome().add(Reply(text, "coach.waiting", edit=True))


async def switch(turn: Turn, args: tuple[str, ...]) -> Outcome:
    """Give up on this programme (it is told) and see the others that fit."""
    referral = await _own_open(turn, args)
    if referral is None:
        return Outcome(notice=render("common.stale_button", turn.lang))
    partner = await get_partner(turn.session, referral.partner_code)
    await referrals.switch_away(turn.session, turn.user, referral, now=turn.now)
    text = render(
        "coach.switched",
        turn.lang,
        programme=partner.name if partner else referral.partner_code,
    )
    outcome = Outcome().add(Reply(text, "coach.switched", edit=True))
    following = await _next_step(turn, referral.rome, exclude=(referral.partner_code,))
    outcome.replies.extend(following.replies)
    return outcome






