Feature: Transport security of the token endpoint and the protected API (RFC 6749 §3.2, §10.8, RFC 6750 §5.3, RFC 6819 §5.1.1)
  Credentials and tokens travel only over TLS with a certificate that validates. Checked against
  https targets; a local test deployment on loopback http is skipped with that reason. The probes
  over plain http carry made-up credentials only, never the real ones: an endpoint that answers them
  with invalid_client (or an invalid_token challenge) has evaluated them in the clear, and that fails
  too; a refusal of plain http as such ("HTTPS required") does not.

  @RFC6749-3.2-tls @RFC6819-5.1.1-tls
  Scenario: The token endpoint refuses a request over plain http
    Given the token endpoint is served over https
    When made-up client credentials are sent to the token endpoint over plain http
    Then the token endpoint does not serve the request over plain http

  @RFC6750-5.3-tls
  Scenario: The protected API refuses a request over plain http
    Given the protected resource is served over https
    When a made-up token is sent to the protected resource over plain http
    Then the protected resource does not serve the request over plain http

  @RFC6819-5.1.2-server-auth
  Scenario: The servers' certificates validate
    Given the token endpoint is served over https
    Then the token endpoint's certificate validated

  @RFC6749-10.8-no-cleartext
  Scenario: Every advertised endpoint uses https
    Given the token endpoint is served over https
    Then every endpoint the metadata advertises is an https URL
