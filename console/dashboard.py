"""The evaluation dashboard: the reference service's figures computed from the events (read
from their tallies, `journey.evaluation`), for whole days and a partner programme, with the
reference figures beside them, SVG charts drawn here on the server, and a CSV of every table.
Operators and admins only."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route

from console.app import Ctx, _services, render
from console.operators import _staff
from journey import evaluation, stats
from kernel.partners import list_partners

# The reference service's published figures (issue 13), as shares of 0–1.
REFERENCE = {
    "explored": 0.46,
    "trained": 0.43,
    "interested": 0.96,
    "ready": 0.91,
    "coach": 0.04,
    "coach_nudge": 0.005,
}
TABLES = ("figures", "nudges", "programmes")


@dataclass(frozen=True)
class Figure:
    """One line of the main table: a label, Tremplin's value (raw and shown), the reference."""

    key: str
    label: str
    value: float | None
    shown: str
    reference: str


def _decimal(shown: str, lang: str) -> str:
    # French writes a decimal comma ("50,0 %"); the CSV keeps the point for spreadsheets.
    return shown.replace(".", ",") if lang == "fr" else shown


def _pct(value: float | None, lang: str) -> str:
    return "—" if value is None else _decimal(f"{value * 100:.1f} %", lang)


def _secs(value: float | None) -> str:
    if value is None:
        return "—"
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes} min {seconds:02d} s"


def _day(raw: str | None) -> date | None:
    try:
        return datetime.strptime((raw or "")[:10], "%Y-%m-%d").date()
    except ValueError:
        return None


def _window(ctx: Ctx) -> tuple[str | None, date | None, date | None, dict[str, str]]:
    q = ctx.request.query_params
    raw = q.get("programme", "all")
    partner = None if raw in ("", "all") else (stats.NO_PARTNER if raw == "none" else raw[:64])
    # Whole days, the end day included, in the service's calendar (`kernel.tallies.ZONE`): the
    # figures of a period are the same whoever looks.
    first, last = _day(q.get("from")), _day(q.get("to"))
    kept = {"programme": raw}
    if first is not None:
        kept["from"] = first.isoformat()
    if last is not None:
        kept["to"] = last.isoformat()
    return partner, first, last, kept


async def _compute(ctx: Ctx) -> dict[str, Any]:
    partner, first, last, kept = _window(ctx)
    async with _services(ctx.request).db.transaction() as session:
        found = await evaluation.dashboard(
            session, partner=partner, first_day=first, last_day=last
        )
        codes = [p.code for p in await list_partners(session)]
    nudges, programmes = found.nudges, found.programmes
    f, s, time = found.evaluation.funnel, found.evaluation.survey, found.evaluation.time
    per_user = f.careers_saved / f.users if f.users else None
    figures = [
        Figure("users", ctx.t("d_users"), f.users, str(f.users), "—"),
        Figure("explored", ctx.t("d_explored"), f.explored_share,
               _pct(f.explored_share, ctx.lang), "46 %"),
        Figure("trained", ctx.t("d_trained"), f.trained_share,
               _pct(f.trained_share, ctx.lang), "43 %"),
        Figure("saved_per_user", ctx.t("d_saved_per_user"), per_user,
               "—" if per_user is None else _decimal(f"{per_user:.2f}", ctx.lang), "—"),
        Figure("median_exploring", ctx.t("d_median_time"), time.median_seconds,
               _secs(time.median_seconds), "—"),
        Figure("interested", ctx.t("d_interested"), s.interested_share,
               _pct(s.interested_share, ctx.lang), "96 %"),
        Figure("ready", ctx.t("d_ready"), s.ready_or_maybe_share,
               _pct(s.ready_or_maybe_share, ctx.lang),
               "91 %"),
        Figure("coach", ctx.t("d_coach"), f.coach_share, _pct(f.coach_share, ctx.lang), "≤ 4 %"),
        Figure("coach_nudge", ctx.t("d_coach_nudge"), nudges.coach_via_nudge_share,
               _pct(nudges.coach_via_nudge_share, ctx.lang), _decimal("< 0.5 %", ctx.lang)),
    ]
    return {
        "figures": figures,
        "nudges": nudges,
        "programmes": programmes,
        "codes": codes,
        "kept": kept,
    }


