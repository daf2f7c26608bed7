"""The search: Hypothesis looks for what the fixed scenarios cannot show.

- ``lifecycle``: a state machine of the integration lifecycle (create, edit, deactivate, reactivate,
  delete, rotate, tokens and API reads) with a model of what the documented procedure promises;
- ``token_requests``: variants of the client-credentials token request, and what each must get;
- ``token_mutations``: mutations of a genuine access token, which the API must refuse;
- ``runner``: one search run by Hypothesis, its findings (the shrunk failing example as replayable
  steps), and ``budget``: the requests it may send and how fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oauth_conformance.search.budget import RequestBudget
    from oauth_conformance.search.lifecycle import Lifecycle, LifecycleMachine, TechnicalUser
    from oauth_conformance.search.requirements import LIFECYCLE_REQUIREMENTS
    from oauth_conformance.search.runner import PromiseBroken, Search, SearchSettings, hypothesis_settings
    from oauth_conformance.search.token_mutations import TokenMutation
    from oauth_conformance.search.token_requests import TokenRequestVariant, token_request_variants

# Where each name lives. Imported on first use: the modules import Hypothesis, which a run whose search
# does not run has no use for (and the test modules import this package to mark themselves). The
# mutations' strategy is imported from its module (``token_mutations.token_mutations``): once imported,
# a submodule is the package attribute of its name.
_HOMES = {
    "RequestBudget": "budget",
    "Lifecycle": "lifecycle",
    "LifecycleMachine": "lifecycle",
    "TechnicalUser": "lifecycle",
    "LIFECYCLE_REQUIREMENTS": "requirements",
    "PromiseBroken": "runner",
    "Search": "runner",
    "SearchSettings": "runner",
    "hypothesis_settings": "runner",
    "TokenMutation": "token_mutations",
    "TokenRequestVariant": "token_requests",
    "token_request_variants": "token_requests",
}


__all__ = [
    "LIFECYCLE_REQUIREMENTS",
    "Lifecycle",
    "LifecycleMachine",
    "PromiseBroken",
    "RequestBudget",
    "Search",
    "SearchSettings",
    "TechnicalUser",
    "TokenMutation",
    "TokenRequestVariant",
    "hypothesis_settings",
    "token_request_variants",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
