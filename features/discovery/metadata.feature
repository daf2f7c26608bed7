Feature: RFC 8414 / OpenID Connect discovery metadata and the RFC 7517 key set
  The authorization server publishes metadata whose issuer matches where it was fetched, whose
  endpoints are the ones that work, and a key set with public keys only. Where it publishes none, these
  scenarios are blocked by RFC9700-2.6-publish-metadata (features/discovery/publication.feature).

  Background:
    Given the discovery document of the authorization server

  @RFC8414-3.2-json @RFC8414-3-path
  Scenario: The metadata is published as a JSON object without empty arrays
    Then the metadata is served as JSON with no empty array values

  @RFC8414-2-issuer
  Scenario: The issuer is an https URL without query or fragment
    Then the issuer is an https URL without query or fragment

  @RFC8414-2-jwks-uri
  Scenario: The key set is published over https
    Then the jwks_uri is an https URL

  @RFC8414-2-response-types
  Scenario: The metadata lists its response types
    Then the metadata has response_types_supported

  @RFC8414-3.3-issuer-match
  Scenario: The issuer is the identifier the metadata was fetched from
    Then the issuer equals the base URL the discovery document was fetched from

  @RFC8414-2-token-endpoint
  Scenario: The advertised token endpoint is the one that works
    Then the metadata names a token endpoint that issues a token to the client

  @RFC8414-2-endpoints-live
  Scenario: Every advertised endpoint answers
    Then every endpoint the metadata advertises answers as a live endpoint

  @RFC8414-2-grant-types
  Scenario: The client credentials grant is advertised
    Then grant_types_supported contains client_credentials

  @RFC8414-2-auth-methods
  Scenario: Every advertised client authentication method works
    Then each advertised token endpoint authentication method obtains a token

  @RFC8414-2-no-none
  Scenario: No signing algorithm list offers none
    Then no *_signing_alg_values_supported list contains none

  @RFC7517-5-keys @RFC7517-4.1-kty @RFC7517-4.5-kid-unique @RFC7517-4.3-use-keyops
  Scenario: The key set is a JSON object of typed keys with distinct kids
    Then the key set is a JSON object with a keys array
    And every key has a kty
    And the kid values are distinct
    And no key carries both use and key_ops, and signing keys say use sig

  @RFC7517-9.2-no-private @RFC7518-3.3-rsa-2048
  Scenario: The key set publishes public keys only, RSA keys of 2048 bits or more
    Then no key carries private key material
    And every RSA key has a modulus of at least 2048 bits
