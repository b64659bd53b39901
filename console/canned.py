"""The canned replies page: a programme's coaches (and admins, for any programme) add, edit and
remove the ready-made replies the reply box offers. Rules and scope are in `coaching.canned`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from coaching import canned
from coaching.casework import CaseworkError
from console.app import Ctx, _field, _services, render, signed_in

_DONE = ("added", "saved", "removed")


def _url(programme: str | None, **query: str) -> str:
    values = {"programme": programme, **query} if programme else query
    return "/canned" + ("?" + urlencode(values) if values else "")


async def _page(
    ctx: Ctx,
    programme: str | None,
    *,
    status: int = 200,
    error: str | None = None,
    draft: dict[str, Any] | None = None,
) -> Response:
    services = _services(ctx.request)
    async with services.db.transaction() as session:
        listed = await canned.replies(session, ctx.account, programme)
    done = ctx.request.query_params.get("done", "")
    return render(
        ctx,
        "canned.html",
        status=status,
        listed=listed,
        error=error,
        notice=ctx.t("m_canned_" + done) if done in _DONE else None,
        draft=draft or {},
        title_max=canned.TITLE_MAX,
        text_max=canned.TEXT_MAX,
    )


@signed_in
async def canned_page(ctx: Ctx) -> Response:
    """The programme's canned replies, each editable, and the form to add one."""
    return await _page(ctx, ctx.request.query_params.get("programme") or None)


async def _change(
    ctx: Ctx, step: Callable[[Any], Awaitable[str]], draft: dict[str, Any], done: str
) -> Response:
    """Run one change in a transaction; on refusal the page again with the reason and the
    text kept in its form."""
    services = _services(ctx.request)
    programme = _field(ctx, "programme", 64) or None
    try:
        async with services.db.transaction() as session:
            programme = await step(session)
    except CaseworkError as exc:
        error = ctx.t(
            "e_" + exc.code,
            max=canned.TEXT_MAX,
            title_max=canned.TITLE_MAX,
            length=len(str(draft.get("text", "")).strip()),
        )
        return await _page(ctx, programme, status=400, error=error, draft=draft)
    return RedirectResponse(_url(programme, done=done), status_code=303)


@signed_in
async def add_canned(ctx: Ctx) -> Response:
    """Add a canned reply."""
    title, body = _field(ctx, "title", 1000), _field(ctx, "text")
    asked = _field(ctx, "programme", 64) or None

    async def step(session: Any) -> str:
        await canned.add(session, ctx.account, title, body, programme=asked)
        listed = await canned.replies(session, ctx.account, asked)
        return listed.programme

    return await _change(ctx, step, {"id": None, "title": title, "text": body}, "added")


def _reply_id(ctx: Ctx) -> int:
    return int(ctx.request.path_params["reply_id"])


@signed_in
async def change_canned(ctx: Ctx) -> Response:
    """Save a canned reply's new title and text."""
    title, body = _field(ctx, "title", 1000), _field(ctx, "text")
    reply_id = _reply_id(ctx)

    async def step(session: Any) -> str:
        await canned.change(session, ctx.account, reply_id, title, body)
        listed = await canned.replies(session, ctx.account, _field(ctx, "programme", 64) or None)
        return listed.programme

    return await _change(ctx, step, {"id": reply_id, "title": title, "text": body}, "saved")


@signed_in
async def remove_canned(ctx: Ctx) -> Response:
    """Delete a canned reply."""
    reply_id = _reply_id(ctx)

    async def step(session: Any) -> str:
        return await canned.remove(session, ctx.account, reply_id)

    return await _change(ctx, step, {}, "removed")


ROUTES = [
    Route("/canned", canned_page, methods=["GET"]),
    Route("/canned", add_canned, methods=["POST"]),
    Route("/canned/{reply_id:int}", change_canned, methods=["POST"]),
    Route("/canned/{reply_id:int}/delete", remove_canned, methods=["POST"]),
]
