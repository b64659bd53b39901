"""The partner programmes' pages of the console: the list, a form to create one and the same form
to edit one. Operators and admins only (a coach gets 403); every save is in the audit log. The
rules are `coaching.programme_edits`; this module reads the form and shows the pages."""

from __future__ import annotations

from dataclasses import replace

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from accounts import audit
from coaching import programme_edits as edits
from console.app import Ctx, _field, _form, _services, render
from console.operators import _staff
from kernel.partners import SITUATIONS


def _read_form(ctx: Ctx) -> edits.ProgrammeForm:
    form = _form(ctx)
    texts = {name: _field(ctx, name, 4000) for name in edits.TEXT_FIELDS}
    situations = tuple(s for s in SITUATIONS if s in form.getlist("situations"))
    return edits.ProgrammeForm(
        **texts, is_open=form.get("is_open") == "1", situations=situations
    )


async def _form_page(
    ctx: Ctx,
    form: edits.ProgrammeForm,
    *,
    code: str | None,
    status: int = 200,
    error: edits.ProgrammeRejected | None = None,
    notice: str | None = None,
) -> Response:
    services = _services(ctx.request)
    view = None
    if code is not None:
        async with services.db.transaction() as session:
            view = await edits.programme_view(session, code, services.secrets)
    return render(
        ctx,
        "programme_edit.html",
        status=status,
        form=form,
        code=code,
        view=view,
        error=error,
        notice=notice,
        situations=SITUATIONS,
    )


@_staff
async def programmes_list(ctx: Ctx) -> Response:
    """Every programme: open or not, offered to users now, webhook, where it comes from."""
    services = _services(ctx.request)
    async with services.db.transaction() as session:
        views = await edits.programme_views(session, services.secrets)
    return render(ctx, "programmes.html", views=views)


@_staff
async def new_programme(ctx: Ctx) -> Response:
    """The empty form."""
    return await _form_page(ctx, edits.ProgrammeForm(), code=None)


@_staff
async def edit_programme(ctx: Ctx) -> Response:
    """The form filled with a programme (its secret never shown: masked beside the field)."""
    code = str(ctx.request.path_params["code"])
    services = _services(ctx.request)
    async with services.db.transaction() as session:
        view = await edits.programme_view(session, code, services.secrets)
    done = ctx.request.query_params.get("done", "")
    notice = {"created": ctx.t("p_created"), "saved": ctx.t("p_saved")}.get(done)
    return await _form_page(ctx, edits.form_of(view.partner), code=code, notice=notice)


async def _save(ctx: Ctx, code: str | None) -> Response:
    form = _read_form(ctx)
    services = _services(ctx.request)
    try:
        async with services.db.transaction() as session:
            saved = await edits.save_programme(session, form, box=services.secrets, code=code)
            await audit.record(
                session,
                ctx.account,
                audit.PROGRAMME_CREATED if saved.created else audit.PROGRAMME_CHANGED,
                programme_code=saved.partner.code,
                detail={"code": saved.partner.code, "name": saved.partner.name,
                        "changed": saved.changed},
            )
    except edits.ProgrammeRejected as exc:
        # Everything typed comes back, the new secret included (in its password field).
        return await _form_page(ctx, replace(form, code=code or form.code), code=code,
                                status=422, error=exc)
    done = "created" if saved.created else "saved"
    return RedirectResponse(f"/programmes/{saved.partner.code}?done={done}", status_code=303)


@_staff
async def create_programme(ctx: Ctx) -> Response:
    """Create a programme from the form."""
    return await _save(ctx, None)


@_staff
async def save_programme(ctx: Ctx) -> Response:
    """Save the form over a programme."""
    return await _save(ctx, str(ctx.request.path_params["code"]))


ROUTES = [
    Route("/programmes", programmes_list, methods=["GET"]),
    Route("/programmes/new", new_programme, methods=["GET"]),
    Route("/programmes/new", create_programme, methods=["POST"]),
    Route("/programmes/{code:str}", edit_programme, methods=["GET"]),
    Route("/programmes/{code:str}", save_programme, methods=["POST"]),
]
