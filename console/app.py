"""The console's Starlette application: sign-in, the coach's inbox and referral pages, the admins'
audit log and accounts. Every page requires a signed-in account; every POST requires the session's
CSRF token; anything out of the account's scope is a 404 (the domain services decide)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from accounts import audit
from accounts import service as accounts
from accounts.passwords import PasswordError, generate_password
from accounts.scope import NotFound
from accounts.service import AccountError, AccountView
from coaching import casework, referrals
from coaching.casework import CaseworkError
from console.security import (
    COOKIE,
    Network,
    SecurityHeaders,
    SessionData,
    SessionSigner,
    came_over_https,
    client_address,
    csrf_ok,
)
from console.texts import action_text, text
from kernel.secret_box import SecretBox
from messages.messenger import Messenger
from messages.render import plain_text, render_label
from storage.engine import Database

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
FORM_MAX_FIELD = 20_000


@dataclass
class ConsoleServices:
    """What the console needs: the database, the bot's messenger (to send replies), the careers
    catalogue (titles), the cookie signer, and whether cookies are sent over HTTPS only."""

    db: Database
    messenger: Messenger
    signer: SessionSigner
    catalogue: Any = None
    # Cookies' Secure flag: True always, False never, None when the request came over HTTPS
    # (directly or as a trusted proxy says).
    secure_cookies: bool | None = None
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (none by default).
    trusted_proxies: tuple[Network, ...] = ()
    poll_seconds: float = 4.0
    # Encrypts the partners' webhook secrets typed in the console (TREMPLIN_SECRETS_KEY).
    secrets: SecretBox = field(default_factory=SecretBox)
    templates: Environment = field(init=False)

    def __post_init__(self) -> None:
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )


@dataclass
class Ctx:
    """One request's signed-in account and session."""

    request: Request
    account: AccountView
    session: SessionData

    @property
    def lang(self) -> str:
        """The console language: the session's choice, else the account's."""
        return self.session.lang or self.account.language

    def t(self, key: str, **values: object) -> str:
        """A label in the console language."""
        return text(key, self.lang, **values)


def _services(request: Request) -> ConsoleServices:
    services: ConsoleServices = request.app.state.services
    return services


def _peer(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _address(request: Request) -> str:
    services = _services(request)
    return client_address(_peer(request), request.headers, services.trusted_proxies)


def _set_cookie(
    request: Request, response: Response, services: ConsoleServices, data: SessionData
) -> None:
    secure = services.secure_cookies
    if secure is None:
        secure = came_over_https(
            request.url.scheme, _peer(request), request.headers, services.trusted_proxies
        )
    response.set_cookie(
        COOKIE,
        services.signer.dumps(data),
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )


def _local(dt: datetime | None, account: AccountView, lang: str) -> str:
    if dt is None:
        return text("none", lang)
    local = dt.astimezone(account.zone)
    return local.strftime("%d/%m/%Y %H:%M" if lang == "fr" else "%Y-%m-%d %H:%M")


def _duration(delta: timedelta, lang: str) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} j {hours} h" if lang == "fr" else f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins:02d}" if lang == "fr" else f"{hours} h {mins} min"
    return f"{mins} min"


