"""Sections, paging, career cards, close careers, training options and search, on a real
database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import MAX_BYTES, decode, encode
from journey import actions as codes
from journey import cards, exploration, inbox, origins, search, training
from kernel import events
from kernel.turn import Environment, Turn
from messages import Action, Button, Outcome, Reply
from scoring.catalogue import Catalogue
from scoring.departements import all_departements
from scoring.ranking import is_good_job
from storage.models import Event, PartnerProgramme
from tests.support import make_turn, make_user, with_shipped_partners
from tremplin.app import build_reactions

MESSAGE_MAX = 4096


@pytest.fixture
async def turn(session: AsyncSession, catalogue: Catalogue) -> Turn:
    """A French user of the Rhône who cares about salary, came through a partner."""
    await with_shipped_partners(session)
    user = await make_user(session, priorities=["salary"], partner_code="cap_jeunes")
    return make_turn(session, user, Environment(catalogue=catalogue, reactions=build_reactions()))


def only(outcome: Outcome) -> Reply:
    assert len(outcome.replies) == 1, outcome
    return outcome.replies[0]


def buttons(reply: Reply) -> list[Button]:
    return [button for row in reply.buttons for button in row]


def button(reply: Reply, text: str) -> Button:
    for candidate in buttons(reply):
        if text.lower() in candidate.text.lower():
            return candidate
    raise LookupError(f"no button {text!r} in {[b.text for b in buttons(reply)]}")


def actions(reply: Reply) -> list[Action]:
    return [b.action for b in buttons(reply) if b.action is not None]


async def logged(turn: Turn, kind: str) -> list[Event]:
    rows = await turn.session.scalars(
        select(Event).where(Event.user_id == turn.user.id, Event.kind == kind).order_by(Event.id)
    )
    return list(rows)


# --- sections and paging -------------------------------------------------------------------


async def test_partner_highlighted_careers_come_first(turn: Turn) -> None:
    reply = only(await exploration.explore(turn))
    assert "Des métiers accessibles sans diplôme" in reply.text  # Cap Jeunes' white label
    assert "Employé / Employée de libre-service" in reply.text


async def test_explore_shows_five_careers_with_more_and_other_lists(turn: Turn) -> None:
    turn.user.partner_code = None
    reply = only(await exploration.explore(turn))
    assert not reply.edit
    assert "Nos meilleures pistes pour vous" in reply.text
    assert "métiers 1 à 5 sur 30" in reply.text
    opened = [a for a in actions(reply) if a.name == codes.OPEN_CARD]
    assert len(opened) == 5 and all(a.args[1] == "s.top.0" for a in opened)
    assert button(reply, "Voir plus").action == Action(codes.SECTION, ("top", "1"))
    assert button(reply, "Autres listes").action == Action(codes.SECTIONS_MENU)
    assert button(reply, "Liste suivante").action == Action(codes.SECTION, ("hiring", "0"))
    (shown,) = await logged(turn, events.SECTION_SHOWN)
    assert shown.data == {"section": "top", "page": 0} and shown.partner_code is None


async def test_pages_are_stable_edited_in_place_and_end(turn: Turn) -> None:
    first = only(await exploration.section_page(turn, "salary", "1"))
    again = only(await exploration.section_page(turn, "salary", "1"))
    assert first.edit and first == again  # the same page on every press
    page0 = only(await exploration.section_page(turn, "salary", "0"))
    romes0 = {a.args[0] for a in actions(page0) if a.name == codes.OPEN_CARD}
    romes1 = {a.args[0] for a in actions(first) if a.name == codes.OPEN_CARD}
    assert len(romes0) == len(romes1) == 5 and not romes0 & romes1
    last = only(await exploration.section_page(turn, "salary", "999"))
    assert "26 à 30 sur 30" in last.text
    labels = [b.text for b in buttons(last)]
    assert any("Précédents" in t for t in labels) and not any("Voir plus" in t for t in labels)
    pages = [e.data["page"] for e in await logged(turn, events.SECTION_SHOWN)]
    assert pages == [1, 1, 0, 5]


async def test_serendipity_is_stable_per_user_and_differs_between_users(
    session: AsyncSession, catalogue: Catalogue
) -> None:
    env = Environment(catalogue=catalogue)
    one = make_turn(session, await make_user(session, 1), env)
    two = make_turn(session, await make_user(session, 2), env)
    first = only(await exploration.section_page(one, "serendipity", "0"))
    assert first.text == only(await exploration.section_page(one, "serendipity", "0")).text
    assert first.text != only(await exploration.section_page(two, "serendipity", "0")).text


async def test_a_list_that_no_longer_exists_answers_politely(turn: Turn) -> None:
    outcome = await exploration.section_page(turn, "riasec_Z", "2")
    assert outcome.notice is not None and "changé" in outcome.notice
    assert "Des métiers accessibles sans diplôme" in only(outcome).text and only(outcome).edit


async def test_lists_menu_names_every_section(turn: Turn) -> None:
    reply = only(await exploration.sections_menu(turn))
    keys = [a.args[0] for a in actions(reply) if a.name == codes.SECTION]
    assert keys[:4] == ["partner", "top", "hiring", "competition"] and "serendipity" in keys
    assert actions(reply)[-1] == Action(codes.QUIZ_START)  # and the interests quiz
    assert "Des métiers d'avenir (30)" in [b.text for b in buttons(reply)]  # no HTML escapes


async def test_exploring_before_onboarding_asks_to_finish_it(
    session: AsyncSession, catalogue: Catalogue
) -> None:
    user = await make_user(session, departement=None, onboarded=False)
    turn = make_turn(session, user, Environment(catalogue=catalogue))
    outcome = await exploration.explore(turn)
    assert [r.key for r in outcome.replies] == [
        "onboarding.finish_first",
        "onboarding.ask_departement",
    ]
    outcome = await search.search_command(turn, "boulanger")
    assert outcome.replies[0].key == "onboarding.finish_first"
    assert await logged(turn, events.SECTION_SHOWN) == []


async def test_onboarding_button_double_tap_sends_the_list_once(turn: Turn) -> None:
    assert only(await exploration.explore(turn, pressed=True))
    again = await exploration.explore(turn, pressed=True)
    assert again.replies == [] and again.notice == "C'est juste au-dessus 👆"
    assert only(await exploration.explore(turn))  # typing /explore again always answers


# --- the career card -----------------------------------------------------------------------


async def test_card_tells_everything_a_user_needs(turn: Turn) -> None:
    reply = only(await cards.open_card(turn, "J1501", "s.top.1", edit=True))
    text = reply.text
    assert reply.edit and text.startswith("<b>Aide-soignant(e)</b>")
    for expected in (
        "✨ ",  # why for you
        "Vous aidez les patients",  # description
        "Nom officiel : Soins d&#39;hygiène, de confort du patient (ROME J1501)",
        "1\u202f549\u00a0€ net par mois (salaire médian à temps complet, France, 2017-2019)",
        "Emploi dans le Rhône :</b> environ 19\u202f200 personnes font ce métier (2019)",
        "les employeurs ont beaucoup de mal à recruter (chiffre du département, 2019)",
        "22\u202f% des gens du métier sont en CDD ou en intérim, 30\u202f% à temps partiel",
        "Automatisation (estimation de Tremplin) :</b> faible",
        "Niveau pour commencer :</b> aucun diplôme demandé",
        "environ 12\u00a0mois",
        "Métiers proches :</b> Accompagnant(e) éducatif(ve) et social(e)",
    ):
        assert expected in text, expected
    assert actions(reply) == [
        Action(codes.SAVE, ("J1501", "s.top.1")),
        Action("tr", ("J1501",)),
        Action(codes.CLOSE_CAREERS, ("J1501", "s.top.1")),
        Action("co", ("J1501",)),
        Action(codes.SOURCES, ("J1501", "s.top.1")),
        Action(codes.SECTION, ("top", "1")),
    ]
    (opened,) = await logged(turn, events.CAREER_OPENED)
    assert opened.rome == "J1501" and opened.data == {"origin": "section"}
    assert opened.partner_code == "cap_jeunes"


async def test_card_from_a_nudge_is_a_new_message_leading_back_to_explore(turn: Turn) -> None:
    reply = only(await cards.open_card(turn, "N4101"))
    assert not reply.edit
    assert button(reply, "Retour").action == Action(codes.EXPLORE, ("e",))
    (opened,) = await logged(turn, events.CAREER_OPENED)
    assert opened.data == {"origin": "direct"}


async def test_card_of_a_career_outside_the_tips_says_why(turn: Turn, catalogue: Catalogue) -> None:
    automated = next(c for c in catalogue.careers.values() if c.automation_risk >= 85)
    reply = only(await cards.open_card(turn, automated.rome))
    assert "pas dans nos conseils pour vous : il risque d'être automatisé" in reply.text
    assert not is_good_job(automated)


async def test_card_in_english(session: AsyncSession, catalogue: Catalogue) -> None:
    user = await make_user(session, language="en", departement="974")
    turn = make_turn(session, user, Environment(catalogue=catalogue))
    reply = only(await cards.open_card(turn, "J1501"))
    assert reply.text.startswith("<b>Care assistant</b>")
    assert "Jobs in La Réunion:</b> about 4,700 people do this job (2019)" in reply.text
    assert "Automation (Tremplin's estimate)" in reply.text
    assert button(reply, "Save").text == "⭐ Save"


async def test_a_one_month_course_reads_one_month_in_english(
    session: AsyncSession, catalogue: Catalogue
) -> None:
    """The refrigeration technician's card and training page said "about 1 months"."""
    assert catalogue.careers["I1306"].training_months == 1
    user = await make_user(session, language="en", departement="23")
    turn = make_turn(session, user, Environment(catalogue=catalogue))
    card = only(await cards.open_card(turn, "I1306")).text
    options = only(await training.training_options(turn, "I1306")).text
    assert "certificate, about 1 month\n" in card
    assert "(about 1 month)" in options
    assert "1 months" not in card + options


