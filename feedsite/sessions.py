"""Django's database sessions, refusing a session key that no session can have.

A cookie may carry ``\\000`` (an octal escape Django's cookie parser decodes), and PostgreSQL
refuses a NUL in a text parameter: looking the key up failed every request with that cookie.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        valid = super()._validate_session_key(key)  # type: ignore[misc]  # not in django-stubs
        return bool(valid) and "\x00" not in str(key)
