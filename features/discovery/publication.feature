Feature: The authorization server publishes its metadata
  RFC 9700 §2.6 asks authorization servers to publish their metadata (RFC 8414, or OpenID discovery).
  This is the one place a server without metadata is reported; the checks of the metadata's contents
  are then blocked by it.

  @RFC9700-2.6-publish-metadata
  Scenario: Metadata is published at a well-known URL
    When the suite looks for the authorization server's metadata
    Then a metadata document is served as JSON at one of its well-known URLs