def render(ctx: Ctx | None, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    """A page from the console's templates, with the helpers every page uses."""
    request = ctx.request if ctx is not None else values.pop("request")
    services = _services(request)
    lang = ctx.lang if ctx is not None else values.pop("lang", "fr")
    now = datetime.now(UTC)

    def when(dt: datetime | None) -> str:
        return _local(dt, ctx.account, lang) if ctx is not None else str(dt)

    def since(dt: datetime | None) -> str:
        return _duration(now - dt, lang) if dt is not None else ""

    body = services.templates.get_template(name).render(
        t=lambda key, **kw: text(key, lang, **kw),
        lang=lang,
        account=ctx.account if ctx is not None else None,
        csrf=ctx.session.csrf if ctx is not None else values.pop("csrf", ""),
        when=when,
        since=since,
        plain=plain_text,
        action_label=lambda action: action_text(action, lang),
        outcomes=referrals.OUTCOMES,
        path=request.url.path,
        **values,
    )
    return HTMLResponse(body, status_code=status)


def _not_found(ctx: Ctx) -> HTMLResponse:
    return render(ctx, "not_found.html", status=404)


Handler = Callable[[Ctx], Awaitable[Response]]


def signed_in(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler: require a valid session (else the sign-in page), require the CSRF token
    on POST (else 403, nothing done), answer NotFound with 404, and slide the idle time-out."""

    async def endpoint(request: Request) -> Response:
        services = _services(request)
        data, expired = services.signer.loads(request.cookies.get(COOKIE))
        account = None
        if data is not None and data.account_id is not None and not expired:
            async with services.db.transaction() as session:
                account = await accounts.current_account(session, data.account_id, data.version)
        if data is None or account is None:
            if request.method != "GET" or request.url.path.endswith("/updates"):
                status = 401 if request.url.path.endswith("/updates") else 403
                return (
                    JSONResponse({"error": "signed_out"}, status_code=status)
                    if (status == 401)
                    else _login_redirect(request, expired)
                )
            return _login_redirect(request, expired)
        ctx = Ctx(request, account, data.touched())
        if request.method == "POST":
            form = await request.form(max_fields=50, max_part_size=FORM_MAX_FIELD * 4)
            request.state.form = form
            given = str(form.get("csrf") or request.headers.get("x-csrf-token") or "")
            if not csrf_ok(data.csrf, given):
                return render(ctx, "error.html", status=403, message=ctx.t("csrf"))
        try:
            response = await handler(ctx)
        except NotFound:
            response = _not_found(ctx)
        _set_cookie(request, response, services, ctx.session)
        return response

    return endpoint


def _login_redirect(request: Request, expired: bool) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    query = {"next": target}
    if expired:
        query["expired"] = "1"
    return RedirectResponse(f"/login?{urlencode(query)}", status_code=303)


def _form(ctx: Ctx) -> FormData:
    form: FormData = ctx.request.state.form
    return form


def _field(ctx: Ctx, name: str, limit: int = FORM_MAX_FIELD) -> str:
    value = _form(ctx).get(name)
    return str(value)[:limit] if isinstance(value, str) else ""


# ----- sign-in ------------------------------------------------------------------------------------


def _safe_next(raw: str | None) -> str:
    # Only paths of this site: no open redirect to another host.
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return "/"


def _login_form(
    request: Request,
    lang: str,
    csrf: str,
    *,
    status: int = 200,
    next_path: str = "/",
    message: str | None = None,
    error: str | None = None,
    email: str = "",
) -> HTMLResponse:
    """The sign-in form, with a notice (`message`) or the reason the last try failed (`error`)."""
    return render(
        None,
        "login.html",
        status=status,
        request=request,
        lang=lang,
        csrf=csrf,
        next=next_path,
        message=message,
        error=error,
        email=email,
    )


async def login_page(request: Request) -> Response:
    """The sign-in form (with a fresh pre-session for its CSRF token)."""
    services = _services(request)
    data, _ = services.signer.loads(request.cookies.get(COOKIE))
    lang = request.query_params.get("lang") or (data.lang if data else "fr")
    lang = lang if lang in ("fr", "en") else "fr"
    anon = SessionData.anonymous(lang)
    message = None
    if request.query_params.get("expired"):
        message = text("expired", lang)
    elif request.query_params.get("out"):
        message = text("signed_out", lang)
    next_path = _safe_next(request.query_params.get("next"))
    response = _login_form(request, lang, anon.csrf, next_path=next_path, message=message)
    _set_cookie(request, response, services, anon)
    return response


async def login(request: Request) -> Response:
    """Check the CSRF token, then the address and password (throttled)."""
    services = _services(request)
    data, _ = services.signer.loads(request.cookies.get(COOKIE))
    form = await request.form(max_fields=10, max_part_size=4096)
    lang = data.lang if data else "fr"
    if data is None or not csrf_ok(data.csrf, str(form.get("csrf") or "")):
        anon = SessionData.anonymous(lang)
        response = _login_form(request, lang, anon.csrf, status=403, error=text("csrf", lang))
        _set_cookie(request, response, services, anon)
        return response
    email = str(form.get("email") or "")[:254]
    password = str(form.get("password") or "")[:500]
    next_path = _safe_next(str(form.get("next") or "/"))
    async with services.db.transaction() as session:
        result = await accounts.sign_in(session, email, password, _address(request))
        if result.account is not None:
            await audit.record(session, result.account, audit.SIGN_IN)
    if result.account is None:
        if result.reason == "throttled" and result.retry_after is not None:
            minutes = max(1, int(result.retry_after.total_seconds() // 60) + 1)
            error = text("throttled", lang, minutes=minutes)
            status = 429
        else:
            error, status = text("wrong", lang), 401
        return _login_form(
            request, lang, data.csrf, status=status, next_path=next_path, error=error, email=email
        )
    session_data = data.signed_in(result.account.id, result.account.session_version).speaking(
        result.account.language
    )
    redirect = RedirectResponse(next_path, status_code=303)
    _set_cookie(request, redirect, services, session_data)
    return redirect


@signed_in
async def logout(ctx: Ctx) -> Response:
    """End the session (the cookie is replaced by an empty pre-session)."""
    services = _services(ctx.request)
    async with services.db.transaction() as session:
        await audit.record(session, ctx.account, audit.SIGN_OUT)
    response = RedirectResponse("/login?out=1", status_code=303)
    ctx.session = SessionData.anonymous(ctx.lang)
    return response


@signed_in
async def preferences(ctx: Ctx) -> Response:
    """Switch the console language for this session."""
    lang = _field(ctx, "lang", 5)
    if lang in ("fr", "en"):
        ctx.session = ctx.session.speaking(lang)
    return RedirectResponse(_safe_next(_field(ctx, "next", 500)), status_code=303)


# ----- home and inbox -----------------------------------------------------------------------------


def _date(raw: str | None, account: AccountView, *, end: bool = False) -> datetime | None:
    if not raw:
        return None
    try:
        day = datetime.strptime(raw[:10], "%Y-%m-%d").replace(tzinfo=account.zone)
    except ValueError:
        return None
    return (day + timedelta(days=1) if end else day).astimezone(UTC)


@signed_in
async def home(ctx: Ctx) -> Response:
    """Coaches land on their inbox, admins on the audit log, operators on the bot texts."""
    if ctx.account.is_coach:
        return await _inbox(ctx)
    if ctx.account.is_admin:
        return RedirectResponse("/audit", status_code=303)
    return RedirectResponse("/texts", status_code=303)


async def _inbox(ctx: Ctx) -> Response:
    q = ctx.request.query_params
    page = q.get("page", "1")
    filters = casework.InboxFilter(
        state=q.get("state") or None,
        departement=(q.get("departement") or "").strip().upper()[:3] or None,
        since=_date(q.get("from"), ctx.account),
        until=_date(q.get("to"), ctx.account, end=True),
        search=(q.get("q") or "")[: casework.SEARCH_MAX],
        page=int(page) if page.isdigit() else 1,
    )
    services = _services(ctx.request)
    async with services.db.transaction() as session:
        inbox = await casework.inbox(session, ctx.account, filters, catalogue=services.catalogue)
    kept = {k: v for k, v in q.items() if k in ("state", "departement", "from", "to", "q") and v}
    return render(
        ctx,
        "inbox.html",
        inbox=inbox,
        filters=kept,
        states=casework.VIEW_STATES,
        page_link=lambda n: "/?" + urlencode({**kept, "page": n}),
    )


# ----- one referral -------------------------------------------------------------------------------


async def _referral_page(
    ctx: Ctx,
    referral_id: int,
    *,
    status: int = 200,
    message: str | None = None,
    error: str | None = None,
    draft: str = "",
) -> Response:
    services = _services(ctx.request)
    async with services.db.transaction() as session:
        page = await casework.open_referral(
            session, ctx.account, referral_id, catalogue=services.catalogue
        )
    return render(
        ctx,
        "referral.html",
        status=status,
        r=page,
        message=message,
        error=error,
        draft=draft,
        reply_max=casework.REPLY_MAX,
        transcript_max=casework.TRANSCRIPT_MAX,
        # The user's answers, worded as the bot offered them.
        situation_label=lambda code: _answer_label("coach.situation_", code, ctx.lang),
        age_label=lambda code: _answer_label("coach.age_", code, ctx.lang),
        poll_ms=int(services.poll_seconds * 1000),
        cursor=urlencode(page.cursor),
    )


def _answer_label(prefix: str, code: str, lang: str) -> str:
    try:
        return render_label(prefix + code, lang)
    except LookupError:
        return code  # an answer of an older version of the question


def _referral_id(ctx: Ctx) -> int:
    return int(ctx.request.path_params["referral_id"])


@signed_in
async def referral(ctx: Ctx) -> Response:
    """The referral page (a transcript view in the audit log)."""
    code = ctx.request.query_params.get("m", "")
    message = ctx.t("m_" + code) if code in _MESSAGES else None
    return await _referral_page(ctx, _referral_id(ctx), message=message)


_MESSAGES = ("sent", "note", "accepted", "closed", "closed_unsent", "outcome")


def _back(referral_id: int, code: str) -> Response:
    return RedirectResponse(f"/referrals/{referral_id}?m={code}#reply", status_code=303)


@signed_in
async def updates(ctx: Ctx) -> Response:
    """New lines since the page's cursor, as HTML to append (the page polls this)."""
    services = _services(ctx.request)
    q = ctx.request.query_params
    after = {key: int(q[key]) if q.get(key, "").isdigit() else 0 for key in ("bot", "relay")}
    referral_id = _referral_id(ctx)
    try:
        async with services.db.transaction() as session:
            found = await casework.new_lines(session, ctx.account, referral_id, after)
    except NotFound:
        return JSONResponse({"gone": True, "message": ctx.t("gone_live")}, status_code=404)
    html = services.templates.get_template("_lines.html").render(
        lines=found.lines,
        t=ctx.t,
        when=lambda dt: _local(dt, ctx.account, ctx.lang),
        plain=plain_text,
    )
    satisfaction = None
    if found.satisfaction_score is not None:
        satisfaction = ctx.t("satisfaction_score", score=found.satisfaction_score)
        if found.satisfaction_comment:
            satisfaction += " — " + found.satisfaction_comment
    return JSONResponse(
        {
            "html": html,
            "count": len(found.lines),
            "cursor": found.cursor,
            "state": found.state,
            "state_label": ctx.t("state_" + found.state),
            "satisfaction": satisfaction,
        }
    )


@signed_in
async def reply(ctx: Ctx) -> Response:
    """Send the coach's reply through the bot; on refusal the page comes back with the text kept
    in the box and the reason."""
    services = _services(ctx.request)
    referral_id = _referral_id(ctx)
    draft = _field(ctx, "text")
    try:
        result = await casework.reply(
            services.db, services.messenger, ctx.account, referral_id, draft
        )
    except NotFound:
        return render(ctx, "error.html", status=404, message=ctx.t("e_gone"))
    except CaseworkError as exc:
        key = "e_unreachable_before" if exc.code == "unreachable" else "e_" + exc.code
        error = ctx.t(key, max=casework.REPLY_MAX, length=len(draft.strip()))
        status = 409 if exc.code in ("closed", "unreachable") else 400
        return await _referral_page(ctx, referral_id, status=status, error=error, draft=draft)
    if result.delivered:
        return _back(referral_id, "sent")
    if result.reason in ("unknown",):
        return render(ctx, "error.html", status=404, message=ctx.t("e_gone"))
    key = {
        "closed": "e_closed",
        "unreachable": "e_unreachable",
        "retry_later": "e_retry_later",
    }.get(result.reason or "", "e_failed")
    return await _referral_page(
        ctx, referral_id, status=502 if key == "e_failed" else 409, error=ctx.t(key)
    )


async def _casework_step(
    ctx: Ctx,
    step: Callable[[Any, int], Awaitable[object]],
    *,
    done: str,
    refused: int,
    **error_values: object,
) -> Response:
    """Run one casework step on the referral of the URL in a transaction: back to the referral
    page with the `done` message, or, when casework refuses, the page again with the reason
    (status `refused`)."""
    services = _services(ctx.request)
    referral_id = _referral_id(ctx)
    try:
        async with services.db.transaction() as session:
            await step(session, referral_id)
    except CaseworkError as exc:
        error = ctx.t("e_" + exc.code, **error_values)
        return await _referral_page(ctx, referral_id, status=refused, error=error)
    return _back(referral_id, done)


@signed_in
async def add_note(ctx: Ctx) -> Response:
    """A private note."""
    draft = _field(ctx, "note")
    return await _casework_step(
        ctx,
        lambda session, referral_id: casework.add_note(session, ctx.account, referral_id, draft),
        done="note",
        refused=400,
        max=casework.NOTE_MAX,
        length=len(draft.strip()),
    )


@signed_in
async def accept(ctx: Ctx) -> Response:
    """Take a new referral."""
    return await _casework_step(
        ctx,
        lambda session, referral_id: casework.accept(session, ctx.account, referral_id),
        done="accepted",
        refused=409,
    )


@signed_in
async def close(ctx: Ctx) -> Response:
    """Close with an outcome; the user gets the satisfaction question."""
    services = _services(ctx.request)
    referral_id = _referral_id(ctx)
    try:
        asked = await casework.close(
            services.db, services.messenger, ctx.account, referral_id, _field(ctx, "outcome", 40)
        )
    except CaseworkError as exc:
        status = 409 if exc.code == "closed" else 400
        return await _referral_page(ctx, referral_id, status=status, error=ctx.t("e_" + exc.code))
    return _back(referral_id, "closed" if asked else "closed_unsent")


@signed_in
async def set_outcome(ctx: Ctx) -> Response:
    """Correct the outcome of a closed referral."""
    outcome = _field(ctx, "outcome", 40)
    return await _casework_step(
        ctx,
        lambda session, referral_id: casework.set_outcome(
            session, ctx.account, referral_id, outcome
        ),
        done="outcome",
        refused=400,
    )


@signed_in
async def export(ctx: Ctx) -> Response:
    """The programme's referrals as CSV (states, outcomes, dates; no conversation)."""
    services = _services(ctx.request)
    async with services.db.transaction() as session:
        body = await casework.export_csv(session, ctx.account)
    name = f"referrals-{ctx.account.programme_code}-{datetime.now(UTC):%Y%m%d}.csv"
    return download(body, "text/csv; charset=utf-8", name)


def download(body: str, media_type: str, filename: str) -> Response:
    """A file the browser saves under `filename` rather than shows."""
    return Response(
        body,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{quote(filename)}"'},
    )


# ----- admins -------------------------------------------------------------------------------------


@signed_in
async def audit_log(ctx: Ctx) -> Response:
    """The audit log, filtered, newest first (admins only; anyone else 404)."""
    q = ctx.request.query_params
    referral_raw = q.get("referral", "")
    page_raw = q.get("page", "1")
    page = int(page_raw) if page_raw.isdigit() and int(page_raw) > 0 else 1
    filters = audit.AuditFilter(
        account_email=q.get("account") or None,
        action=q.get("action") if q.get("action") in audit.ACTIONS else None,
        referral_id=int(referral_raw) if referral_raw.isdigit() else None,
        programme_code=q.get("programme") or None,
        since=_date(q.get("from"), ctx.account),
        until=_date(q.get("to"), ctx.account, end=True),
    )
    services = _services(ctx.request)
    async with services.db.transaction() as session:
        log_page = await audit.read_log(
            session, ctx.account, filters, limit=100, offset=(page - 1) * 100
        )
    kept = {
        k: v
        for k, v in q.items()
        if k in ("account", "action", "referral", "programme", "from", "to") and v
    }
    pages = max(1, -(-log_page.total // 100))
    return render(
        ctx,
        "audit.html",
        log=log_page,
        filters=kept,
        actions=audit.ACTIONS,
        page=page,
        pages=pages,
        page_link=lambda n: "/audit?" + urlencode({**kept, "page": n}),
    )


def _admin(ctx: Ctx) -> None:
    if not ctx.account.is_admin:
        raise NotFound("accounts")


async def _accounts_page(
    ctx: Ctx, *, status: int = 200, error: str | None = None, shown: str | None = None
) -> Response:
    _admin(ctx)
    services = _services(ctx.request)
    async with services.db.transaction() as session:
        everyone = await accounts.list_accounts(session)
        programmes = sorted(await _programme_codes(session))
    return render(
        ctx,
        "accounts.html",
        status=status,
        accounts=everyone,
        roles=accounts.ROLES,
        programmes=programmes,
        error=error,
        shown=shown,
    )


async def _programme_codes(session: Any) -> list[str]:
    from kernel.partners import list_partners

    return [p.code for p in await list_partners(session)]


@signed_in
async def accounts_page(ctx: Ctx) -> Response:
    """Every account, with a form to add one (admins only)."""
    return await _accounts_page(ctx)


@signed_in
async def create_account(ctx: Ctx) -> Response:
    """An admin creates an account; its generated password is shown once."""
    _admin(ctx)
    services = _services(ctx.request)
    password = generate_password()
    role = _field(ctx, "role", 16)
    try:
        async with services.db.transaction() as session:
            created = await accounts.create_account(
                session,
                _field(ctx, "email", 254),
                role,
                password,
                programme_code=(_field(ctx, "programme", 64) or None) if role == "coach" else None,
                display_name=_field(ctx, "name", 100),
                language=_field(ctx, "language", 5) or "fr",
            )
            await audit.record(
                session,
                ctx.account,
                audit.ACCOUNT_CREATED,
                detail={
                    "email": created.email,
                    "role": created.role,
                    "programme": created.programme_code,
                },
            )
    except (AccountError, PasswordError) as exc:
        return await _accounts_page(ctx, status=400, error=str(exc))
    return await _accounts_page(
        ctx, shown=ctx.t("password_once", email=created.email, password=password)
    )


@signed_in
async def change_account(ctx: Ctx) -> Response:
    """Disable, enable or reset the password of an account (admins only)."""
    _admin(ctx)
    services = _services(ctx.request)
    action = ctx.request.path_params["action"]
    if action not in ("disable", "enable", "reset"):
        raise NotFound(action)
    shown = None
    async with services.db.transaction() as session:
        target = await accounts.get_account(session, int(ctx.request.path_params["account_id"]))
        if target is None:
            raise NotFound("account")
        if action == "disable":
            if target.id == ctx.account.id:
                raise NotFound("own account")  # an admin cannot lock themselves out
            await accounts.disable_account(session, target.email)
            kind = audit.ACCOUNT_DISABLED
        elif action == "enable":
            await accounts.enable_account(session, target.email)
            kind = audit.ACCOUNT_ENABLED
        else:
            password = generate_password()
            await accounts.reset_password(session, target.email, password)
            shown = ctx.t("password_once", email=target.email, password=password)
            kind = audit.PASSWORD_RESET
        await audit.record(session, ctx.account, kind, detail={"email": target.email})
    return await _accounts_page(ctx, shown=shown)


# ----- the application ----------------------------------------------------------------------------


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        return render(None, "not_found.html", status=404, request=request, lang="fr")
    return render(
        None,
        "error.html",
        status=status,
        request=request,
        lang="fr",
        message=text("not_found_long", "fr"),
    )


def build_console(services: ConsoleServices) -> Starlette:
    """The console application."""
    referral_path = "/referrals/{referral_id:int}"
    routes = [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/preferences", preferences, methods=["POST"]),
        Route("/", home, methods=["GET"]),
        Route(referral_path, referral, methods=["GET"]),
        Route(referral_path + "/updates", updates, methods=["GET"]),
        Route(referral_path + "/reply", reply, methods=["POST"]),
        Route(referral_path + "/notes", add_note, methods=["POST"]),
        Route(referral_path + "/accept", accept, methods=["POST"]),
        Route(referral_path + "/close", close, methods=["POST"]),
        Route(referral_path + "/outcome", set_outcome, methods=["POST"]),
        Route("/export.csv", export, methods=["GET"]),
        Route("/audit", audit_log, methods=["GET"]),
        Route("/accounts", accounts_page, methods=["GET"]),
        Route("/accounts", create_account, methods=["POST"]),
        Route(
            "/accounts/{account_id:int}/{action:str}",
            change_account,
            methods=["POST"],
        ),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    # imported here: they build on this module
    from console import canned, dashboard, operators, programmes

    routes[-1:-1] = operators.ROUTES + dashboard.ROUTES + canned.ROUTES + programmes.ROUTES
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={404: _http_error, 405: _http_error},
    )
    app.state.services = services
    return app


ACTION_URLS = ("reply", "notes", "accept", "close", "outcome")
"""The POST actions on a referral (tests try each one out of scope)."""
