Feature: RFC 9068 JWT access tokens and their validation by the resource server
  When the access token is a JWT, it declares its type, is signed with a published key, carries the
  required claims, and the resource server refuses every forged variant of it.

  Background:
    Given the client holds a JWT access token

  @RFC9068-2.1-typ @RFC8725-3.11-explicit-typing
  Scenario: The token declares the access-token media type
    Then the token header typ is at+jwt

  @RFC9068-2.1-signed
  Scenario: The token is signed with RS256, never alg none
    Then the token header alg is RS256

  @RFC9068-2.2-claims
  Scenario: The token carries the required claims and a lifetime matching expires_in
    Then the token carries iss, exp, aud, sub, client_id, iat and jti, and its exp minus iat matches expires_in

  @RFC9068-4-iss-match
  Scenario: The token's issuer is the one the metadata announces
    Then the token iss claim is the issuer of the authorization server's metadata

  @JWKS-kid-resolves @RFC6819-4.6.3-guessing
  Scenario: The token's key is published and its signature verifies
    Then the token kid resolves to exactly one key of the JWKS
    And the token signature verifies with that key

  @RFC9068-3-aud-default @RFC6750-5.3-audience @RFC6819-4.6.4-phishing
  Scenario: The token is restricted to an audience
    Then the token aud claim is not empty

  @RFC6819-5.1.5.8-bind-client
  Scenario: The token is bound to its client
    Then the token client_id claim is the client's id

  @RFC9068-2.2.3-scope
  Scenario: The token carries the scope it was granted
    Then the token carries a scope claim when the token response names a scope

  @RFC9068-2.2.3-scope-granted
  Scenario: The token's scope claim is the scope the token response granted
    Then the token's scope claim names the scope the token response granted

  @RFC9068-3-aud-resource
  Scenario: A token requested for a resource names that resource as its audience
    When the client requests a token with a resource parameter naming the protected resource
    Then the token aud claim carries the requested resource

  @RFC9068-4-aud-validation
  Scenario: The resource server refuses a token issued for another resource
    When the client calls the protected resource with a token issued for another resource
    Then the protected resource refuses the token meant for another resource

  @RFC9068-5-sub-confusion @RFC9068-2.2-sub-cc @RFC9700-4.15-client-impersonation @RFC9700-2.3-least-privilege
  Scenario: The token's subject and privileges are recorded for review
    Then the token's sub identifies the client, not a person
    And the token's subject and scope are recorded for review

  @RFC9068-4-rs-validation @RFC8725-3.1-alg-allowlist @RFC6749-7-rs-validate @RFC6819-4.6.7-log-leak
  Scenario Outline: The resource server refuses a forged token: <variant>
    When the client calls the protected resource with the token forged as <variant>
    Then the protected resource refuses the forged token
    And the refusal does not echo the token

    Examples:
      | variant            |
      | alg-none           |
      | hs256-confusion    |
      | unknown-kid        |
      | tampered-payload   |
      | stripped-signature |
      | foreign-key        |