async def test_mayotte_card_says_its_figures_are_national(
    session: AsyncSession, catalogue: Catalogue
) -> None:
    user = await make_user(session, departement="976")
    turn = make_turn(session, user, Environment(catalogue=catalogue))
    text = only(await cards.open_card(turn, "J1501")).text.replace("\u202f", " ")
    assert "pas de chiffre publié à Mayotte ; 662 100 personnes dans toute la France" in text
    assert "chiffre national, ni le département ni la région n'ont de chiffre publié" in text


async def test_where_the_figures_come_from_is_one_tap_from_the_card(turn: Turn) -> None:
    card = only(await cards.open_card(turn, "J1501", "s.top.1", edit=True))
    assert button(card, "D'où viennent ces chiffres").action == Action(
        codes.SOURCES, ("J1501", "s.top.1")
    )
    reply = only(await cards.show_sources(turn, "J1501", "s.top.1"))
    assert reply.edit
    for expected in ("ROME v347", "DARES", "2019", "2017-2019", "Licence Ouverte", "estimation"):
        assert expected in reply.text
    assert button(reply, "Retour").action == Action(exploration.OPEN_CARD, ("J1501", "s.top.1"))


async def test_unknown_or_removed_career_is_a_polite_notice(turn: Turn) -> None:
    outcome = await cards.open_card(turn, "Z9999", "s.top.0", edit=True)
    assert outcome.replies == [] and outcome.notice is not None
    assert "n'est plus dans notre catalogue" in outcome.notice
    assert await logged(turn, events.CAREER_OPENED) == []
    assert (await cards.show_close(turn, "Z9999", "n")).replies == []
    assert (await training.training_options(turn, "Z9999")).replies == []


