"""Forms authentication: ``POST {Creatio}/ServiceModel/AuthService.svc/Login`` (creatio-oauth.md §5)."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from .creatio_auth import AUTH_COOKIE, CSRF_COOKIE
from .creatio_store import TECHNICAL_USER_TYPE, CreatioStore, Session
from .wire import json_response, read_json_object

__all__ = ["LoginService"]

# [INF] §5: failures are HTTP 200 with Code 1 and a Message; the wording is the mock's choice.
LOGIN_FAILED = "Invalid username or password specified."


def _result(code: int, message: str) -> dict[str, object]:
    return {"Code": code, "Message": message, "Exception": None, "PasswordChangeUrl": None, "RedirectUrl": None}


class LoginService:
    def __init__(self, store: CreatioStore) -> None:
        self.store = store

    async def login(self, request: Request) -> Response:
        body = await read_json_object(request)
        if body is None:
            return json_response(_result(1, "The request body must be a JSON object."), 400)
        name, password = body.get("UserName"), body.get("UserPassword")
        user = self.store.user_by_name(name) if isinstance(name, str) else None
        if (
            user is None
            or not user.active
            # §3.4 [DOC]: technical users authenticate only with OAuth; they have no password.
            or user.type_value == TECHNICAL_USER_TYPE
            or user.password is None
            or not isinstance(password, str)
            or not hmac.compare_digest(password.encode(), user.password.encode())
        ):
            return json_response(_result(1, LOGIN_FAILED))
        session_key, csrf = secrets.token_hex(32).upper(), secrets.token_urlsafe(16)
        with self.store.lock:
            self.store.sessions[session_key] = Session(user.id, csrf)
        response = json_response(_result(0, ""))
        # §5 [DOC]: BPMLOADER, .ASPXAUTH and UserName are HttpOnly; BPMCSRF is readable by scripts.
        response.set_cookie("BPMLOADER", secrets.token_hex(12), path="/", httponly=True)
        response.set_cookie(AUTH_COOKIE, session_key, path="/", httponly=True)
        response.set_cookie(CSRF_COOKIE, csrf, path="/", httponly=False)
        response.set_cookie("UserName", quote(user.name), path="/", httponly=True, max_age=30 * 24 * 3600)
        return response

    async def login_under_app_prefix(self, request: Request) -> Response:
        # §5 [CLIO]: on .NET Framework the login lives at the site root; under /0/ it is a 401.
        return Response(status_code=401)
