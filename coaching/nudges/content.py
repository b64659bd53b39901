"""What a nudge says: its template, the user's own figures, and its buttons.

Texts are the `nudges.*` templates (operators can edit them); this module only gathers the facts
they may use: first name, the career, the département's figures, training length and the user's
survey answers.
"""

from __future__ import annotations

from typing import Any

from coaching.nudges import outbox
from coaching.nudges.plan import template_key
from coaching.nudges.timing import PLAN_CHOICES
from kernel import funding
from messages import Action, Button, Reply, render, render_label
from scoring.bands import competition_band, training_band
from scoring.catalogue import Catalogue
from scoring.departements import get_departement
from scoring.fit import unmet_priorities
from storage.models import Nudge, SavedCareer, User

# Button actions: ours start with "n" (see bot/handlers/nudges.py).
STOP = "ns"  # (nudge id)
PLAN = "np"  # (nudge id, choice)
TRAINING = "nt"  # (rome, nudge id): records the press, then shows the training options ("tr")
COACH = "nc"  # (rome, nudge id): records the press, then offers a coach ("co")

PLAN_STEP = 2  # the step that asks "when could you spend 20 minutes on this?"
MAX_TRAININGS = 2


def facts(user: User, saved: SavedCareer, catalogue: Catalogue) -> dict[str, Any]:
    """The template context of a nudge about `saved` for `user`.

    Raises LookupError when the career is not in the catalogue any more.
    """
    lang = user.language
    career = catalogue.get(saved.rome)
    if career is None:
        raise LookupError(f"career {saved.rome} is not in the catalogue")
    departement = get_departement(user.departement) if user.departement else None
    market = catalogue.market(saved.rome, departement.code) if departement else None
    if departement is None:
        place = ""
    elif lang == "fr":
        place = departement.prefix
    else:
        place = f"in {departement.name}"
    unmet = unmet_priorities(career, market, user.priorities)
    routes = sorted(career.training, key=lambda route: route.months)[:MAX_TRAININGS]
    return {
        "first_name": user.first_name,
        "career": career.title(lang),
        "place": place,
        "departement": departement.name if departement else "",
        "employment": market.employment if market else None,
        "local": market is not None and market.employment_level == "dep",
        "competition": (
            competition_band(market.tension.category) if market and market.tension else None
        ),
        "salary": career.salary_net,
        "trainings": [{"name": route.name(lang), "months": route.months} for route in routes],
        "months": career.training_months,
        "training_band": training_band(career),
        "realistic": not unmet,
        "unmet": [priority.value for priority in unmet],
        "cpf_rule": funding.cpf_rule(lang),
        "interest": saved.interest,
        "readiness": saved.readiness,
    }


def _label(key: str, lang: str) -> str:
    return render_label(f"nudges.{key}", lang)


def buttons(nudge: Nudge, rome: str, lang: str) -> tuple[tuple[Button, ...], ...]:
    """Every nudge's buttons: training options, a coach, stop; the plan step adds its choices."""
    ident = str(nudge.id)
    rows: list[tuple[Button, ...]] = []
    if nudge.kind == outbox.STEP and nudge.step == PLAN_STEP:
        rows.append(
            tuple(
                Button(_label(f"plan_{choice}_button", lang), Action(PLAN, (ident, choice)))
                for choice in PLAN_CHOICES
            )
        )
    rows.append((Button(_label("training_button", lang), Action(TRAINING, (rome, ident))),))
    rows.append((Button(_label("coach_button", lang), Action(COACH, (rome, ident))),))
    rows.append((Button(_label("stop_button", lang), Action(STOP, (ident,))),))
    return tuple(rows)


def compose(nudge: Nudge, user: User, saved: SavedCareer, catalogue: Catalogue) -> Reply:
    """The message of a nudge row, about the saved career `saved`."""
    key = template_key(nudge.kind, nudge.step, nudge.variant)
    text = render(key, user.language, **facts(user, saved, catalogue))
    return Reply(text, key, buttons=buttons(nudge, saved.rome, user.language))