def _rows(table: str, data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """A table of the dashboard as a header and rows (the CSV and the page show the same)."""
    if table == "figures":
        return ["figure", "tremplin", "reference"], [
            [f.key, "" if f.value is None else round(f.value, 6), f.reference]
            for f in data["figures"]
        ]
    if table == "nudges":
        n: stats.Nudges = data["nudges"]
        rows: list[list[Any]] = [
            [s.step, s.variant, s.sent, s.clicked, s.coach, s.stopped] for s in n.steps
        ]
        rows += [
            ["treated", "", n.treated.users, "", n.treated.coach_requested, n.treated.stopped],
            ["holdout", "", n.holdout.users, "", n.holdout.coach_requested, n.holdout.stopped],
        ]
        return ["step", "variant", "sent_or_users", "clicked", "asked_coach", "stopped"], rows
    return [
        "programme", "referred", "answered", "timed_out", "withdrawn", "closed", "outcomes",
        "median_first_answer_seconds", "satisfaction_mean", "satisfaction_answers",
    ], [
        [p.code, p.referred, p.answered, p.timed_out, p.withdrawn, p.closed,
         " ".join(f"{k}={v}" for k, v in p.outcomes.items()),
         "" if p.median_first_answer_seconds is None else p.median_first_answer_seconds,
         "" if p.satisfaction_mean is None else round(p.satisfaction_mean, 3),
         p.satisfaction_answers]
        for p in data["programmes"]
    ]


def bars_svg(
    title: str, bars: list[tuple[str, float | None, float | None]], lang: str = "fr"
) -> str:
    """A horizontal bar chart of shares (0–1): Tremplin's bar, the reference as a thin bar."""
    width, label_w, row_h = 640, 330, 34
    height = 30 + row_h * len(bars)
    scale = width - label_w - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="100%" class="chart">',
        f'<title>{escape(title)}</title>',
        f'<text x="0" y="16" font-size="14" font-weight="600">{escape(title)}</text>',
    ]
    for i, (label, value, reference) in enumerate(bars):
        y = 30 + i * row_h
        parts.append(f'<text x="0" y="{y + 15}" font-size="11">{escape(label)}</text>')
        shown = value or 0.0
        parts.append(
            f'<rect x="{label_w}" y="{y + 2}" width="{shown * scale:.1f}" height="16" '
            f'fill="#1f5fbf"><title>Tremplin {_pct(value, lang)}</title></rect>'
        )
        parts.append(
            f'<text x="{label_w + shown * scale + 6:.1f}" y="{y + 15}" font-size="12">'
            f"{_pct(value, lang)}</text>"
        )
        if reference is not None:
            parts.append(
                f'<rect x="{label_w}" y="{y + 21}" width="{reference * scale:.1f}" height="6" '
                f'fill="#9aa3b2"><title>reference {_pct(reference, lang)}</title></rect>'
            )
    parts.append("</svg>")
    return "".join(parts)


def funnel_svg(title: str, steps: list[stats.NudgeStep]) -> str:
    """Grouped bars per nudge step and variant: sent, clicked, asked for a coach, stopped."""
    width, row_h = 640, 26
    colours = (("sent", "#1f5fbf"), ("clicked", "#3c9d5d"), ("coach", "#e0a100"),
               ("stopped", "#b3261e"))
    top = max([s.sent for s in steps] + [1])
    height = 50 + len(steps) * (row_h * 2 + 8)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="100%" class="chart">',
        f'<title>{escape(title)}</title>',
        f'<text x="0" y="16" font-size="14" font-weight="600">{escape(title)}</text>',
    ]
    for i, (name, colour) in enumerate(colours):
        parts.append(f'<rect x="{i * 85}" y="26" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{14 + i * 85}" y="35" font-size="11">{name}</text>')
    for i, step in enumerate(steps):
        y = 46 + i * (row_h * 2 + 8)
        parts.append(f'<text x="0" y="{y + 22}" font-size="12">step {step.step} '
                     f'{escape(step.variant)}</text>')
        for j, (name, colour) in enumerate(colours):
            value = getattr(step, name)
            w = value / top * (width - 200)
            parts.append(
                f'<rect x="120" y="{y + j * 12}" width="{w:.1f}" height="10" fill="{colour}">'
                f"<title>{name} {value}</title></rect>"
                f'<text x="{124 + w:.1f}" y="{y + j * 12 + 9}" font-size="10">{value}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


@_staff
async def dashboard(ctx: Ctx) -> Response:
    """The dashboard page."""
    data = await _compute(ctx)
    by_key = {f.key: f for f in data["figures"]}
    chart = bars_svg(
        ctx.t("d_chart"),
        [
            (by_key[key].label, by_key[key].value, REFERENCE[key])
            for key in ("explored", "trained", "interested", "ready", "coach", "coach_nudge")
        ],
        ctx.lang,
    )
    tables = {name: _rows(name, data) for name in TABLES}
    return render(
        ctx,
        "dashboard.html",
        chart=chart,
        funnel_chart=funnel_svg(ctx.t("d_nudges"), data["nudges"].steps),
        tables=tables,
        csv_query=urlencode(data["kept"]),
        **data,
    )


@_staff
async def dashboard_csv(ctx: Ctx) -> Response:
    """One table of the dashboard as CSV, for the same filter."""
    table = str(ctx.request.path_params["table"])
    if table not in TABLES:
        return render(ctx, "not_found.html", status=404)
    header, rows = _rows(table, await _compute(ctx))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="tremplin-{table}.csv"'},
    )


ROUTES = [
    Route("/dashboard", dashboard, methods=["GET"]),
    Route("/dashboard/{table:str}.csv", dashboard_csv, methods=["GET"]),
]