async def test_close_careers_open_in_place_and_lead_back(turn: Turn) -> None:
    reply = only(await cards.show_close(turn, "J1501", "s.top.1"))
    assert reply.edit and "Métiers proches d'«\u00a0Aide-soignant(e)\u00a0»" in reply.text
    opened = actions(reply)
    assert opened[0] == Action(codes.OPEN_CARD, ("K1301", "k.J1501"))
    assert opened[-1] == Action(codes.OPEN_CARD, ("J1501", "s.top.1"))  # back to the card
    card = only(await cards.open_card(turn, "K1301", "k.J1501", edit=True))
    assert button(card, "Retour").action == Action(codes.CLOSE_CAREERS, ("J1501", "n"))


@pytest.mark.parametrize(
    ("origin", "back"),
    [
        ("s.low_qualification.5", Action("es", ("low_qualification", "5"))),
        ("k.J1501", Action("ek", ("J1501", "n"))),
        ("v", Action("vl")),
        ("q", Action("sb")),
        ("n", Action("ex", ("e",))),
        ("s.top.x", Action("ex", ("e",))),
        ("garbage", Action("ex", ("e",))),
    ],
)
def test_back_leads_where_the_card_came_from(origin: str, back: Action) -> None:
    assert origins.back_action(origin) == back


@dataclass
class _Measured:
    longest_card: int = 0
    longest_callback: int = 0
    cards: int = 0


