"""The operators' pages of the console: every text the bot sends, with a live preview, checks
before publishing, versions, diff and rollback, YAML export and import. Operators and admins only;
a coach gets 403 on every page here. Every change is written to the audit log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from accounts import audit
from accounts.service import ADMIN, OPERATOR
from console.app import Ctx, _field, _services, download, render, signed_in
from kernel import texts
from kernel.partners import list_partners
from messages import registry, validate
from messages.render import LANGUAGES, plain_text

IMPORT_MAX = 2_000_000
T = TypeVar("T")


def _forbidden(ctx: Ctx) -> Response | None:
    """403 for anyone but operators and admins (coaches must not reach these pages)."""
    if ctx.account.role in (OPERATOR, ADMIN):
        return None
    return render(ctx, "error.html", status=403, message=ctx.t("forbidden"))


def _staff(handler: Any) -> Any:
    async def guarded(ctx: Ctx) -> Response:
        refused = _forbidden(ctx)
        if refused is not None:
            return refused
        response: Response = await handler(ctx)
        return response

    guarded.__doc__ = handler.__doc__
    return signed_in(guarded)


def _target(ctx: Ctx) -> tuple[str, str, str | None]:
    key = str(ctx.request.path_params["key"])
    q = ctx.request.query_params
    form = getattr(ctx.request.state, "form", None)
    lang = str((form.get("lang") if form is not None else None) or q.get("lang") or "fr")
    raw = (form.get("programme") if form is not None else None) or q.get("programme") or ""
    return key, (lang if lang in LANGUAGES else "fr"), (str(raw).strip() or None)


def _info(key: str) -> registry.TextInfo | None:
    return next((info for info in registry.all_texts() if info.key == key), None)


def _editor_url(key: str, lang: str, programme: str | None, **extra: str) -> str:
    query = {"lang": lang, **({"programme": programme} if programme else {}), **extra}
    return f"/texts/{key}?{urlencode(query)}"


async def _list_page(ctx: Ctx, problems: list[str] | None = None) -> Response:
    query = ctx.request.query_params.get("q", "").strip()[:200]
    imported = ctx.request.query_params.get("imported")
    infos = registry.search(query) if query else list(registry.all_texts())
    async with _services(ctx.request).db.transaction() as session:
        overridden = await texts.overridden(session)
    flows: dict[str, list[registry.TextInfo]] = {}
    for info in infos:
        flows.setdefault(info.flow, []).append(info)
    return render(ctx, "texts.html", status=422 if problems else 200, flows=flows, query=query,
                  overridden=overridden, total=len(infos), problems=problems or [],
                  imported=imported if imported and imported.isdigit() else None)


async def _audited(
    ctx: Ctx,
    change: Callable[[Any], Awaitable[T]],
    kind: str,
    detail: Callable[[T], dict[str, Any]],
    *,
    programme: str | None = None,
) -> tuple[T | None, list[str]]:
    """Make one change to the stored texts and write it to the audit log, in one transaction.
    Its result, or the problems that refused it (then nothing changed, nothing is audited)."""
    async with _services(ctx.request).db.transaction() as session:
        try:
            result = await change(session)
        except texts.TextRejected as exc:
            return None, exc.problems
        await audit.record(
            session, ctx.account, kind, programme_code=programme, detail=detail(result)
        )
    return result, []


def _preview_html(verdict: validate.Check) -> str:
    """The text as Telegram would show it, or nothing when it does not render."""
    return validate.telegram_preview_html(verdict.rendered) if verdict.rendered else ""


@_staff
async def texts_list(ctx: Ctx) -> Response:
    """Every text, grouped by flow, with where it is overridden; search by key or words."""
    return await _list_page(ctx)


async def _editor(
    ctx: Ctx,
    *,
    body: str | None = None,
    problems: list[str] | None = None,
    notice: str | None = None,
    status: int = 200,
    diff: tuple[int, int] | None = None,
) -> Response:
    key, lang, programme = _target(ctx)
    info = _info(key)
    if info is None:
        return render(ctx, "not_found.html", status=404)
    async with _services(ctx.request).db.transaction() as session:
        versions = await texts.history(session, key, lang, programme)
        general = (
            texts.in_force(await texts.history(session, key, lang, None)) if programme else None
        )
        programmes = await list_partners(session)
    live = texts.in_force(versions)
    shipped = info.shipped_in(lang) or info.shipped_in("fr")
    fallback = general.body if general is not None else shipped
    current = live.body if live is not None else fallback
    draft = versions[0] if versions and versions[0].state == texts.DRAFT else None
    source = body if body is not None else (draft.body if draft is not None else current)
    verdict = validate.check(key, lang, source)
    diff_lines: list[str] = []
    if diff is not None:
        bodies = {v.version: v.body for v in versions}
        bodies[0] = shipped
        old, new = diff
        if old in bodies and new in bodies:
            diff_lines = texts.diff(bodies[old], bodies[new], f"version {old}", f"version {new}")
    return render(
        ctx,
        "text_edit.html",
        status=status,
        info=info,
        key=key,
        text_lang=lang,
        programme=programme,
        source=source,
        verdict=verdict,
        preview=_preview_html(verdict),
        is_button=key.endswith("_button"),
        problems=problems if problems is not None else verdict.problems,
        notice=notice,
        versions=versions,
        live=live,
        draft=draft,
        shipped=shipped,
        diff=diff,
        diff_lines=diff_lines,
        languages=LANGUAGES,
        editor_url=_editor_url,
        programmes=programmes,
    )


@_staff
async def text_page(ctx: Ctx) -> Response:
    """The editor of one text in one language (and programme), with its versions."""
    q = ctx.request.query_params
    diff = None
    if q.get("a", "").isdigit() and q.get("b", "").isdigit():
        diff = (int(q["a"]), int(q["b"]))
    notice = {"published": ctx.t("m_published"), "draft": ctx.t("m_draft"),
              "rolled_back": ctx.t("m_rolled_back")}.get(q.get("done", ""))
    return await _editor(ctx, diff=diff, notice=notice)


@_staff
async def text_preview(ctx: Ctx) -> Response:
    """The live preview while typing: the text rendered with sample values, as Telegram shows
    it, and what stands in the way of publishing it."""
    key, lang, _ = _target(ctx)
    if _info(key) is None:
        return JSONResponse({"error": "unknown text"}, status_code=404)
    verdict = validate.check(key, lang, _field(ctx, "body"))
    return JSONResponse(
        {
            "html": _preview_html(verdict),
            "problems": verdict.problems,
            "length": len(plain_text(verdict.rendered)),
            "ok": verdict.ok,
        }
    )


@_staff
async def text_save(ctx: Ctx) -> Response:
    """Save a draft, or publish (after the checks)."""
    key, lang, programme = _target(ctx)
    if _info(key) is None:
        return render(ctx, "not_found.html", status=404)
    body = _field(ctx, "body")
    comment = _field(ctx, "comment", 500)
    publish = _field(ctx, "action", 16) == "publish"
    write = texts.publish if publish else texts.save_draft
    _, problems = await _audited(
        ctx,
        lambda session: write(
            session, key, lang, body, who=ctx.account.email, partner_code=programme,
            comment=comment,
        ),
        audit.TEXT_PUBLISHED if publish else audit.TEXT_DRAFT,
        lambda version: {"key": key, "lang": lang, "version": version.version},
        programme=programme,
    )
    if problems:
        return await _editor(ctx, body=body, problems=problems, status=422)
    done = "published" if publish else "draft"
    return RedirectResponse(_editor_url(key, lang, programme, done=done), status_code=303)


@_staff
async def text_rollback(ctx: Ctx) -> Response:
    """Publish an earlier version again (as a new version)."""
    key, lang, programme = _target(ctx)
    raw = _field(ctx, "version", 12)
    if _info(key) is None or not raw.isdigit():
        return render(ctx, "not_found.html", status=404)
    _, problems = await _audited(
        ctx,
        lambda session: texts.rollback(
            session, key, lang, int(raw), who=ctx.account.email, partner_code=programme
        ),
        audit.TEXT_ROLLED_BACK,
        lambda version: {"key": key, "lang": lang, "to": int(raw), "version": version.version},
        programme=programme,
    )
    if problems:
        return await _editor(ctx, problems=problems, status=422)
    return RedirectResponse(_editor_url(key, lang, programme, done="rolled_back"),
                            status_code=303)


@_staff
async def texts_export(ctx: Ctx) -> Response:
    """Every operator's text in force, as one YAML file."""
    async with _services(ctx.request).db.transaction() as session:
        document = await texts.export_yaml(session)
        await audit.record(session, ctx.account, audit.TEXTS_EXPORTED)
    return download(document, "application/yaml; charset=utf-8", "tremplin-texts.yaml")


