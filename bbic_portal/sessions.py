"""Server-side sessions behind a signed cookie.

The cookie holds only a random session id, signed with the key of `BBIC_SESSION_KEY_FILE`
(itsdangerous); the session itself (user, roles, times, CSRF token) lives in this process. A
cookie signed with another key, an unknown id, a session older than 8 hours or idle for 30
minutes is no session. Signing out removes the session here, so a copied cookie is dead too.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from itsdangerous import BadSignature, Signer

from bbic_portal.roles import Role

COOKIE = "bbic_session"


@dataclass
class Session:
    sid: str
    user: str
    roles: tuple[Role, ...]
    created: float
    last_seen: float
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    via: str = "lokal"  # lokal or oidc

    @property
    def roles_text(self) -> str:
        return ",".join(str(r) for r in self.roles)


class SessionStore:
    def __init__(
        self, key: bytes, *, max_seconds: int, idle_seconds: int, clock: Callable[[], float] = time.time
    ) -> None:
        self._signer = Signer(key, salt="bbic-portal-session")
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self.max_seconds = max_seconds
        self.idle_seconds = idle_seconds
        self.clock = clock

    def create(self, user: str, roles: tuple[Role, ...], via: str = "lokal") -> tuple[Session, str]:
        now = self.clock()
        session = Session(secrets.token_urlsafe(32), user, roles, now, now, via=via)
        with self._lock:
            self._sessions[session.sid] = session
            self._prune(now)
        return session, self._signer.sign(session.sid.encode("ascii")).decode("ascii")

    def get(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            sid = self._signer.unsign(cookie.encode("ascii", "replace")).decode("ascii")
        except BadSignature:
            return None
        now = self.clock()
        with self._lock:
            session = self._sessions.get(sid)
            if session is None:
                return None
            if now - session.created > self.max_seconds or now - session.last_seen > self.idle_seconds:
                del self._sessions[sid]
                return None
            session.last_seen = now
            return session

    def end(self, session: Session) -> None:
        with self._lock:
            self._sessions.pop(session.sid, None)

    def _prune(self, now: float) -> None:
        dead = [
            sid
            for sid, s in self._sessions.items()
            if now - s.created > self.max_seconds or now - s.last_seen > self.idle_seconds
        ]
        for sid in dead:
            del self._sessions[sid]
