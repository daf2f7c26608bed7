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
