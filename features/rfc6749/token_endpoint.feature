Feature: RFC 6749 token endpoint for the client credentials grant
  The token endpoint authenticates the client, answers a JSON token response that no cache may keep,
  and refuses malformed requests with the registered error codes.

  @RFC6749-5.1-fields @RFC6749-5.1-content-type @RFC6749-5.1-no-store @RFC6749-5.1-pragma @RFC6749-4.4.3-no-refresh
  Scenario: A successful token response
    When the client requests a token
    Then a token is issued with access_token, token_type Bearer and a numeric expires_in
    And the token response is JSON
    And the token response carries Cache-Control no-store
    And the token response carries Pragma no-cache
    And the token response carries no refresh token

  @RFC6749-2.3.1-basic
  Scenario: HTTP Basic client authentication is supported
    When the client requests a token with HTTP Basic authentication
    Then a token is issued

  # Issued means decoded only where a wrong secret for the same client is refused: a server that
  # accepts any secret issues whatever the encoding.
  @RFC6749-2.3.1-basic-urlencode
  Scenario: Basic credentials are form-urlencoded before base64
    When the special-characters client requests a token with a wrong secret in urlencoded HTTP Basic
    And the special-characters client requests a token with urlencoded HTTP Basic credentials
    Then a token is issued, while the wrong secret was refused

  @RFC6749-2.3.1-post
  Scenario: Client credentials in the request body are supported
    When the client requests a token with its credentials in the request body
    Then a token is issued

  @RFC6749-3.2.1-auth-required
  Scenario: A request without client credentials is refused
    When a token is requested without any client credentials
    Then the token request is refused with invalid_client

  @RFC6749-2.3.1-empty-secret
  Scenario: A request that omits the secret of a real client is refused
    When the client requests a token with its client_id but without a secret
    Then the token request is refused with invalid_client

  @RFC6749-5.2-invalid-client-401
  Scenario: A wrong secret sent with HTTP Basic is answered 401 with a Basic challenge
    When the client requests a token with HTTP Basic and a wrong secret
    Then the token request is refused with HTTP 401 and a WWW-Authenticate Basic challenge

  @RFC6749-5.2-error-shape @RFC6819-4.6.7-log-leak
  Scenario: Error responses are JSON with a registered error code
    When the client requests a token with a wrong secret in the request body
    Then the error response is JSON with a registered error code
    And the error response does not echo the secret it was sent

  @RFC6749-5.2-no-enum @RFC6749-3.2.1-unknown-client
  Scenario: An unknown client and a wrong secret look the same
    When the client requests a token with a wrong secret in the request body
    And an unknown client requests a token
    Then both refusals have the same status and error
    And the unknown client obtains no token

  @RFC6749-2.3.1-not-in-uri
  Scenario: Credentials in the query string are not accepted
    When the client requests a token with its credentials in the query string only
    Then no token is issued

  @RFC6749-3.2-post
  Scenario: The token endpoint does not issue tokens to GET
    When the client requests a token with GET
    Then no token is issued

  @RFC6749-3.2-no-dup
  Scenario: A repeated parameter is refused
    When the client requests a token with the grant_type parameter repeated
    Then the token request is refused with invalid_request

  @RFC6749-3.2-ignore-unknown
  Scenario: Unknown parameters are ignored
    When the client requests a token with an extra unknown parameter
    Then a token is issued

  @RFC6749-3.2-empty-param
  Scenario: An empty parameter counts as omitted
    When the client requests a token with an empty scope parameter
    Then a token is issued

  @RFC6749-2.3-single-method
  Scenario: Two client authentication methods at once are refused
    When the client requests a token with HTTP Basic and body credentials at once
    Then no token is issued

  # The password row sends made-up resource owner credentials. RFC 6749 fixes no order between
  # checking them (invalid_grant) and checking the client's grant types (unauthorized_client), and a
  # server that does not implement the password grant at all answers unsupported_grant_type (§5.2).
  @RFC6749-4.4.2-grant-type
  Scenario Outline: grant_type errors use the registered codes
    When the client requests a token with grant_type <grant_type>
    Then the token request is refused with <error>

    Examples:
      | grant_type | error                                                          |
      | (missing)  | invalid_request                                                |
      | urn:x:none | unsupported_grant_type                                         |
      | password   | unauthorized_client or invalid_grant or unsupported_grant_type |

  @RFC9700-2.4-no-ropc
  Scenario: The password grant is not available to the integration client
    When the client requests a token with grant_type password
    Then no token is issued

  @RFC6749-3.3-scope-echo
  Scenario: A scope the client may not have is refused or narrowed and echoed
    When the client requests a token with the scope "urn:oauth-conformance:not-granted"
    Then the scope is refused with invalid_scope or narrowed and echoed

  @RFC6749-10.3-unguessable
  Scenario: Tokens are unique and long enough not to be guessed
    When the client requests a token
    And the client requests a token again
    Then the two access tokens differ and each carries at least 128 bits

  @RFC6749-4.4-confidential
  Scenario: A public client cannot use the client credentials grant
    When the public client requests a token with its client_id alone
    Then no token is issued
