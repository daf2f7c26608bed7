"""``GET {Creatio}/0/api/OAuthHealthCheck`` (creatio-oauth.md §4).

Checks in order: settings filled in → IS reachable (discovery) → system token retrievable →
default resource registered. The first failure sets its flag and every later one to false, and
the answer becomes HTTP 500 with ``HasProblem: true`` and a ``Message``.

Where it exists depends on the generation and path style (``generations.py``; ``creatio_app.py``
registers the route only there). On a cloud tenant it reports the settings empty (see ``_evaluate``).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .creatio_auth import Authenticator
from .creatio_store import OAUTH_SETTINGS, SETTING_URL, CreatioStore
from .identity_link import LOCAL_API_SCOPE, IdentityError, IdentityLink, empty_settings_message
from .options import MockOptions
from .wire import json_response

__all__ = ["HealthCheck"]

# §4 [DOC]: verbatim messages.
IS_UNAVAILABLE = f"IdentityService specified in system setting {SETTING_URL} is unavailable."
TOKEN_NOT_RETRIEVABLE = (
    "Can't retrieve access_token for system actions from IdentityService specified in system settings "
    "OAuth20IdentityServerUrl using client_id and client_secret specified in system settings "
    "OAuth20IdentityServerClientId & OAuth20IdentityServerClientSecret."
)
# [INF] §4: IsDefaultResourceRegistered exists in the status class [SRC S82]; its message is not
# documented, this wording is the mock's.
NO_DEFAULT_RESOURCE = (
    f"Default resource is not registered in IdentityService specified in system setting {SETTING_URL}."
)
FLAGS = ("IsSystemSettingsFilledIn", "IsIdentityServiceAvailable", "IsAccessTokenRetrievableForSystemActions",
         "IsDefaultResourceRegistered")


class HealthCheck:
    def __init__(self, options: MockOptions, store: CreatioStore, auth: Authenticator, link: IdentityLink) -> None:
        self.options = options
        self.store = store
        self.auth = auth
        self.link = link

    async def handle(self, request: Request) -> Response:
        # [INF] §4: the docs say "from the browser", i.e. a logged-in session; the mock requires
        # authentication (cookie + BPMCSRF, or Bearer).
        principal = await self.auth.authenticate(request)
        if isinstance(principal, Response):
            return principal
        if self.options.has("health-green-identity-down"):
            # Defect. Realistic fault: the result is computed once at application start (when the IS
            # was up) and cached for good, so the tab stays green while the Identity Service is down.
            passed, message = len(FLAGS), None
        else:
            passed, message = await self._evaluate()
        body: dict[str, Any] = {"HasProblem": message is not None}
        body.update({flag: index < passed for index, flag in enumerate(FLAGS)})
        status = 200
        if message is not None:
            body["Message"] = message
            status = 500  # §4: problems arrive as HTTP 500
        if self.options.has("health-flags-wrong"):
            # Defect: a flag says the system token is not retrievable, yet the answer claims health.
            body = {"HasProblem": False, **{f: body[f] for f in FLAGS}}
            body["IsAccessTokenRetrievableForSystemActions"] = False
            status = 200
        return json_response(body, status)

    async def _evaluate(self) -> tuple[int, str | None]:
        """How many checks passed, and the message of the first failure."""
        if self.options.cloud:
            # [INF] on a Creatio-managed cloud tenant the Identity Service settings are the vendor's, not
            # the customer's, and the documented procedure asks for the Diagnostic tab on on-site only
            # (the seed, step 3). The less convenient answer: the tab reports the settings empty, so a
            # client that gates on it must not do so on cloud. Saves still reach the IS as on-site.
            return 0, empty_settings_message(list(OAUTH_SETTINGS))
        empty = [code for code in OAUTH_SETTINGS if not self.store.setting(code)]
        if empty:
            return 0, empty_settings_message(empty)
        try:
            # [INF] §4: "IS available" means the discovery document can be fetched.
            await self.link.discovery(fresh=True)
        except IdentityError:
            return 1, IS_UNAVAILABLE
        try:
            token_scope = f"get_resource_list {LOCAL_API_SCOPE}"
            await self.link.system_token(token_scope, fresh=True)
        except IdentityError:
            return 2, TOKEN_NOT_RETRIEVABLE
        resource = self.store.default_resource()
        try:
            listed = (await self.link.manage("POST", "OwnedResources/list", "get_resource_list", {})).json()
        except (IdentityError, ValueError):
            listed = []
        names = {r.get("Name") for r in listed if isinstance(r, dict)} if isinstance(listed, list) else set()
        if resource is None or resource.name not in names:
            return 3, NO_DEFAULT_RESOURCE
        return 4, None
