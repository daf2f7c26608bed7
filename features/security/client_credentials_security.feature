Feature: Security of the client credentials setup (RFC 9700, RFC 6819, RFC 6749 §3.3)
  Client secrets are hard to guess, a deactivated client's secret is refused at once, and a token
  request without a scope gets a default scope or a clear refusal.

  @RFC6819-5.1.4.2.2-secret-entropy
  Scenario: The client secret has at least 128 bits
    Then the client secret carries at least 128 bits by its length and alphabet

  @RFC6819-5.2.3.6-revoke-secret
  Scenario: A deactivated client's secret is refused
    When the deactivated client requests a token
    Then the token request is refused with invalid_client

  @RFC6749-3.3-default-scope
  Scenario: Without a scope the server applies a default or refuses with invalid_scope
    When the client requests a token
    Then a default scope is applied or the request is refused with invalid_scope

  @RFC6819-5.1.5.3-short-exp
  Scenario: Access tokens live ten minutes or less
    Given the client holds an access token
    Then the token lifetime is at most 600 seconds

  @RFC6750-3.1-insufficient-scope
  Scenario: A valid token used beyond its privileges gets 403 insufficient_scope
    Given the client holds an access token
    When the client calls a resource its token does not grant
    Then the protected resource answers 403 with error insufficient_scope

  @RFC6819-4.6.6-proxy-cache
  Scenario: API answers carrying data may not be stored by shared caches
    Given the client holds an access token
    When the client calls the protected resource with the token in the Authorization header
    Then the answer carries Cache-Control no-store or private
