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
from dataclasses import dataclass, replace
from typing import Literal

__all__ = [
    "BENIGN",
    "DEFECTS",
    "PLAIN_HTTP_SWITCHES",
    "Defect",
    "DefectKind",
    "needing_tls",
    "validate_switch_names",
]

# What finds a defect: the fixed scenarios, or only the search (oauth_conformance.search): a sequence
# of lifecycle steps nobody wrote down, or an input variant of a token request or an access token.
DefectKind = Literal["scenario", "sequence", "input"]


@dataclass(frozen=True)
class Defect:
    """One fault switch: its name, what it does, and the requirement IDs it must trip."""

    name: str
    description: str
    expected: frozenset[str]
    # The mock profile the kill matrix runs it on. A defect whose requirement the creatio profile
    # already breaks (and profiles/creatio.toml waives) can only show against the compliant one.
    profile: str = "creatio"
    # Whether the mock serves https for it (the transport checks skip plain-http loopback by design).
    tls: bool = False
    # The Creatio behaviour it needs: "until-expiry" (8.1) validates tokens without looking at client_id.
    deactivation: str = "per-request"
    # The Creatio generation the kill matrix runs it on: a few run on older ones, to show that the checks
    # catch the fault where the suite reaches the instance differently (rebased endpoints on 8.0, the
    # existing technical user on 8.1, no health endpoint on .NET before 8.3).
    creatio_version: str = "8.3"
    # "sequence" and "input" defects are missed by the fixed scenarios; the kill matrix shows both.
    kind: DefectKind = "scenario"


def _table(*defects: Defect) -> dict[str, Defect]:
    return {d.name: d for d in defects}


