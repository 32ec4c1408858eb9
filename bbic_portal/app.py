"""The portal's routes (Starlette). Every document and page asks `access.may_read` first.

Pages are rendered server-side (Jinja2, autoescaped) in Swedish; documents come from the archive
the pipeline writes or are made on demand by `ondemand.Maker`. Each sign-in, sign-out, view and
download is a row of the audit log.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
import time
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bbic_core.documents.html import report_template_loader
from bbic_core.figures import ReportKind, parse_period, standard_periods
from bbic_core.figures.periods import last_12_months, period_label
from bbic_core.register import Register
from bbic_core.scopes import Period, Scope, ScopeLevel
from bbic_portal import archive_index, audit
from bbic_portal.access import ALL_REPORTS, Mode, document, may_read, page
from bbic_portal.config import LOCKOUT_FAILURES, LOCKOUT_SECONDS, PortalConfig, session_key
from bbic_portal.ondemand import Maker
from bbic_portal.ondemand import Request as ReportRequest
from bbic_portal.overview import (
    KEY_FIGURES,
    KRAV,
    STATUS_CELL,
    STATUS_TEXT,
    Overview,
    licence_rows,
    overview_table,
)
from bbic_portal.register_source import RegisterSource
from bbic_portal.roles import Role, role_label
from bbic_portal.security import DOCUMENT_CSP, SecurityHeaders, tokens_match
from bbic_portal.sessions import COOKIE, Session, SessionStore
from bbic_portal.snapshot import Snapshot, SnapshotUnavailable
from bbic_portal.users import read_users, verify

HERE = Path(__file__).resolve().parent
LOGIN_CSRF_COOKIE = "bbic_login_csrf"
NIGHTLY_CRON_TIME = dt.time(2, 30)  # pipelines/defs/schedules.py: NIGHTLY_CRON, Stockholm time
STOCKHOLM = ZoneInfo("Europe/Stockholm")
REPORT_LABELS = {
    ReportKind.VERKSAMHET: "Verksamhetsuppföljning",
    ReportKind.KLIENTGRUPP: "Klientgrupp",
    ReportKind.LICENS: "Licenskontroll",
    ReportKind.JAMFORELSE: "Jämförelse",
    ReportKind.ARSRAPPORT: "Årsrapport till nämnden (kalenderår)",
}
MODE_LABELS = {"internal": "Intern (exakta tal)", "published": "Publicerad (röjandekontroll)"}
FORMAT_LABELS = {"html": "Webbsida", "pdf": "PDF", "xlsx": "Excel", "csv": "CSV"}
PRESETS = {
    "year_to_date": "Hittills i år",
    "previous_year": "Föregående år",
    "latest_tertial": "Senaste hela tertialet",
    "12m": "Senaste 12 månaderna",
    "egen": "Egen period",
}


def _environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(HERE / "templates")), report_template_loader()]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


@dataclass
class Portal:
    config: PortalConfig
    sessions: SessionStore
    audit: audit.AuditLog
    registers: RegisterSource
    snapshot: Snapshot
    maker: Maker
    overview: Overview
    env: Environment
    secure_cookies: bool
    oidc: Any = None  # bbic_portal.oidc.OidcClient when configured


Handler = Callable[[Request], Awaitable[Response]]


def client_of(request: Request) -> str:
    return request.client.host if request.client else ""


def _menu(session: Session) -> list[tuple[str, str]]:
    items = [
        ("/", "Översikt"),
        ("/rapporter", "Rapporter"),
        ("/ny-rapport", "Ny rapport"),
        ("/licenskontroll", "Licenskontroll"),
    ]
    if any(r.kind == "samordnare" for r in session.roles):
        items += [("/status", "Status"), ("/logg", "Logg")]
    return items


def create_app(
    config: PortalConfig, *, secure_cookies: bool = True, clock: Callable[[], float] = time.time
) -> Starlette:
    portal = Portal(
        config=config,
        sessions=SessionStore(
            session_key(config.session_key_file),
            max_seconds=config.session_max_seconds,
            idle_seconds=config.session_idle_seconds,
            clock=clock,
        ),
        audit=audit.AuditLog(config.audit_db),
        registers=RegisterSource(config.register_dir, config.last_good_register),
        snapshot=Snapshot(config.duckdb_path, config.cache_dir),
        maker=Maker(Snapshot(config.duckdb_path, config.cache_dir), config.cache_dir),
        overview=Overview(Snapshot(config.duckdb_path, config.cache_dir)),
        env=_environment(),
        secure_cookies=secure_cookies,
    )
    # one snapshot copy shared by all readers
    portal.maker.snapshot = portal.snapshot
    portal.overview.snapshot = portal.snapshot
    if config.oidc is not None:
        from bbic_portal.oidc import OidcClient

        portal.oidc = OidcClient(config.oidc, config.public_url)

    def render(
        request: Request, template: str, session: Session | None, *, status: int = 200, **values: Any
    ) -> HTMLResponse:
        values.setdefault("active", request.url.path)
        html = portal.env.get_template(template).render(
            session=session,
            menu=_menu(session) if session else [],
            role_text=", ".join(role_label(r) for r in session.roles) if session else "",
            **values,
        )
        return HTMLResponse(html, status_code=status)

    def record(
        request: Request,
        session: Session | None,
        action: str,
        outcome: audit.Outcome,
        *,
        user: str = "",
        **what: str,
    ) -> None:
        portal.audit.record(
            audit.Entry(
                user=session.user if session else user,
                roles=session.roles_text if session else "",
                client=client_of(request),
                action=action,
                outcome=outcome,
                **what,
            )
        )

    def current(request: Request) -> Session | None:
        return portal.sessions.get(request.cookies.get(COOKIE))

    def to_login(request: Request) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/logga-in?{urlencode({'next': target})}", status_code=303)

    def message(
        request: Request,
        session: Session | None,
        title: str,
        text: str,
        status: int,
        link: tuple[str, str] | None = None,
    ) -> HTMLResponse:
        return render(
            request,
            "message.html.j2",
            session,
            status=status,
            title=title,
            message=text,
            alert=status >= 400,
            link=link,
        )

    def refused(request: Request, session: Session, status: int = 403) -> HTMLResponse:
        text = "Du har inte behörighet till det du bad om." if status == 403 else "Det du bad om finns inte."
        return message(request, session, "Ingen åtkomst" if status == 403 else "Hittades inte", text, status)

    def register_or_fail() -> Register:
        state = portal.registers.state()
        if state.register is None:
            raise SnapshotUnavailable(f"registret kan inte läsas: {state.error}")
        return state.register

    def signed_in(handler: Callable[[Request, Session], Awaitable[Response]]) -> Handler:
        async def wrapper(request: Request) -> Response:
            session = current(request)
            if session is None:
                return to_login(request)
            try:
                return await handler(request, session)
            except SnapshotUnavailable as exc:
                return message(
                    request,
                    session,
                    "Uppgifterna saknas",
                    f"Portalen kan inte visa detta just nu: {exc}.",
                    503,
                )

        return wrapper

    def page_for(name: str) -> Callable[[Callable[[Request, Session], Awaitable[Response]]], Handler]:
        """A page that `may_read` must allow (Status and Logg: the coordinator only)."""

        def deco(handler: Callable[[Request, Session], Awaitable[Response]]) -> Handler:
            async def inner(request: Request, session: Session) -> Response:
                register = register_or_fail()
                if not may_read(session.roles, page(name), register).allowed:
                    record(request, session, "page", "refused", report=name)
                    return refused(request, session)
                return await handler(request, session)

            return signed_in(inner)

        return deco

    # --- sign-in -------------------------------------------------------------------------------------

    def set_session_cookie(response: Response, cookie: str) -> None:
        response.set_cookie(
            COOKIE,
            cookie,
            max_age=config.session_max_seconds,
            httponly=True,
            samesite="lax",
            secure=portal.secure_cookies,
            path="/",
        )

    def safe_next(text: str | None) -> str:
        if not text or not text.startswith("/") or text.startswith("//") or "\\" in text:
            return "/"
        return text

    def login_page(request: Request, next_url: str, message: str = "", status: int = 200) -> Response:
        """The sign-in form with a fresh CSRF token in its own cookie (there is no session yet)."""
        token = secrets.token_urlsafe(32)
        response = render(
            request,
            "login.html.j2",
            None,
            status=status,
            title="Logga in",
            csrf=token,
            next=next_url,
            message=message,
            oidc=portal.oidc is not None,
        )
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            httponly=True,
            samesite="lax",
            secure=portal.secure_cookies,
            path="/logga-in",
        )
        return response

    async def login_form(request: Request) -> Response:
        return login_page(request, safe_next(request.query_params.get("next")))

    async def login(request: Request) -> Response:
        form = await request.form()
        name = str(form.get("anvandare", ""))[:200]
        password = str(form.get("losenord", ""))[:1000]
        next_url = safe_next(str(form.get("next", "/")))
        if not tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE, ""), str(form.get("csrf", ""))):
            return PlainTextResponse(
                "Formuläret har gått ut. Ladda om sidan och försök igen.", status_code=403
            )

        def again(text: str, status: int) -> Response:
            return login_page(request, next_url, text, status)

        now = dt.datetime.fromtimestamp(clock(), dt.UTC)
        failures = portal.audit.failures_since(name, now - dt.timedelta(seconds=LOCKOUT_SECONDS))
        if len(failures) >= LOCKOUT_FAILURES:
            record(request, None, "sign_in", "refused", user=name, detail="låst")
            return again("Kontot är låst i 15 minuter efter fem misslyckade inloggningar.", 429)
        account = await run_in_threadpool(verify, read_users(config.users_file), name, password)
        if account is None:
            portal.audit.record(
                audit.Entry(name, "", client_of(request), "sign_in", "refused", detail="fel lösenord"), at=now
            )
            return again("Fel användarnamn eller lösenord.", 401)
        session, cookie = portal.sessions.create(account.name, account.roles)
        portal.audit.record(
            audit.Entry(
                session.user, session.roles_text, client_of(request), "sign_in", "allowed", detail="inloggad"
            ),
            at=now,
        )
        response = RedirectResponse(next_url, status_code=303)
        set_session_cookie(response, cookie)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/logga-in")
        return response

    async def logout(request: Request) -> Response:
        session = current(request)
        form = await request.form()
        if session is None:
            return RedirectResponse("/logga-in", status_code=303)
        if not tokens_match(session.csrf, str(form.get("csrf", ""))):
            record(request, session, "sign_out", "refused", detail="CSRF-token saknas eller fel")
            return PlainTextResponse("Ogiltig begäran (CSRF-token saknas).", status_code=403)
        portal.sessions.end(session)
        record(request, session, "sign_out", "allowed")
        response = RedirectResponse("/logga-in", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    async def oidc_start(request: Request) -> Response:
        if portal.oidc is None:
            return PlainTextResponse(
                "Inloggning via kommunens identitetstjänst är inte konfigurerad.", status_code=404
            )
        url = await run_in_threadpool(
            portal.oidc.start, str(request.base_url), safe_next(request.query_params.get("next"))
        )
        return RedirectResponse(url, status_code=303)

    async def oidc_callback(request: Request) -> Response:
        if portal.oidc is None:
            return PlainTextResponse(
                "Inloggning via kommunens identitetstjänst är inte konfigurerad.", status_code=404
            )
        from bbic_portal.oidc import OidcError

        try:
            result = await run_in_threadpool(
                portal.oidc.finish, str(request.base_url), dict(request.query_params)
            )
        except OidcError as exc:
            record(request, None, "sign_in", "refused", user=exc.user, detail=f"oidc: {exc.reason}"[:300])
            return message(
                request,
                None,
                "Inloggningen misslyckades",
                "Inloggningen via kommunens identitetstjänst kunde inte godkännas. "
                "Försök igen, eller kontakta BBIC-samordnaren.",
                403,
                ("/logga-in", "Till inloggningen"),
            )
        if not result.roles:
            record(request, None, "sign_in", "refused", user=result.user, detail="oidc: ingen roll")
            return message(
                request,
                None,
                "Ingen behörighet till BBIC-portalen",
                f"Du är inloggad som {result.user}, men ingen av dina grupper ger behörighet "
                "till BBIC-portalen. Kontakta kommunens BBIC-samordnare om du behöver åtkomst.",
                403,
            )
        session, cookie = portal.sessions.create(result.user, result.roles, via="oidc")
        record(request, session, "sign_in", "allowed", detail="oidc")
        response = RedirectResponse(safe_next(result.next_url), status_code=303)
        set_session_cookie(response, cookie)
        return response

    # --- pages ---------------------------------------------------------------------------------------

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def accessibility(request: Request) -> Response:
        return render(request, "accessibility.html.j2", current(request), title="Tillgänglighetsredogörelse")

    @signed_in
    async def overview_page(request: Request, session: Session) -> Response:
        register = register_or_fail()
        computed = await run_in_threadpool(portal.overview.computed, register)
        rows = overview_table(session.roles, register, computed)
        warnings = [r for r in licence_rows(computed, register) if r.warning]
        return render(
            request,
            "overview.html.j2",
            session,
            title="Översikt",
            rows=rows,
            headers=[h for _, h in KEY_FIGURES],
            status_cell=STATUS_CELL,
            computed=computed,
            warnings=warnings,
            period_text=period_label(computed.period),
            mode_labels=MODE_LABELS,
            level_labels={
                ScopeLevel.MUNICIPALITY: "Kommunen",
                ScopeLevel.NETWORK: "Nätverk",
                ScopeLevel.DISTRICT: "Stadsdel",
            },
        )

    @signed_in
    async def reports_page(request: Request, session: Session) -> Response:
        register = register_or_fail()
        dates = archive_index.as_of_dates(config.reports)
        chosen = archive_index.parse_date(request.query_params.get("datum", "")) or (
            dates[0] if dates else None
        )
        try:
            snapshot_as_of: dt.date | None = portal.snapshot.current().as_of
        except SnapshotUnavailable:
            snapshot_as_of = None
        groups: list[dict[str, Any]] = []
        if chosen is not None and chosen in dates:
            files = archive_index.list_set(config.reports, chosen, register)
            by_scope: dict[Scope, list[archive_index.ArchiveFile]] = {}
            for f in files:
                by_scope.setdefault(f.scope, []).append(f)
            names = {d.code: d.name for d in register.districts}
            names.update({n.code: n.name for n in register.networks})
            names[register.municipality.code] = register.municipality.name
            for scope, items in sorted(
                by_scope.items(),
                key=lambda kv: (
                    {ScopeLevel.MUNICIPALITY: 0, ScopeLevel.NETWORK: 1, ScopeLevel.DISTRICT: 2}[kv[0].level],
                    names.get(kv[0].code, kv[0].code),
                ),
            ):
                groups.append(
                    _scope_listing(
                        session.roles,
                        register,
                        scope,
                        names.get(scope.code, scope.code),
                        items,
                        chosen,
                        snapshot_as_of,
                    )
                )
        return render(
            request,
            "reports.html.j2",
            session,
            title="Rapporter",
            dates=dates,
            chosen=chosen,
            groups=groups,
            report_labels=REPORT_LABELS,
            format_labels=FORMAT_LABELS,
            mode_labels=MODE_LABELS,
        )

    def _scope_listing(
        roles: tuple[Role, ...],
        register: Register,
        scope: Scope,
        name: str,
        items: list[archive_index.ArchiveFile],
        as_of: dt.date,
        snapshot_as_of: dt.date | None,
    ) -> dict[str, Any]:
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for item in items:
            if item.report is None:
                continue
            decision = may_read(roles, document(scope, item.reports, item.mode), register)
            entry = rows.setdefault(
                (item.report.value, item.period_name),
                {
                    "report": item.report,
                    "period": item.period_label or item.period_name,
                    "links": [],
                    "mode": decision.mode,
                },
            )
            if decision.allowed and decision.mode == item.mode:
                entry["links"].append((FORMAT_LABELS[item.format], item.url))
            elif decision.allowed and snapshot_as_of == as_of and decision.mode == "published":
                entry["links"].append((FORMAT_LABELS[item.format], _published_url(item, scope)))
        csv_item = next((i for i in items if i.report is None), None)
        whole = may_read(roles, document(scope, ALL_REPORTS, items[0].mode), register)
        zip_ok = whole.allowed and whole.mode == items[0].mode
        csv_url = csv_item.url if csv_item is not None and zip_ok else ""
        order = {kind.value: n for n, kind in enumerate(ReportKind)}
        return {
            "scope": scope,
            "name": name,
            "rows": sorted(
                (r for r in rows.values() if r["links"]),
                key=lambda r: (order[r["report"].value], r["period"]),
            ),
            "zip": f"/rapporter/zip/{as_of.isoformat()}/{scope.code}" if zip_ok else "",
            "csv": csv_url,
        }

    def _published_url(item: archive_index.ArchiveFile, scope: Scope) -> str:
        assert item.report is not None
        params = {
            "omrade": scope.code,
            "rapport": item.report.value,
            "lage": "published",
            "format": item.format,
        }
        if item.report == ReportKind.LICENS:
            params["datum"] = item.as_of.isoformat()
        else:
            params["period"] = item.period_name
        return "/ny-rapport/dokument?" + urlencode(params)

    def serve_bytes(content: bytes, fmt: str, filename: str) -> Response:
        headers = {"Cache-Control": "private, no-store"}
        if fmt == "html":
            headers["Content-Security-Policy"] = DOCUMENT_CSP
            headers["Content-Disposition"] = f'inline; filename="{filename}"'
        else:
            headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return Response(content, media_type=archive_index.MEDIA_TYPES[fmt], headers=headers)

    @signed_in
    async def archive_file(request: Request, session: Session) -> Response:
        register = register_or_fail()
        rest = request.path_params["rest"]
        parts = rest.split("/")
        item = archive_index.find(config.reports, register, *parts) if len(parts) == 3 else None
        if item is None:
            record(request, session, "download", "refused", detail="okänd fil i arkivet")
            return refused(request, session, 404)
        what = {
            "report": item.report.value if item.report else "figures",
            "scope": str(item.scope),
            "period": item.period_name,
            "as_of": item.as_of.isoformat(),
            "format": item.format,
        }
        action = "view" if item.format == "html" else "download"
        decision = may_read(session.roles, document(item.scope, item.reports, item.mode), register)
        if not decision.allowed:
            record(request, session, action, "refused", mode=item.mode, **what, detail=decision.reason)
            return refused(request, session)
        if decision.mode != item.mode:
            # internal in the archive, published for this user: the published version from the snapshot
            try:
                snapshot_as_of: dt.date | None = portal.snapshot.current().as_of
            except SnapshotUnavailable:
                snapshot_as_of = None
            if item.report is not None and snapshot_as_of == item.as_of:
                record(
                    request,
                    session,
                    action,
                    "refused",
                    mode=item.mode,
                    **what,
                    detail="intern version: hänvisad till publicerad",
                )
                return RedirectResponse(_published_url(item, item.scope), status_code=303)
            record(
                request, session, action, "refused", mode=item.mode, **what, detail="bara publicerad version"
            )
            return message(
                request,
                session,
                "Bara publicerad version",
                "Arkivet har bara den interna versionen av denna rapport, och du får läsa den "
                "publicerade. Gör en publicerad rapport under Ny rapport.",
                403,
                ("/ny-rapport", "Ny rapport"),
            )
        try:
            content = await run_in_threadpool(archive_index.open_file, config.reports, item)
        except OSError:
            record(request, session, action, "error", mode=item.mode, **what, detail="filen kunde inte läsas")
            return refused(request, session, 404)
        record(request, session, action, "allowed", mode=item.mode, **what)
        return serve_bytes(content, item.format, f"{item.scope.code}_{item.as_of.isoformat()}_{item.name}")

    @signed_in
    async def archive_zip(request: Request, session: Session) -> Response:
        register = register_or_fail()
        as_of = archive_index.parse_date(request.path_params["as_of"])
        scope = archive_index.scope_of_code(register, request.path_params["scope"])
        files = archive_index.scope_files(config.reports, register, as_of, scope) if as_of and scope else []
        if not files or scope is None or as_of is None:
            record(request, session, "download", "refused", format="zip", detail="okänd uppsättning")
            return refused(request, session, 404)
        mode = files[0].mode
        what = {
            "report": "alla",
            "scope": str(scope),
            "as_of": as_of.isoformat(),
            "format": "zip",
            "mode": mode,
        }
        decision = may_read(session.roles, document(scope, ALL_REPORTS, mode), register)
        if not decision.allowed or decision.mode != mode:
            record(request, session, "download", "refused", **what, detail=decision.reason or "ej tillåten")
            return refused(request, session)

        def build() -> bytes:
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in files:
                    zf.writestr(
                        f"{scope.code}_{as_of.isoformat()}/{f.name}",
                        archive_index.open_file(config.reports, f),
                    )
            return out.getvalue()

        content = await run_in_threadpool(build)
        record(request, session, "download", "allowed", **what)
        return Response(
            content,
            media_type="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="{scope.code}_{as_of.isoformat()}.zip"',
                "Cache-Control": "private, no-store",
            },
        )

    @signed_in
    async def new_report_form(request: Request, session: Session) -> Response:
        register = register_or_fail()
        current_snapshot = portal.snapshot.current()
        return render(
            request,
            "new_report.html.j2",
            session,
            title="Ny rapport",
            scopes=_scope_choices(register),
            reports=REPORT_LABELS,
            presets=PRESETS,
            formats=FORMAT_LABELS,
            modes=MODE_LABELS,
            as_of=current_snapshot.as_of,
            export_id=current_snapshot.export_id,
            errors=[],
            values={},
        )

    def _scope_choices(register: Register) -> list[tuple[str, str]]:
        out = [(register.municipality.code, f"Hela kommunen ({register.municipality.name})")]
        out += [(n.code, f"Nätverk {n.name}") for n in sorted(register.networks, key=lambda n: n.name)]
        out += [(d.code, f"Stadsdel {d.name}") for d in sorted(register.districts, key=lambda d: d.name)]
        return out

    @signed_in
    async def new_report(request: Request, session: Session) -> Response:
        register = register_or_fail()
        current_snapshot = portal.snapshot.current()
        q = request.query_params
        errors: list[str] = []
        scope = archive_index.scope_of_code(register, q.get("omrade", ""))
        if scope is None:
            errors.append("Välj ett område som finns i registret.")
        try:
            kind = ReportKind(q.get("rapport", ""))
        except ValueError:
            kind = ReportKind.VERKSAMHET
            errors.append("Välj en rapport.")
        mode_text = q.get("lage", "internal")
        mode: Mode = "published" if mode_text == "published" else "internal"
        if mode_text not in ("internal", "published"):
            errors.append("Välj intern eller publicerad.")
        fmt = q.get("format", "html")
        if fmt not in FORMAT_LABELS:
            errors.append("Välj ett format.")
        a = current_snapshot.as_of
        day: dt.date | None = None
        if q.get("datum"):
            day = archive_index.parse_date(q.get("datum", ""))
            if day is None:
                errors.append("Kontrolldagen skrivs ÅÅÅÅ-MM-DD.")
        period = _period_of(q, a, errors)
        if kind == ReportKind.ARSRAPPORT:
            # reports.md: the year's report is for one calendar year Y; the year the chosen period starts in
            period = Period(dt.date(period.start.year, 1, 1), dt.date(period.start.year, 12, 31))
        if errors or scope is None:
            return render(
                request,
                "new_report.html.j2",
                session,
                status=400,
                title="Ny rapport",
                scopes=_scope_choices(register),
                reports=REPORT_LABELS,
                presets=PRESETS,
                formats=FORMAT_LABELS,
                modes=MODE_LABELS,
                as_of=a,
                export_id=current_snapshot.export_id,
                errors=errors,
                values=dict(q),
            )
        what = {
            "report": kind.value,
            "scope": str(scope),
            "format": fmt,
            "period": "" if kind == ReportKind.LICENS else f"{period.start}..{period.end}",
            "as_of": (day if kind == ReportKind.LICENS and day else a).isoformat(),
        }
        decision = may_read(session.roles, document(scope, {kind}, mode), register)
        action = "view" if fmt == "html" else "download"
        if not decision.allowed or decision.mode is None:
            record(request, session, action, "refused", mode=mode, **what, detail=decision.reason)
            return refused(request, session)
        check_day = day if kind == ReportKind.LICENS else None  # D is the licence check's alone
        req = ReportRequest(scope, kind, period, check_day, decision.mode, fmt)
        try:
            made = await run_in_threadpool(portal.maker.make, req, register)
        except Exception:
            record(
                request,
                session,
                action,
                "error",
                mode=decision.mode,
                **what,
                detail="rapporten kunde inte göras",
            )
            raise
        record(
            request,
            session,
            action,
            "allowed",
            mode=decision.mode,
            **what,
            detail="" if decision.mode == mode else "publicerad version i stället för intern",
        )
        return serve_bytes(await run_in_threadpool(made.path.read_bytes), fmt, made.filename)

    def _period_of(q: Any, a: dt.date, errors: list[str]) -> Period:
        preset = q.get("period", "year_to_date")
        standard = standard_periods(a)
        if preset in standard:
            return standard[preset]
        if preset == "12m":
            return last_12_months(a)
        if preset == "egen" or q.get("fran") or q.get("till"):
            start = archive_index.parse_date(q.get("fran", ""))
            end = archive_index.parse_date(q.get("till", ""))
            if start is None or end is None:
                errors.append("En egen period har både från- och till-datum (ÅÅÅÅ-MM-DD).")
            elif end < start:
                errors.append("Periodens slut ligger före dess början.")
            else:
                return Period(start, end)
            return standard["year_to_date"]
        try:
            return parse_period(preset, a)
        except ValueError:
            errors.append("Välj en period.")
            return standard["year_to_date"]

    @signed_in
    async def licence_page(request: Request, session: Session) -> Response:
        register = register_or_fail()
        current_snapshot = portal.snapshot.current()
        day_text = request.query_params.get("datum", "")
        day = archive_index.parse_date(day_text) if day_text else current_snapshot.as_of
        if day is None:
            return message(
                request,
                session,
                "Licenskontroll",
                "Datumet skrivs ÅÅÅÅ-MM-DD.",
                400,
                ("/licenskontroll", "Tillbaka"),
            )
        # the export's own day shares Översikt's figures; another day computes the licence table alone
        licence_day = None if day == current_snapshot.as_of else day
        computed = await run_in_threadpool(portal.overview.computed, register, licence_day)
        rows = []
        for row in licence_rows(computed, register):
            scope = Scope(ScopeLevel.DISTRICT, row.district)
            decision = may_read(session.roles, document(scope, {ReportKind.LICENS}), register)
            links = []
            if decision.allowed and decision.mode is not None:
                for fmt in ("pdf", "xlsx", "html"):
                    links.append(
                        (
                            FORMAT_LABELS[fmt],
                            "/ny-rapport/dokument?"
                            + urlencode(
                                {
                                    "omrade": row.district,
                                    "rapport": "licens",
                                    "datum": day.isoformat(),
                                    "lage": decision.mode,
                                    "format": fmt,
                                }
                            ),
                        )
                    )
            rows.append({"row": row, "links": links, "mode": decision.mode})
        record(
            request,
            session,
            "view",
            "allowed",
            report="licens",
            scope="stadsdelar",
            as_of=day.isoformat(),
            mode="published",
            format="sida",
        )
        return render(
            request,
            "licence.html.j2",
            session,
            title="Licenskontroll",
            rows=rows,
            day=day,
            krav=KRAV,
            status_text=STATUS_TEXT,
            mode_labels=MODE_LABELS,
        )

    @page_for("status")
    async def status_page(request: Request, session: Session) -> Response:
        state = portal.registers.state()

        def read() -> tuple[list[dict[str, Any]], list[tuple[str, int]], Any]:
            with portal.snapshot.connect() as (con, snap):
                cur = con.execute(
                    "SELECT started_at, export_id, outcome, refusal_code, refusal_message, refusal_file, "
                    "refusal_line, as_of FROM load_log ORDER BY started_at DESC LIMIT 15"
                )
                cols = [d[0] for d in cur.description or ()]
                loads = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
                rules = con.execute(
                    "SELECT rule, count(*) FROM (SELECT unnest(rules) AS rule FROM quarantine "
                    "WHERE export_id = ?) GROUP BY rule ORDER BY 2 DESC, 1",
                    [snap.export_id],
                ).fetchall()
                return loads, [(str(r), int(n)) for r, n in rules], snap

        loads, rules, snap = await run_in_threadpool(read)
        record(request, session, "page", "allowed", report="status")
        return render(
            request,
            "status.html.j2",
            session,
            title="Status",
            loads=loads,
            rules=rules,
            snap=snap,
            register_error=state.error,
            next_run=_next_run(clock()),
        )

    @page_for("logg")
    async def log_page(request: Request, session: Session) -> Response:
        q = request.query_params
        since = archive_index.parse_date(q.get("fran", ""))
        until = archive_index.parse_date(q.get("till", ""))
        rows = await run_in_threadpool(
            lambda: audit.query(
                config.audit_db,
                since=since,
                until=until,
                user=q.get("anvandare", ""),
                scope=q.get("omrade", ""),
                limit=None if request.url.path.endswith(".csv") else 500,
            )
        )
        record(
            request,
            session,
            "download" if request.url.path.endswith(".csv") else "page",
            "allowed",
            report="logg",
            format="csv" if request.url.path.endswith(".csv") else "sida",
        )
        if request.url.path.endswith(".csv"):
            return Response(
                audit.to_csv(rows),
                media_type="text/csv; charset=utf-8",
                headers={
                    "Content-Disposition": 'attachment; filename="bbic-logg.csv"',
                    "Cache-Control": "private, no-store",
                },
            )
        return render(
            request,
            "log.html.j2",
            session,
            title="Logg",
            rows=rows,
            values=dict(q),
            csv_url="/logg.csv" + (f"?{request.url.query}" if request.url.query else ""),
        )

    async def not_found(request: Request, exc: Exception) -> Response:
        session = current(request)
        if session is None:
            return PlainTextResponse("Hittades inte.", status_code=404)
        return refused(request, session, 404)

    routes = [
        Route("/healthz", healthz),
        Route("/logga-in", login_form, methods=["GET"]),
        Route("/logga-in", login, methods=["POST"]),
        Route("/logga-ut", logout, methods=["POST"]),
        Route("/oidc/start", oidc_start),
        Route("/oidc/callback", oidc_callback),
        Route("/", overview_page),
        Route("/rapporter", reports_page),
        Route("/rapporter/arkiv/{rest:path}", archive_file),
        Route("/rapporter/zip/{as_of}/{scope}", archive_zip),
        Route("/ny-rapport", new_report_form),
        Route("/ny-rapport/dokument", new_report),
        Route("/licenskontroll", licence_page),
        Route("/status", status_page),
        Route("/logg", log_page),
        Route("/logg.csv", log_page),
        Route("/tillganglighet", accessibility),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found})
    app.state.portal = portal
    app.add_middleware(SecurityHeaders)
    return app


def _next_run(now: float) -> dt.datetime:
    """The nightly schedule's next start (02:30 Stockholm time)."""
    local = dt.datetime.fromtimestamp(now, STOCKHOLM)
    candidate = dt.datetime.combine(local.date(), NIGHTLY_CRON_TIME, STOCKHOLM)
    if candidate <= local:
        candidate = dt.datetime.combine(local.date() + dt.timedelta(days=1), NIGHTLY_CRON_TIME, STOCKHOLM)
    return candidate
