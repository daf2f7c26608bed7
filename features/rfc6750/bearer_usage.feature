Feature: RFC 6750 bearer token usage at the protected API
  The protected resource accepts the token in the Authorization header, and every refusal tells the
  client why with a Bearer challenge.

  @RFC6750-2.1-header
  Scenario: A valid token in the Authorization header is accepted
    Given the client holds an access token
    When the client calls the protected resource with the token in the Authorization header
    Then the protected resource answers 2xx

  @RFC6750-3-www-auth @RFC6750-3.1-no-auth-no-error
  Scenario: A request without credentials gets a Bearer challenge without an error code
    When the client calls the protected resource without credentials
    Then the protected resource answers 401 with a Bearer challenge
    And the challenge carries no error code

  @RFC6750-3.1-invalid-token
  Scenario: A malformed token is refused with invalid_token
    When the client calls the protected resource with the token "not-a-valid-token"
    Then the protected resource answers 401 with a Bearer challenge and error invalid_token

  @RFC6750-3.1-invalid-request
  Scenario: An empty bearer token is a malformed request
    When the client calls the protected resource with an empty bearer token
    Then the protected resource answers 400 with error invalid_request

  @RFC6750-2-one-method
  Scenario: A token in the header and the query at once is refused
    Given the client holds an access token
    When the client calls the protected resource with the token in the header and the query at once
    Then the protected resource answers 400 with error invalid_request

  @RFC6750-2.3-query
  Scenario: A token in the query string is not accepted
    Given the client holds an access token
    When the client calls the protected resource with the token in the query string only
    Then the protected resource does not answer 2xx

  @RFC6750-5.3-short-lived
  Scenario: Access tokens are short-lived
    Given the client holds an access token
    Then the token lifetime is at most 3600 seconds