@pytest.fixture(scope="module")
def measured() -> Iterator[_Measured]:
    figures = _Measured()
    yield figures
    print(
        f"\n{figures.cards} cards: longest {figures.longest_card} characters (limit "
        f"{MESSAGE_MAX}); longest callback data {figures.longest_callback} bytes (limit "
        f"{MAX_BYTES})"
    )


@pytest.mark.parametrize(("lang", "code"), [("fr", "2A"), ("en", "976")])
async def test_every_card_fits_in_a_message_and_every_button_encodes(
    session: AsyncSession, catalogue: Catalogue, lang: str, code: str, measured: _Measured
) -> None:
    user = await make_user(session, language=lang, departement=code, priorities=["future"])
    turn = make_turn(session, user, Environment(catalogue=catalogue))
    longest_origin = origins.section_origin("low_qualification", 5)
    for departement in [d for d in all_departements() if d.code == code]:
        for career in catalogue.careers.values():
            reply = cards.card_reply(
                turn, career, departement, longest_origin, saved=True, edit=True
            )
            measured.cards += 1
            measured.longest_card = max(measured.longest_card, len(reply.text))
            assert len(reply.text) < MESSAGE_MAX // 2, career.rome
            for action in actions(reply):
                data = encode(action)
                assert decode(data) == action
                measured.longest_callback = max(measured.longest_callback, len(data.encode()))


# --- training options ----------------------------------------------------------------------


async def add_programme(turn: Turn, training_link: str | None = None) -> None:
    """The user's programme (Cap Jeunes) as an operator set it: with or without its own
    trainings."""
    row = await turn.session.get(PartnerProgramme, "cap_jeunes")
    assert row is not None
    white_label = dict(row.definition.get("white_label") or {})
    white_label.pop("training_link", None)
    if training_link:
        white_label["training_link"] = training_link
    row.name = "Cap Jeunes"
    row.definition = {**row.definition, "white_label": white_label}
    await turn.session.flush()


async def test_training_options_give_cpf_links_and_funding_facts(turn: Turn) -> None:
    await add_programme(turn)
    reply = only(await training.training_options(turn, "J1501"))
    assert not reply.edit
    for fact in (
        "500\u00a0€ par an",
        "5\u202f000\u00a0€",
        "800\u00a0€ par an",
        "8\u202f000\u00a0€",
    ):
        assert fact in reply.text
    assert "Diplôme d&#39;État d&#39;aide-soignant (DEAS) (environ 12 mois)" in reply.text
    links = [b.url for b in buttons(reply) if b.url]
    assert len(links) == 2  # this partner has no training provider
    near, online = (parse_qs(urlsplit(link).fragment.partition("?")[2])["q"] for link in links)
    assert near == ["Aide-soignant(e)"]
    assert online == ["Aide-soignant(e) à distance"]
    assert all(
        link.startswith("https://www.moncompteformation.gouv.fr/espace-prive/html/#/formation/")
        for link in links
    )
    assert button(reply, "conseiller").action == Action("co", ("J1501",))
    (opened,) = await logged(turn, events.TRAINING_OPENED)
    assert opened.rome == "J1501" and opened.partner_code == "cap_jeunes"


async def test_training_options_link_the_partners_own_provider(turn: Turn) -> None:
    await add_programme(turn, "https://formations.example/{rome}?d={departement}")
    reply = only(await training.training_options(turn, "J1501"))
    assert button(reply, "Cap Jeunes").url == "https://formations.example/J1501?d=69"
    assert "Cap Jeunes propose aussi ses propres formations" in reply.text


async def test_training_double_tap_sends_once(turn: Turn) -> None:
    assert only(await training.training_options(turn, "J1501"))
    again = await training.training_options(turn, "J1501")
    assert again.replies == [] and again.notice == "C'est juste au-dessus 👆"
    assert only(await training.training_options(turn, "N4101"))  # another career: answered
    assert len(await logged(turn, events.TRAINING_OPENED)) == 2


# --- search --------------------------------------------------------------------------------


async def test_search_with_a_typo_finds_the_career(turn: Turn) -> None:
    reply = only(await search.search_command(turn, "boulangé"))
    assert "Boulanger / Boulangère" in reply.text
    assert actions(reply)[0] == Action(codes.OPEN_CARD, ("D1102", "q"))
    (searched,) = await logged(turn, events.SEARCHED)
    assert searched.data["query"] == "boulangé" and searched.rome == "D1102"


