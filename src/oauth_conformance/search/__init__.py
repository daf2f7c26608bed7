"""The search: Hypothesis looks for what the fixed scenarios cannot show.

- ``lifecycle``: a state machine of the integration lifecycle (create, edit, deactivate, reactivate,
  delete, rotate, tokens and API reads) with a model of what the documented procedure promises;
- ``token_requests``: variants of the client-credentials token request, and what each must get;
- ``token_mutations``: mutations of a genuine access token, which the API must refuse;
- ``runner``: one search run by Hypothesis, its findings (the shrunk failing example as replayable
  steps), and ``budget``: the requests it may send and how fast.
"""

from oauth_conformance.search.budget import RequestBudget
from oauth_conformance.search.lifecycle import REQUIREMENTS as LIFECYCLE_REQUIREMENTS
from oauth_conformance.search.lifecycle import Lifecycle, LifecycleMachine, TechnicalUser
from oauth_conformance.search.runner import PromiseBroken, Search, SearchSettings, hypothesis_settings
from oauth_conformance.search.token_mutations import TokenMutation, token_mutations
from oauth_conformance.search.token_requests import TokenRequestVariant, token_request_variants

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
    "token_mutations",
    "token_request_variants",
]
