"""The console over HTTP without a browser: every page needs a session, an idle session expires
with a clear message, a forged cookie is no session, no open redirect after sign-in, security
headers everywhere, a 404 page for unknown addresses, English on request, labels on every field."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from accounts import audit
from accounts import service as accounts
from coaching.partners import SHIPPED, import_partners
from console.app import ConsoleServices, build_console
from console.security import COOKIE, SessionData, SessionSigner, parse_networks
from kernel import texts
from storage.engine import Database
from tremplin.console_process import NoBot
from tremplin.serving import serve
from tremplin.settings import SettingsError, load_settings

PASSWORD = "a long enough password"
SECRET = "test-secret"


@pytest.fixture
async def client(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with db.transaction() as session:
        await import_partners(session, SHIPPED)
        await accounts.create_account(
            session, "julie@cap.example", "coach", PASSWORD, programme_code="cap_jeunes"
        )
    services = ConsoleServices(db=db, messenger=NoBot(), signer=SessionSigner(SECRET))
    transport = httpx.ASGITransport(app=build_console(services), client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://console") as http:
        yield http


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


async def _sign_in(http: httpx.AsyncClient, next_path: str = "/") -> httpx.Response:
    page = await http.get("/login")
    return await http.post(
        "/login",
        data={
            "csrf": _csrf(page.text),
            "email": "julie@cap.example",
            "password": PASSWORD,
            "next": next_path,
        },
    )


async def test_every_page_requires_a_session(client: httpx.AsyncClient) -> None:
    for path in ("/", "/referrals/1", "/audit", "/accounts", "/export.csv"):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    response = await client.get("/referrals/1/updates")
    assert response.status_code == 401


async def test_an_idle_session_expires_with_a_clear_message(client: httpx.AsyncClient) -> None:
    signed = await _sign_in(client)
    assert signed.status_code == 303
    assert (await client.get("/")).status_code == 200
    value = client.cookies[COOKIE]
    data, expired = SessionSigner(SECRET).loads(value)
    assert data is not None and not expired
    old = SessionData(
        data.account_id, data.version, data.csrf, data.issued, time.time() - 31 * 60, data.lang
    )
    client.cookies.clear()
    response = await client.get(
        "/", headers={"cookie": f"{COOKIE}={SessionSigner(SECRET).dumps(old)}"}
    )
    assert response.status_code == 303 and "expired=1" in response.headers["location"]
    page = await client.get(response.headers["location"])
    assert "Votre session a expiré" in page.text


async def test_a_forged_cookie_is_no_session(client: httpx.AsyncClient) -> None:
    forged = SessionSigner("another secret").dumps(SessionData(1, 1, "x", time.time(), time.time()))
    response = await client.get("/", headers={"cookie": f"{COOKIE}={forged}"})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_sign_in_goes_back_to_the_page_asked_but_never_elsewhere(
    client: httpx.AsyncClient,
) -> None:
    assert (await _sign_in(client, "//evil.example/x")).headers["location"] == "/"
    client.cookies.clear()
    assert (await _sign_in(client, "/?state=new")).headers["location"] == "/?state=new"


async def test_a_login_without_its_token_is_refused(client: httpx.AsyncClient) -> None:
    await client.get("/login")
    response = await client.post(
        "/login", data={"email": "julie@cap.example", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert COOKIE in response.cookies  # a fresh form token, but no session
    assert (await client.get("/")).status_code == 303


async def test_headers_404_language_and_labels(client: httpx.AsyncClient) -> None:
    login = await client.get("/login?lang=en")
    assert "E-mail address" in login.text
    for header, value in (
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("cache-control", "no-store"),
    ):
        assert login.headers[header] == value
    assert "script-src 'self'" in login.headers["content-security-policy"]
    await _sign_in(client)
    inbox = await client.get("/")
    # Every field has a visible label pointing at it.
    fields = re.findall(
        r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*id="([^"]+)"', inbox.text
    )
    labels = set(re.findall(r'<label for="([^"]+)"', inbox.text))
    assert fields and set(fields) <= labels
    missing = await client.get("/no/such/page")
    assert missing.status_code == 404 and "Page introuvable" in missing.text
    assert missing.headers["x-frame-options"] == "DENY"


async def test_admins_manage_accounts_in_the_console(db: Database) -> None:
    async with db.transaction() as session:
        await import_partners(session, SHIPPED)
        await accounts.create_account(session, "admin@example.org", "admin", PASSWORD)
    services = ConsoleServices(db=db, messenger=NoBot(), signer=SessionSigner(SECRET))
    transport = httpx.ASGITransport(app=build_console(services), client=("127.0.0.1", 5001))
    async with httpx.AsyncClient(transport=transport, base_url="http://console") as http:
        login = await http.get("/login")
        await http.post(
            "/login",
            data={"csrf": _csrf(login.text), "email": "admin@example.org", "password": PASSWORD},
        )
        page = await http.get("/accounts")
        created = await http.post(
            "/accounts",
            data={
                "csrf": _csrf(page.text),
                "email": "new@cap.example",
                "role": "coach",
                "programme": "cap_jeunes",
                "name": "Nina",
            },
        )
        assert created.status_code == 200
        shown = re.search(r"new@cap\.example, affiché une seule fois : (\S+)<", created.text)
        assert shown is not None
        async with db.transaction() as session:
            assert await accounts.programme_has_active_coach(session, "cap_jeunes")
            new = next(a for a in await accounts.list_accounts(session) if a.role == "coach")
        refused = await http.post(
            "/accounts", data={"csrf": _csrf(page.text), "email": "x", "role": "coach"}
        )
        assert refused.status_code == 400 and "is not an e-mail address" in refused.text
        disabled = await http.post(f"/accounts/{new.id}/disable", data={"csrf": _csrf(page.text)})
        assert disabled.status_code == 200
        async with db.transaction() as session:
            assert not await accounts.programme_has_active_coach(session, "cap_jeunes")
        entries = await http.get("/audit")
        assert "a créé un compte" in entries.text and "a désactivé un compte" in entries.text


async def test_an_operator_imports_texts_over_http_all_or_nothing(db: Database) -> None:
    async with db.transaction() as session:
        await accounts.create_account(session, "op@example.org", "operator", PASSWORD)
        await texts.publish(session, "common.help", "fr", "Aide", who="op")
    services = ConsoleServices(db=db, messenger=NoBot(), signer=SessionSigner(SECRET))
    transport = httpx.ASGITransport(app=build_console(services), client=("127.0.0.1", 5002))
    async with httpx.AsyncClient(transport=transport, base_url="http://console") as http:
        login = await http.get("/login")
        await http.post(
            "/login",
            data={"csrf": _csrf(login.text), "email": "op@example.org", "password": PASSWORD},
        )
        csrf = _csrf((await http.get("/texts")).text)
        exported = await http.get("/texts/export.yaml")
        disposition = exported.headers["content-disposition"]
        assert disposition == 'attachment; filename="tremplin-texts.yaml"'
        document = exported.text
        assert "Aide" in document
        changed = document.replace("Aide", "Aidez-moi")
        imported = await http.post("/texts/import", data={"csrf": csrf, "document": changed})
        assert imported.status_code == 303
        assert imported.headers["location"] == "/texts?imported=1"
        bad = changed.replace("Aidez-moi", "'{{ cycler.__init__.__globals__ }}'")
        refused = await http.post("/texts/import", data={"csrf": csrf, "document": bad})
        assert refused.status_code == 422 and "common.help (fr)" in refused.text
    async with db.transaction() as session:
        assert (await texts.history(session, "common.help", "fr"))[0].body == "Aidez-moi"
        admin = await accounts.create_account(session, "admin@example.org", "admin", PASSWORD)
        log = await audit.read_log(session, admin, audit.AuditFilter(action=audit.TEXTS_IMPORTED))
    assert [line.detail for line in log.lines] == [{"published": 1}]


async def _fail_sign_in(
    http: httpx.AsyncClient, email: str, headers: dict[str, str] | None = None
) -> int:
    page = await http.get("/login")
    response = await http.post(
        "/login",
        data={"csrf": _csrf(page.text), "email": email, "password": "wrong password"},
        headers=headers or {},
    )
    return response.status_code


def _console(db: Database, peer: str, **options: object) -> httpx.AsyncClient:
    services = ConsoleServices(
        db=db, messenger=NoBot(), signer=SessionSigner(SECRET), **options  # type: ignore[arg-type]
    )
    transport = httpx.ASGITransport(app=build_console(services), client=(peer, 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://console")


async def test_a_forged_forwarded_for_does_not_dodge_the_address_throttle(db: Database) -> None:
    # Served for real (uvicorn, a socket on the loopback), as `tremplin console` does: the
    # server must not believe the header either (uvicorn does, from 127.0.0.1, unless told not).
    async with db.transaction() as session:
        await import_partners(session, SHIPPED)
    services = ConsoleServices(db=db, messenger=NoBot(), signer=SessionSigner(SECRET))
    async with serve(build_console(services)) as root, httpx.AsyncClient(base_url=root) as http:
        # No trusted proxy (the default): each try claims another address, in vain. Each uses
        # another account, so only the per-address limit can stop them.
        for n in range(accounts.MAX_FAILURES_PER_ADDRESS):
            forged = {"x-forwarded-for": f"203.0.113.{n + 1}"}
            assert await _fail_sign_in(http, f"guess{n}@example.org", forged) == 401
        last = {"x-forwarded-for": "192.0.2.99"}
        assert await _fail_sign_in(http, "last@example.org", last) == 429


async def test_behind_a_trusted_proxy_each_client_is_throttled_on_its_own(db: Database) -> None:
    proxy = parse_networks("10.0.0.2")
    async with _console(db, "10.0.0.2", trusted_proxies=proxy) as http:
        # The proxy appends the address it sees; what the client wrote sits left of it.
        first = {"x-forwarded-for": "198.51.100.7"}
        for n in range(accounts.MAX_FAILURES_PER_ADDRESS):
            forged = {"x-forwarded-for": f"192.0.2.{n}, 198.51.100.7"}
            assert await _fail_sign_in(http, f"guess{n}@example.org", forged) == 401
        assert await _fail_sign_in(http, "next@example.org", first) == 429
        # Another person behind the same proxy is not locked out by the first one.
        second = {"x-forwarded-for": "198.51.100.8"}
        assert await _fail_sign_in(http, "other@example.org", second) == 401
    # The same header from a machine that is not the proxy is ignored: it is that machine's
    # address that counts (not yet throttled).
    async with _console(db, "10.0.0.3", trusted_proxies=proxy) as http:
        assert await _fail_sign_in(http, "x@example.org", first) == 401


async def test_the_session_cookie_is_secure_over_https(db: Database) -> None:
    async def cookie_flags(
        peer: str, base_url: str, headers: dict[str, str], **options: object
    ) -> str:
        async with _console(db, peer, **options) as http:
            http.base_url = httpx.URL(base_url)
            response = await http.get("/login", headers=headers)
        return response.headers["set-cookie"].lower()

    proxy = parse_networks("127.0.0.1")
    https = {"x-forwarded-proto": "https"}
    assert "secure" not in await cookie_flags("127.0.0.1", "http://console", {})
    assert "; secure" in await cookie_flags("127.0.0.1", "https://console", {})
    # Behind a TLS-terminating proxy: believed from the trusted proxy only.
    assert "; secure" in await cookie_flags(
        "127.0.0.1", "http://console", https, trusted_proxies=proxy
    )
    assert "secure" not in await cookie_flags("127.0.0.1", "http://console", https)
    # TREMPLIN_CONSOLE_SECURE_COOKIE=true / false.
    assert "; secure" in await cookie_flags("127.0.0.1", "http://c", {}, secure_cookies=True)
    assert "secure" not in await cookie_flags("127.0.0.1", "https://c", {}, secure_cookies=False)
    assert "httponly" in await cookie_flags("127.0.0.1", "https://c", {})


def test_console_proxy_settings() -> None:
    default = load_settings(env_file=None)
    assert default.console_secure_cookie is None and default.console_trusted_proxies == ()
    custom = load_settings(
        env_file=None, console_secure_cookie="TRUE", console_trusted_proxies="10.0.0.0/8, ::1"
    )
    assert custom.console_secure_cookie is True
    assert [str(n) for n in custom.console_trusted_proxies] == ["10.0.0.0/8", "::1/128"]
    with pytest.raises(SettingsError, match="TREMPLIN_CONSOLE_TRUSTED_PROXIES"):
        load_settings(env_file=None, console_trusted_proxies="proxy.example.org")
    with pytest.raises(SettingsError, match="TREMPLIN_CONSOLE_SECURE_COOKIE"):
        load_settings(env_file=None, console_secure_cookie="sometimes")


async def test_the_text_editor_words_telegrams_limit_in_the_consoles_language(
    db: Database,
) -> None:
    """The French editor said "Limite : ≤ 4,096 characters" (English words and separator)."""
    async with db.transaction() as session:
        await accounts.create_account(session, "op@example.org", "operator", PASSWORD)
    services = ConsoleServices(db=db, messenger=NoBot(), signer=SessionSigner(SECRET))
    transport = httpx.ASGITransport(app=build_console(services), client=("127.0.0.1", 5003))
    async with httpx.AsyncClient(transport=transport, base_url="http://console") as http:
        login = await http.get("/login")
        await http.post(
            "/login",
            data={"csrf": _csrf(login.text), "email": "op@example.org", "password": PASSWORD},
        )
        message = (await http.get("/texts/common.help?lang=fr")).text
        button = (await http.get("/texts/explore.save_button?lang=fr")).text
    assert "Limite : ≤ 4096 caractères" in message
    assert "Limite : ≤ 64 octets" in button
    assert "characters" not in message and "bytes" not in button
