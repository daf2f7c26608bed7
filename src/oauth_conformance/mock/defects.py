"""Named fault switches of the bundled mock.

A *defect* breaks one promise of the documented Creatio behaviour or of a standard; ``expected``
lists the requirement IDs the suite must then report as failing (the seeded-defect kill matrix
checks exactly that). A *benign* variant changes the wire format in a way the standards allow, so
it must trip nothing.

Every switch here is implemented for real in the mock; ``grep -rn '"<name>"'`` in this package
finds the place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Defect:
    """One fault switch: its name, what it does, and the requirement IDs it must trip."""

    name: str
    description: str
    expected: frozenset[str]


def _table(*defects: Defect) -> dict[str, Defect]:
    return {d.name: d for d in defects}


DEFECTS: dict[str, Defect] = _table(
    Defect(
        "accept-any-secret",
        "The Identity Service accepts any non-empty client secret for a known client.",
        frozenset({"CRE-dedicated-credentials", "RFC6749-5.2-no-enum", "RFC6749-5.2-error-shape"}),
    ),
    Defect(
        "inactive-client-gets-tokens",
        "The Identity Service issues tokens to disabled clients.",
        frozenset({"CRE-active-off-new", "RFC6819-5.2.3.6-revoke-secret"}),
    ),
    Defect(
        "edit-rotates-secret",
        "Editing an integration (any change other than Active) generates a new client secret, "
        "both in the Identity Service and in the stored record.",
        frozenset({"CRE-edit-keeps-credentials"}),
    ),
    Defect(
        "reactivate-rotates-secret",
        "Setting Active back to true issues a new client secret.",
        frozenset({"CRE-reactivate"}),
    ),
    Defect(
        "techuser-rights-ignored",
        "The API ignores the per-user permission model for Bearer calls.",
        frozenset({"CRE-techuser-isolation"}),
    ),
    Defect(
        "name-not-required",
        "AddClient and CreateTechnicalUser accept an empty name and create the records.",
        frozenset({"CRE-name-required"}),
    ),
    Defect(
        "integration-not-listed",
        "The integrations list (OAuthClientApp read without a filter) omits integrations created through "
        "OAuthConfigService; lookups with a filter still find them.",
        frozenset({"CRE-integration-listed"}),
    ),
    Defect(
        "edit-ignored",
        "OData PATCH on OAuthClientApp answers 204 but does not store Name, ApplicationUrl or Description.",
        frozenset({"CRE-edit-updates"}),
    ),
    Defect(
        "techuser-wrong-type",
        "CreateTechnicalUser creates an ordinary user (SysAdminUnitTypeValue 4) instead of a technical one (7).",
        frozenset({"CRE-techuser-created"}),
    ),
    Defect(
        "health-flags-wrong",
        "OAuthHealthCheck answers 200 with IsAccessTokenRetrievableForSystemActions false but HasProblem false.",
        frozenset({"CRE-health-preflight"}),
    ),
    Defect(
        "credential-format-lowercase",
        "Generated Client Ids and Client secrets are lower-case hex (32 and 64 characters, as usual).",
        frozenset({"CRE-credential-format"}),
    ),
    Defect(
        "techuser-choice-ignored",
        "AddClient and OData POST of OAuthClientApp ignore a requested systemUserId that is a technical user "
        "(type 7) and bind the integration to the calling admin (Supervisor) instead; the IS client's "
        "SysAdminUnitId property follows the bound user. The technical user the 'separate technical user' "
        "path creates is type 7 as well, so CRE-techuser-created and CRE-token-acts-as-techuser trip too.",
        frozenset({"CRE-techuser-existing", "CRE-techuser-isolation", "CRE-techuser-created",
                   "CRE-token-acts-as-techuser"}),
    ),
    Defect(
        "secret-not-returned",
        "AddClient answers success with the Client Id but without the Client secret.",
        frozenset({"CRE-credentials-generated"}),
    ),
    Defect(
        "body-credentials-rejected",
        "The IS token endpoint ignores client_secret_post for integration clients (Basic only), although "
        "Creatio documents the body form.",
        frozenset({"CRE-token-issued", "RFC6749-2.3.1-post", "RFC8414-2-auth-methods"}),
    ),
    Defect(
        "basic-auth-rejected",
        "The IS token endpoint ignores client_secret_basic for integration clients: credentials sent only in "
        "the Authorization header get 400 invalid_client; body credentials still work.",
        frozenset({"CRE-basic-support", "RFC6749-2.3.1-basic", "RFC8414-2-auth-methods"}),
    ),
    Defect(
        "token-wrong-user-claim",
        "Tokens issued to integration clients carry prop:SysAdminUnitId of the admin user (Supervisor) "
        "instead of the integration's user, so Creatio maps them to the admin.",
        frozenset({"CRE-token-acts-as-techuser", "CRE-techuser-isolation"}),
    ),
    Defect(
        "deactivate-all-clients-of-user",
        "Clearing IsActive on one integration (OData PATCH or UpdateClient) also disables every other "
        "integration bound to the same system user, in Creatio's records and in the IS.",
        frozenset({"CRE-active-off-isolated"}),
    ),
    Defect("refresh-token-issued", "Client credentials token responses carry a refresh_token.",
           frozenset({"RFC6749-4.4.3-no-refresh"})),
    Defect("no-store-missing", "Token responses carry Cache-Control no-cache instead of no-store.",
           frozenset({"RFC6749-5.1-no-store"})),
    Defect("pragma-missing", "Token responses carry no Pragma: no-cache header.",
           frozenset({"RFC6749-5.1-pragma"})),
    Defect("expires-in-string", 'Token responses carry expires_in as a JSON string ("3600");'
           " the lifetime check cannot read it either.",
           frozenset({"RFC6749-5.1-fields", "RFC6750-5.3-short-lived"})),
    Defect("token-json-as-text", "Token responses are JSON served as text/plain; charset=utf-8.",
           frozenset({"RFC6749-5.1-content-type"})),
    Defect("get-accepted-at-token-endpoint", "The token endpoint issues tokens to GET with the parameters "
           "in the query string.", frozenset({"RFC6749-3.2-post"})),
    Defect("credentials-in-query-accepted", "The token endpoint reads parameters, client credentials "
           "included, from the query string of a POST as well as from the body.",
           frozenset({"RFC6749-2.3.1-not-in-uri"})),
    Defect("password-grant-accepted", "The token endpoint issues tokens for grant_type password with any "
           "username and password.", frozenset({"RFC9700-2.4-no-ropc"})),
    Defect("unknown-param-rejected", "The token endpoint refuses requests with an unknown parameter "
           "(invalid_request).", frozenset({"RFC6749-3.2-ignore-unknown"})),
    Defect("empty-scope-rejected", "The token endpoint answers an empty scope parameter with invalid_scope "
           "instead of treating it as omitted.", frozenset({"RFC6749-3.2-empty-param"})),
    Defect("issuer-mismatch", "Discovery (and the tokens) name the issuer <IS base>/identity, not the base URL "
           "the metadata is fetched from.", frozenset({"RFC8414-3.3-issuer-match"})),
    Defect("private-key-in-jwks", "The JWKS publishes the signing key's private members (d, p, q, dp, dq, qi).",
           frozenset({"RFC7517-9.2-no-private"})),
    Defect("rsa-1024-key", "The IS signs with a 1024-bit RSA key.", frozenset({"RFC7518-3.3-rsa-2048"})),
    Defect("duplicate-kid", "The JWKS carries a second, unrelated RSA key with the same kid as the signing key "
           "(so the token's kid no longer resolves to exactly one key).",
           frozenset({"RFC7517-4.5-kid-unique", "JWKS-kid-resolves"})),
    Defect("token-typ-jwt", 'Access tokens carry the header typ "JWT" instead of "at+jwt".',
           frozenset({"RFC9068-2.1-typ", "RFC8725-3.11-explicit-typing"})),
    Defect("discovery-advertises-none-alg", "Discovery lists none in id_token_signing_alg_values_supported.",
           frozenset({"RFC8414-2-no-none"})),
    Defect("api-accepts-alg-none", "Creatio's Bearer validation accepts an unsigned token (alg none).",
           frozenset({"RFC9068-4-rs-validation", "RFC8725-3.1-alg-allowlist", "RFC6749-7-rs-validate"})),
    Defect("api-accepts-unknown-kid", "Creatio's Bearer validation, when no published key has the token's kid "
           "is unknown even after a refetch, falls back to the unverified claims (fails open).",
           frozenset({"RFC9068-4-rs-validation", "RFC8725-3.1-alg-allowlist", "RFC6749-7-rs-validate"})),
)

BENIGN: dict[str, Defect] = _table(
    Defect("lowercase-token-type", 'Token responses carry token_type "bearer" (RFC 6749 §5.1: case-insensitive).',
           frozenset()),
    Defect("extra-token-fields", "Token responses carry an extra JSON member and reordered members "
           "(RFC 6749 §5.1: unknown members are ignored).", frozenset()),
    Defect("json-charset", "Token responses use Content-Type application/json; charset=utf-8.", frozenset()),
    Defect("short-token-lifetime", "Tokens live 900 s: expires_in is 900 and exp matches.", frozenset()),
    Defect("second-jwks-key", "The JWKS carries a second, unrelated RSA key with its own kid.", frozenset()),
    Defect("different-kid", "The signing key's kid is its RFC 7638 thumbprint (base64url).", frozenset()),
    Defect("cache-control-extra", "Token responses carry Cache-Control: no-store, no-cache, private.",
           frozenset()),
)


def validate_switch_names(names: Iterable[str]) -> frozenset[str]:
    """Return the names as a frozenset, or raise ValueError naming the unknown ones and the valid ones."""
    chosen = frozenset(names)
    valid = DEFECTS.keys() | BENIGN.keys()
    unknown = sorted(chosen - valid)
    if unknown:
        raise ValueError(
            f"unknown mock defect(s) {', '.join(unknown)}; valid names: {', '.join(sorted(valid))}"
        )
    return chosen
