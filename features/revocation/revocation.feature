Feature: RFC 7009 token revocation, where the server advertises it
  The revocation endpoint authenticates the client, answers 200 for tokens it does not know, does not
  let one client revoke another's token (the token still reads the resource and, where the client may
  introspect it, is still active), and the effect on the API is measured.

  Background:
    Given the server advertises a revocation endpoint

  @RFC7009-2-post-tls
  Scenario: The revocation endpoint is served over https
    Then the revocation endpoint is an https URL

  @RFC7009-2.2-invalid-200
  Scenario: Revoking an unknown token is answered 200
    When the client revokes the token "oauth-conformance-unknown-token"
    Then the revocation answers 200, as it does for the client's own token

  @RFC7009-2.1-hint
  Scenario: A wrong token_type_hint does not stop revocation
    When the client revokes a fresh access token with the hint refresh_token
    Then the revocation answers 200, as it does without the hint

  @RFC7009-2-access-tokens @RFC7009-effect
  Scenario: Access tokens can be revoked, and the API's answer afterwards is measured
    When the client revokes a fresh access token
    Then the revocation answers 200
    And the API's answer to the revoked token is recorded for review

  @RFC7009-2.1-client-auth
  Scenario: One client cannot revoke another client's token
    When the second client tries to revoke the client's fresh access token
    Then the client's token is still valid
