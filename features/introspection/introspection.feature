Feature: RFC 7662 token introspection, where the server advertises it
  An introspection endpoint answers only authorized callers (401 to bad client credentials), reports
  a fresh token active with metadata that agrees with the token response, and an unknown token
  inactive with nothing else.

  Background:
    Given the server advertises an introspection endpoint

  @RFC7662-2.1-authz
  Scenario: An unauthenticated caller learns nothing
    When a token is introspected without client authentication
    Then the introspection is refused and reveals no token metadata

  @RFC7662-2.2-active
  Scenario: A fresh token is active and its metadata agrees with the token response
    When the client introspects its own fresh token
    Then the introspection says active true with the token's client_id

  @RFC7662-2.2-inactive-minimal
  Scenario: An unknown token is inactive and nothing else
    When the client introspects the token "oauth-conformance-unknown-token"
    Then the introspection answers 200 with only active false

  @RFC7662-2.1-post
  Scenario: The endpoint answers POST, and GET reveals nothing
    When a token is introspected with GET
    Then the introspection reveals no token metadata

  # A cross-check of two endpoints: where the server also advertises revocation.
  @RFC7662-2.2-revoked-inactive
  Scenario: A revoked token is inactive
    When the client revokes a fresh access token and introspects it
    Then the introspection says active false for the revoked token

  @RFC7662-2.3-bad-creds
  Scenario: A caller with a wrong secret is refused with 401
    When a token is introspected with a wrong client secret
    Then the introspection is refused with HTTP 401 and no token metadata