DEFECTS: dict[str, Defect] = _table(
    Defect(
        "accept-any-secret",
        "The Identity Service accepts any non-empty client secret for a known client.",
        frozenset({"CRE-dedicated-credentials", "RFC6749-5.2-no-enum", "RFC6749-5.2-error-shape"}),
        creatio_version="8.0",
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
        creatio_version="8.1",
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
        "AdministrationService/UpdateOrCreateTechnicalUser (and CreateTechnicalUser where offered) creates an "
        "ordinary user (SysAdminUnitTypeValue 4) instead of a technical one (7).",
        frozenset({"CRE-techuser-created"}),
    ),
    Defect(
        "delete-user-refused",
        "AdministrationService/DeleteUser refuses every delete with a security exception, so the technical "
        "users a run creates cannot be removed through the API (the suite deactivates and lists them).",
        frozenset({"CRE-cleanup"}),
    ),
    Defect(
        "unnamed-user-created",
        "AdministrationService/UpdateOrCreateTechnicalUser with an empty Name stores a nameless technical user "
        "and still answers the refusal message (the validation runs after the insert).",
        frozenset({"CRE-unnamed-save"}),
    ),
    Defect(
        "health-flags-wrong",
        "OAuthHealthCheck answers 200 with IsAccessTokenRetrievableForSystemActions false but HasProblem false.",
        frozenset({"CRE-health-preflight"}),
        creatio_version="8.1",
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
        "the Authorization header get 400 invalid_client; body credentials still work. The IS-only "
        "special-characters client loses its Basic requests too.",
        frozenset({"CRE-basic-support", "RFC6749-2.3.1-basic", "RFC8414-2-auth-methods",
                   "RFC6749-2.3.1-basic-urlencode"}),
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
    Defect(
        "health-green-identity-down",
        "The Identity Service answers 503 to everything once the mock has started, while OAuthHealthCheck "
        "keeps reporting the green result it computed at start. Saving integrations fails with it.",
        frozenset({"CRE-health-preflight", "CRE-credentials-generated"}),
    ),
    Defect(
        "delete-leaves-client-usable",
        "Deleting an integration removes its OAuthClientApp row but not its IS client, so the deleted "
        "credentials still obtain tokens.",
        frozenset({"CRE-secret-rotate"}),
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
           "even after a refetch, falls back to the unverified claims (fails open).",
           frozenset({"RFC9068-4-rs-validation", "RFC8725-3.1-alg-allowlist", "RFC6749-7-rs-validate"})),
    # Token endpoint (RFC 6749), shown against the compliant profile.
    Defect("duplicate-params-accepted", "A repeated token request parameter keeps its last value instead of "
           "failing the request.", frozenset({"RFC6749-3.2-no-dup"}), "compliant"),
    Defect("two-auth-methods-accepted", "A token request with both a Basic header and body credentials is "
           "served (the header wins).", frozenset({"RFC6749-2.3-single-method"}), "compliant"),
    Defect("unknown-grant-invalid-grant", "An unknown grant_type is answered invalid_grant instead of "
           "unsupported_grant_type.", frozenset({"RFC6749-4.4.2-grant-type"}), "compliant"),
    Defect("basic-failure-400", "A failed Basic client authentication is answered 400 without a "
           "WWW-Authenticate challenge.", frozenset({"RFC6749-5.2-invalid-client-401"}), "compliant"),
    Defect("gateway-injects-default-client", "A token request without any client credentials is served as "
           "a default client.", frozenset({"RFC6749-3.2.1-auth-required"}), "compliant"),
    Defect("unknown-client-accepted", "An unknown client_id is registered on first use with the secret it "
           "presents and gets a token; so do the credentials of a deleted integration.",
           frozenset({"RFC6749-5.2-no-enum", "RFC6749-3.2.1-unknown-client", "CRE-secret-rotate"}), "compliant"),
    Defect("public-client-gets-tokens", "A public client (no secret) is allowed the client credentials grant "
           "with its client_id alone.", frozenset({"RFC6749-4.4-confidential"}), "compliant"),
    Defect("basic-not-urldecoded", "Basic credentials are not form-urldecoded after base64, so ids and "
           "secrets with reserved characters fail.", frozenset({"RFC6749-2.3.1-basic-urlencode"}), "compliant"),
    Defect("client-id-alone-accepted", "A confidential client that sends its client_id without a secret gets "
           "a token.", frozenset({"RFC6749-2.3.1-empty-secret"}), "compliant"),
    Defect("short-client-secret", "Creatio generates client secrets of 16 hex characters (64 bits).",
           frozenset({"RFC6819-5.1.4.2.2-secret-entropy", "CRE-credential-format"}), "compliant"),
    Defect("challenge-always-has-error", "A request without credentials gets a challenge with "
           "error=\"invalid_token\".", frozenset({"RFC6750-3.1-no-auth-no-error"}), "compliant"),
    Defect("scope-narrowed-silently", "A request for a scope the client may not have gets the client's default "
           "scopes instead, and the token response leaves scope out.", frozenset({"RFC6749-3.3-scope-echo"}),
           "compliant"),
    Defect("token-reused", "Every token request within a token's lifetime gets the same access token back.",
           frozenset({"RFC6749-10.3-unguessable"}), "compliant"),
    # Access tokens (RFC 9068, RFC 6819).
    # Without a jti, the revocation the mock keys on it revokes nothing, and introspection says so.
    Defect("token-missing-jti", "Access tokens carry their unique id as an unregistered \"id\" claim, not jti.",
           frozenset({"RFC9068-2.2-claims", "RFC7662-2.2-revoked-inactive"}), "compliant"),
    Defect("token-no-scope-claim", "Integration clients' access tokens carry no scope claim (the system "
           "client's keep it).", frozenset({"RFC9068-2.2.3-scope"}),
           "compliant"),
    Defect("day-long-tokens", "Access tokens live 24 hours.",
           frozenset({"RFC6750-5.3-short-lived", "RFC6819-5.1.5.3-short-exp"}), "compliant"),
    Defect("tokens-signed-ps256", "The IS signs access tokens with PS256 instead of RS256 (the API accepts "
           "them).", frozenset({"RFC9068-2.1-signed"}), "compliant"),
    Defect("client-id-claim-is-name", "Access tokens carry the client's display name as client_id; the API "
           "(8.1, which never looks the integration up) accepts them, but introspection no longer matches them "
           "to their client.", frozenset({"RFC6819-5.1.5.8-bind-client", "RFC7662-2.2-active",
                                          "CRE-token-acts-as-techuser"}), "compliant", deactivation="until-expiry"),
    Defect("sub-is-user", "Access tokens carry the integration's Creatio user id as sub instead of the client id.",
           frozenset({"RFC9068-5-sub-confusion"}), "compliant"),
    Defect("token-no-audience", "Integration clients' access tokens carry no aud, and the API skips the "
           "audience check for tokens without one.", frozenset({"RFC9068-3-aud-default", "RFC6750-5.3-audience",
                                                                "RFC6819-4.6.4-phishing", "RFC9068-2.2-claims"}),
           "compliant"),
    # Protected API (RFC 6750, RFC 6819, RFC 8725).
    Defect("no-bearer-challenge", "API 400 and 401 refusals carry no WWW-Authenticate challenge.",
           frozenset({"RFC6750-3-www-auth", "RFC6750-3.1-invalid-token", "RFC6750-3.1-invalid-request",
                      "RFC6750-2-one-method"}),
           "compliant"),
    Defect("api-error-codes-missing", "API challenges for a malformed or refused token carry no error "
           "attribute, a 403 carries no challenge, and an empty Bearer token is answered 401 instead of 400.",
           frozenset({"RFC6750-3.1-invalid-token", "RFC6750-3.1-invalid-request", "RFC6750-3.1-insufficient-scope"}),
           "compliant"),
    Defect("api-accepts-two-token-methods", "The API serves a request carrying the token in the header and the "
           "query at once.", frozenset({"RFC6750-2-one-method"}), "compliant"),
    Defect("api-accepts-query-token", "The API accepts access_token in the query string.",
           frozenset({"RFC6750-2.3-query"}), "compliant"),
    Defect("api-accepts-hs256-confusion", "The API verifies an HS256 token with the published RSA public key "
           "(PEM) as the HMAC secret.", frozenset({"RFC9068-4-rs-validation", "RFC8725-3.1-alg-allowlist",
                                                    "RFC6749-7-rs-validate"}), "compliant"),
    Defect("api-skips-signature-check", "The API trusts the claims of an RS256 token without verifying its "
           "signature.", frozenset({"RFC9068-4-rs-validation", "RFC8725-3.1-alg-allowlist",
                                    "RFC6749-7-rs-validate"}), "compliant"),
    Defect("api-echoes-token", "API refusals of a token quote the token in the error body.",
           frozenset({"RFC6819-4.6.7-log-leak"}), "compliant"),
    Defect("api-cacheable-answers", "API answers carry no Cache-Control no-store or private.",
           frozenset({"RFC6819-4.6.6-proxy-cache"}), "compliant"),
    # Metadata and keys (RFC 8414, RFC 7517).
    Defect("metadata-as-text", "The metadata is served as text/plain.",
           frozenset({"RFC8414-3-path", "RFC8414-3.2-json", "RFC9700-2.6-publish-metadata"}), "compliant"),
    Defect("metadata-empty-array", "The metadata carries an empty array (acr_values_supported: []).",
           frozenset({"RFC8414-3.2-json"}), "compliant"),
    Defect("metadata-no-grant-types", "The metadata leaves grant_types_supported out.",
           frozenset({"RFC8414-2-grant-types"}), "compliant"),
    Defect("error-echoes-secret", "The token endpoint's invalid_client answer quotes the client secret the "
           "request presented.", frozenset({"RFC6819-4.6.7-log-leak"}), "compliant"),
    Defect("revoked-token-still-active", "Introspection still answers a token its client revoked active "
           "(the revocation is answered 200 and honoured everywhere else).",
           frozenset({"RFC7662-2.2-revoked-inactive"}), "compliant"),
    Defect("token-iss-differs", "Access tokens carry the issuer with a trailing slash, which the metadata's "
           "issuer lacks (the API is configured with the tokens' value and accepts them).",
           frozenset({"RFC9068-4-iss-match"}), "compliant"),
    Defect("metadata-no-response-types", "The metadata advertises an authorization endpoint but leaves "
           "response_types_supported out.",
           frozenset({"RFC8414-2-response-types"}), "compliant"),
    Defect("jwks-as-text", "The JWK Set is served as text/plain.", frozenset({"RFC7517-5-keys"}), "compliant"),
    Defect("jwks-key-without-kty", "The JWK Set carries a certificate-only entry without kty.",
           frozenset({"RFC7517-4.1-kty"}), "compliant"),
    Defect("jwks-stale-key", "The JWK Set serves an old key under the signing key's kid; the API verifies "
           "with a key pinned in its own configuration, so tokens still work.",
           frozenset({"RFC6819-4.6.3-guessing"}), "compliant"),
    Defect("jwks-use-and-keyops", "The signing key carries both use and key_ops.",
           frozenset({"RFC7517-4.3-use-keyops"}), "compliant"),
    # Transport (RFC 6749 §3.2, §10.8, RFC 6750 §5.3, RFC 8414 §2), against the mock serving https.
    Defect("plain-http-on-tls-port", "Both servers' https ports answer plain http as well (protocol detection "
           "on the listener), and serve the requests that arrive that way.",
           frozenset({"RFC6749-3.2-tls", "RFC6819-5.1.1-tls", "RFC6750-5.3-tls"}), "compliant", tls=True),
    Defect("jwks-over-plain-http", "Discovery names an http:// jwks_uri, which the https port also answers "
           "in plain http.", frozenset({"RFC8414-2-jwks-uri", "RFC6749-10.8-no-cleartext", "RFC6749-3.2-tls",
                                        "RFC6819-5.1.1-tls", "RFC6750-5.3-tls"}), "compliant", tls=True),
    Defect("revocation-over-plain-http", "Discovery names an http:// revocation_endpoint, which the https port "
           "also answers in plain http.", frozenset({"RFC7009-2-post-tls", "RFC6749-10.8-no-cleartext",
                                                      "RFC6749-3.2-tls", "RFC6819-5.1.1-tls", "RFC6750-5.3-tls"}),
           "compliant", tls=True),
    Defect("issuer-http", "Discovery and tokens name an http:// issuer while the metadata is served over https.",
           frozenset({"RFC8414-2-issuer", "RFC8414-3.3-issuer-match"}), "compliant", tls=True),
    # Introspection (RFC 7662); the compliant profile lets a client introspect its own tokens.
    Defect("introspection-open", "The introspection endpoint answers callers without authentication.",
           frozenset({"RFC7662-2.1-authz", "RFC7662-2.3-bad-creds"}), "compliant"),
    Defect("introspection-any-secret", "The introspection endpoint accepts a known client id with any secret.",
           frozenset({"RFC7662-2.3-bad-creds"}), "compliant"),
    Defect("introspection-get-answers", "The introspection endpoint answers GET ?token= without "
           "authentication.", frozenset({"RFC7662-2.1-post"}), "compliant"),
    Defect("introspection-says-inactive", "Introspection reports every JWT access token inactive.",
           frozenset({"RFC7662-2.2-active"}), "compliant"),
    Defect("introspection-inactive-verbose", "Introspection of an inactive token answers more members than "
           "active false.", frozenset({"RFC7662-2.2-inactive-minimal"}), "compliant"),
    # Revocation (RFC 7009), which only the compliant profile offers.
    Defect("revocation-unknown-400", "Revoking an unknown token is answered 400 invalid_token.",
           frozenset({"RFC7009-2.2-invalid-200"}), "compliant"),
    Defect("revocation-hint-strict", "An access token sent with token_type_hint refresh_token is refused "
           "unsupported_token_type.", frozenset({"RFC7009-2.1-hint"}), "compliant"),
    Defect("revocation-access-tokens-unsupported", "Every access token is refused unsupported_token_type at "
           "the revocation endpoint.", frozenset({"RFC7009-2-access-tokens"}), "compliant"),
    Defect("revocation-any-client", "Any authenticated client can revoke any other client's access tokens.",
           frozenset({"RFC7009-2.1-client-auth"}), "compliant"),
    Defect("introspection-advertised-dead", "Discovery advertises an introspection endpoint path that answers "
           "404.", frozenset({"RFC8414-2-endpoints-live", "RFC7662-2.2-active", "RFC7662-2.2-inactive-minimal"}),
           "compliant"),
    Defect("token-scope-claim-widened", "Integration clients' access tokens add the Identity Service's own API "
           "scope (IdentityServerApi) to their scope claim; the token response names only the scopes granted.",
           # Introspection reads the token's claims, so it reports the widened scope too.
           frozenset({"RFC9068-2.2.3-scope-granted", "RFC7662-2.2-active"}), "compliant"),
    Defect("token-aud-ignores-resource", "A token requested with an RFC 8707 resource parameter carries the "
           "default audience instead of that resource.", frozenset({"RFC9068-3-aud-resource"}), "compliant"),
    Defect("device-authorization-advertised-dead", "Discovery advertises a device authorization endpoint, which "
           "answers 404.", frozenset({"RFC8414-2-endpoints-live"}), "compliant"),
    Defect("introspection-exp-differs", "Introspection of an active token answers an exp worked out from the "
           "client's configured lifetime (two hours from the question), not the token's own.",
           frozenset({"RFC7662-2.2-active"}), "compliant"),
    Defect("api-ignores-audience", "The API serves a genuine token the Identity Service issued for another "
           "resource (it does not check aud).", frozenset({"RFC9068-4-aud-validation"}), "compliant"),
)

# Faults only a sequence of lifecycle steps shows (the lifecycle state machine): each fixed scenario
# edits, deactivates, reactivates or deletes an integration once, so none of them meets these.
_SEQUENCE = (
    Defect("third-edit-rotates-secret", "The third edit of one integration (any change other than Active) "
           "generates a new client secret, in the Identity Service and in the stored record.",
           frozenset({"CRE-edit-keeps-credentials"})),
    Defect("reactivate-after-edit-rotates-secret", "Selecting Active again on an integration that was edited "
           "since it was created issues a new client secret.", frozenset({"CRE-reactivate"})),
    Defect("edit-while-inactive-enables", "Editing an inactive integration's Name, Application URL or "
           "Description enables its Identity Service client again, while Active stays cleared.",
           frozenset({"CRE-active-off-new"})),
    Defect("second-deactivation-ignored", "Clearing Active disables the Identity Service client only the first "
           "time: after a reactivation, clearing it again leaves the client enabled.",
           frozenset({"CRE-active-off-new"})),
    Defect("renamed-deactivation-missed", "Clearing Active finds the Identity Service client by the name the "
           "integration was created with, so an integration renamed since keeps its client enabled.",
           frozenset({"CRE-active-off-new"})),
    Defect("same-name-revives-deleted", "Saving a new integration with the name of a deleted one enables the "
           "deleted integration's Identity Service client again.", frozenset({"CRE-secret-rotate"})),
    Defect("reactivation-revives-deleted-sibling", "Selecting Active on an integration enables the Identity "
           "Service clients of integrations deleted earlier that were bound to the same technical user.",
           frozenset({"CRE-secret-rotate"})),
    Defect("reactivation-runs-as-admin", "Selecting Active again binds the Identity Service client to the "
           "administrator who saved it, so its tokens read what the technical user may not.",
           frozenset({"CRE-techuser-isolation"})),
)

# Faults only an input variant shows (the token endpoint and API properties): the fixed scenarios send
# one well-formed request per case, with ASCII values and whole tokens.
_INPUT = (
    Defect("non-ascii-client-id-500", "A client_id holding a character outside ASCII, sent in the request body, "
           "makes the token endpoint fail with HTTP 500.", frozenset({"RFC6749-5.2-error-shape"}), "compliant"),
    Defect("secret-whitespace-stripped", "The token endpoint strips whitespace around the client secret before "
           "comparing it, so the secret with a trailing space obtains a token.",
           frozenset({"RFC6749-3.2.1-auth-required"}), "compliant"),
    Defect("secret-case-insensitive", "The token endpoint compares client secrets without regard to letter case.",
           frozenset({"RFC6749-3.2.1-auth-required"}), "compliant"),
    Defect("repeated-secret-any-matches", "A token request that repeats client_secret is not refused: it "
           "authenticates when any of the values is the secret.", frozenset({"RFC6749-3.2-no-dup"}), "compliant"),
    Defect("long-value-unregistered-error", "A parameter value longer than 1,000 characters is answered 400 with "
           'error "request_too_large", a code RFC 6749 §5.2 does not register.',
           frozenset({"RFC6749-5.2-error-shape"}), "compliant"),
    Defect("charset-drops-no-store", "A token request whose Content-Type carries a charset parameter gets its "
           "token without Cache-Control: no-store.", frozenset({"RFC6749-5.1-no-store"}), "compliant"),
    Defect("spaced-secret-echoed", "An invalid_client answer quotes the client secret it was sent in its "
           "error_description when the secret holds a space.", frozenset({"RFC6819-4.6.7-log-leak"}), "compliant"),
    Defect("signature-prefix-compare", "The API compares an access token's signature with the one the issuer "
           "computes by its first 16 bytes only, so a token whose signature differs after them is served.",
           frozenset({"RFC9068-4-rs-validation"}), "compliant"),
    Defect("alg-none-any-case", 'The API serves unsigned tokens whose alg is "none" in another letter case '
           '("None", "NONE").', frozenset({"RFC8725-3.1-alg-allowlist"}), "compliant"),
    Defect("embedded-jwk-trusted", "The API verifies an access token with the key in its own jwk header when it "
           "carries one, so a token re-signed with any key is served.", frozenset({"RFC9068-4-rs-validation"}),
           "compliant"),
)

DEFECTS |= _table(*(replace(d, kind="sequence") for d in _SEQUENCE), *(replace(d, kind="input") for d in _INPUT))

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
    Defect("challenge-extra-params", "API Bearer challenges carry extra auth-params (scope, error_uri).",
           frozenset(), "compliant"),
    Defect("dpop-challenge-first", "API refusals list a DPoP challenge before the Bearer one in one "
           "WWW-Authenticate field (RFC 9110 §11.6.1: several challenges, any order).", frozenset(), "compliant"),
    Defect("jwks-encryption-key", "The JWKS also publishes an RSA encryption key (use enc, RSA-OAEP), as "
           "Keycloak does.", frozenset()),
    Defect("challenges-in-separate-fields", "API refusals carry a DPoP challenge in a WWW-Authenticate field of "
           "its own, before the field with the Bearer one (RFC 9110 §5.3: one list, several field lines).",
           frozenset(), "compliant"),
    Defect("bearer-scheme-lowercase", 'API challenges name the scheme "bearer" (RFC 9110 §11.1: the scheme is '
           "case-insensitive).", frozenset(), "compliant"),
    Defect("jwks-ec-key", "The JWKS also publishes an EC P-256 signing key (ES256) with its own kid (RFC 7517 §4.1: "
           "keys of several types).", frozenset()),
    Defect("signing-key-bare", 'The signing key in the JWKS carries neither "use" nor "alg" (RFC 7517 §4.2, §4.4: '
           "both OPTIONAL).", frozenset()),
    Defect("plain-http-https-required", "The https ports also answer plain http, always with 403 invalid_request "
           "\"HTTPS required\" (as Keycloak does), never serving the request.", frozenset(), "compliant", tls=True),
    Defect("introspection-extra-members", "Active introspection answers carry extension members (iss is "
           "already there; username and a private one are added).", frozenset(), "compliant"),
    Defect("revocation-json-body", "Revocation answers 200 with an empty JSON object as its body.", frozenset(),
           "compliant"),
    Defect("create-technical-user-service", "OAuthConfigService/CreateTechnicalUser exists (8.2 and 8.3 only) and "
           'answers {"CreateTechnicalUserResult": {"success": true, "systemUserId": "<guid>"}}, as CLIO expects '
           "of 10.x builds.", frozenset()),
    Defect("denied-read-empty-list", "A Bearer read of an entity set the caller may not read answers 200 with an "
           "empty value list instead of 403 (record-level rights).", frozenset()),
    Defect("deactivation-delay", "The Identity Service caches an enabled client for 1.5 s after a token request, so "
           "it keeps issuing tokens for up to 1.5 s after the integration's Active is cleared.", frozenset()),
)


# The switches that make the mock's https ports answer plain http too (PlainAndTlsServer).
PLAIN_HTTP_SWITCHES = frozenset({"plain-http-on-tls-port", "jwks-over-plain-http", "revocation-over-plain-http",
                                 "plain-http-https-required"})


def needing_tls(names: Iterable[str]) -> list[str]:
    """The switches among ``names`` that only do something when the mock serves https."""
    switches = {**DEFECTS, **BENIGN}
    return sorted(n for n in names if n in switches and switches[n].tls)


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