async def test_search_shows_the_job_title_that_matched(turn: Turn) -> None:
    reply = only(await search.run_search(turn, "aide soignante"))
    assert "Aide-soignant(e)</b> (aide-soignante)" in reply.text
    assert "School assistant" not in reply.text  # no English synonyms for French readers


async def test_a_title_already_shown_is_not_repeated_in_brackets(turn: Turn) -> None:
    """The matched title "chargé de recrutement" is one of the two forms of the career's own
    title "Chargé / Chargée de recrutement": brackets would only say it again."""
    reply = only(await search.run_search(turn, "chargé de recrutement"))
    assert "Chargé / Chargée de recrutement</b>" in reply.text
    assert "(chargé de recrutement)" not in reply.text.lower()


async def test_a_sentence_with_no_job_in_it_is_not_called_an_unknown_job(turn: Turn) -> None:
    """A person wrote to the bot as to a person and read "Je ne connais pas ce métier :
    « Bonjour, je voudrais de l'aide pour fin… »": a sentence is answered as one, with the way
    to a human coach."""
    reply = only(await search.run_search(turn, "Bonjour, je voudrais de l'aide pour une formation"))
    assert "Je ne connais pas ce métier" not in reply.text
    assert "dans votre message" in reply.text
    assert Action(codes.COACH) in actions(reply)
    word = only(await search.run_search(turn, "blorfzq"))
    assert "Je ne connais pas ce métier" in word.text
    assert Action(codes.COACH) not in actions(word)


async def test_an_unknown_job_is_said_so_with_the_closest_real_careers_or_explore(
    turn: Turn,
) -> None:
    reply = only(await search.run_search(turn, "testeur de jeux vidéo"))
    assert reply.key == "explore.search_nothing" and "Je ne connais pas ce métier" in reply.text
    suggested = [a for a in actions(reply) if a.name == codes.OPEN_CARD]
    assert 1 <= len(suggested) <= 3 and all(a.args[1] == "q" for a in suggested)
    assert suggested[0].args[0] == "E1104"  # video game designer, named closest
    assert "H1301" not in {a.args[0] for a in suggested}  # playground inspector shares "jeux"
    assert actions(reply)[-1] == Action(codes.EXPLORE)
    # No career named like these: no random "closest" (forklift driving for "chargé de truc"),
    # only /explore.
    for unrelated in ("licorne", "chargé de truc", "bonjour", "merci", "xqzw"):
        nothing = only(await search.run_search(turn, unrelated))
        assert "/metiers" in nothing.text and actions(nothing) == [Action(codes.EXPLORE)]
    (first, *_) = await logged(turn, events.SEARCHED)
    assert first.data == {"query": "testeur de jeux vidéo", "results": 0} and first.rome is None


async def test_back_from_a_search_card_shows_the_latest_results(turn: Turn) -> None:
    await search.run_search(turn, "plombier")
    reply = only(await search.back_to_results(turn))
    assert reply.edit and "« plombier »" in reply.text
    assert len(await logged(turn, events.SEARCHED)) == 1  # going back is not a new search


async def test_plain_text_is_a_search_and_search_is_the_last_route(turn: Turn) -> None:
    assert turn.env.reactions.free_text[-1] is search.route
    reply = only(await inbox.handle_text(turn, "cuisinier"))
    assert reply.key == "explore.search_results" and "Cuisinier / Cuisinière" in reply.text


async def test_empty_search_command_asks_for_words(turn: Turn) -> None:
    assert only(await search.search_command(turn, "   ")).key == "explore.search_ask"


async def test_commands_leave_a_pending_settings_question(turn: Turn) -> None:
    turn.user.step = "settings:departement"
    await search.search_command(turn, "plombier")
    assert turn.user.step is None
    reply = only(await inbox.handle_text(turn, "maçon"))
    assert reply.key == "explore.search_results"


def test_building_a_section_page_is_fast(catalogue: Catalogue) -> None:
    # Every press recomputes the sections: keep that well under a human's patience.
    from scoring.sections import build_sections

    build_sections(catalogue, "13", ["salary"], seed=1)  # criteria of the département cached
    started = time.perf_counter()
    for seed in range(20):
        build_sections(catalogue, "13", ["salary"], seed=seed)
    per_call = (time.perf_counter() - started) / 20
    print(f"\nbuild_sections: {per_call * 1000:.1f} ms per press")
    assert per_call < 0.1