@_staff
async def texts_import(ctx: Ctx) -> Response:
    """Publish every text of an exported YAML file, all or nothing, with the same checks."""
    upload = ctx.request.state.form.get("file")
    if upload is not None and not isinstance(upload, str):
        document = (await upload.read(IMPORT_MAX + 1)).decode("utf-8", "replace")
    else:
        document = _field(ctx, "document", IMPORT_MAX + 1)
    count: int | None = None
    if len(document) > IMPORT_MAX:
        problems = [ctx.t("e_import_size")]
    else:
        count, problems = await _audited(
            ctx,
            lambda session: texts.import_yaml(session, document, who=ctx.account.email),
            audit.TEXTS_IMPORTED,
            lambda published: {"published": published},
        )
    if problems:
        return await _list_page(ctx, problems)
    return RedirectResponse("/texts?" + urlencode({"imported": count}), status_code=303)


ROUTES = [
    Route("/texts", texts_list, methods=["GET"]),
    Route("/texts/export.yaml", texts_export, methods=["GET"]),
    Route("/texts/import", texts_import, methods=["POST"]),
    Route("/texts/{key:str}", text_page, methods=["GET"]),
    Route("/texts/{key:str}/preview", text_preview, methods=["POST"]),
    Route("/texts/{key:str}", text_save, methods=["POST"]),
    Route("/texts/{key:str}/rollback", text_rollback, methods=["POST"]),
]
