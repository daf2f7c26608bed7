"""Mock-only admin endpoints under ``/__mock__/`` on the Creatio app (no Creatio has these).

Protected by HTTP Basic with the mock's admin login (``MockOptions.admin_user``/``admin_password``):

- ``POST /__mock__/rights`` ``{"userId": "<SysAdminUnit guid>", "entity": "Currency",
  "operations": ["read", "edit"]}`` → 204: replaces that user's rights on that entity. Stands in
  for Creatio's role and object-permission administration, which the mock does not model.
- ``GET /__mock__/state`` → ``{"integrations": [names], "users": [SysAdminUnit names],
  "identity_clients": [IS client ids], "identity_client_names": [IS client names]}``: lets cleanup checks
  see what a run left behind, one entry per object.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response

from .creatio_store import OPERATIONS, SECURED_ENTITIES, CreatioStore
from .options import MockOptions
from .wire import empty, json_response, parse_basic, read_json_object

__all__ = ["MockAdmin", "Snapshot"]

Snapshot = Callable[[], dict[str, list[str]]]


class MockAdmin:
    def __init__(self, options: MockOptions, store: CreatioStore, snapshot: Snapshot) -> None:
        self.options = options
        self.store = store
        self.snapshot = snapshot

    def _authorized(self, request: Request) -> bool:
        # RFC 7617: base64 of user-id ":" password, nothing more. Not the OAuth client form (RFC 6749
        # §2.3.1 urlencodes first), so the password the mock prints is the one it takes, "+" and "%" too.
        credentials = parse_basic(request.headers.get("authorization"), urldecode=False)
        if credentials is None:
            return False
        user_ok = hmac.compare_digest(credentials[0].encode(), self.options.admin_user.encode())
        password_ok = hmac.compare_digest(credentials[1].encode(), self.options.admin_password.encode())
        return user_ok and password_ok

    @staticmethod
    def _challenge() -> Response:
        return empty(401, {"WWW-Authenticate": 'Basic realm="creatio-mock-admin"'})

    async def rights(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._challenge()
        body = await read_json_object(request)
        if body is None:
            return json_response({"error": "The body must be a JSON object."}, 400)
        user = self.store.user(str(body.get("userId", "")))
        entity, operations = body.get("entity"), body.get("operations")
        if user is None:
            return json_response({"error": f"No SysAdminUnit {body.get('userId')!r}."}, 404)
        if entity not in SECURED_ENTITIES:
            return json_response({"error": f"entity must be one of {', '.join(SECURED_ENTITIES)}."}, 400)
        if (not isinstance(operations, list) or not all(isinstance(o, str) for o in operations)
                or not set(operations) <= OPERATIONS):
            return json_response({"error": f"operations must be a list drawn from {sorted(OPERATIONS)}."}, 400)
        self.store.set_rights(user.id, str(entity), set(operations))
        return empty(204)

    async def state(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._challenge()
        return json_response(self.snapshot())
