@creatio
Feature: OAuth diagnostics
  Before generating credentials on Creatio on-site, every checkbox on the Diagnostic tab of the
  OAuth integrated applications page must be selected (step 3 of the documented procedure). The
  tab shows the result of the OAuthHealthCheck endpoint. When it is not green, every other Creatio
  scenario is skipped with the health message, never passed.

  @CRE-health-preflight
  Scenario: The Diagnostic tab is all green
    When I open the Diagnostic tab
    Then the health check answers HTTP 200 with HasProblem false
    And every diagnostic check is selected

  @CRE-health-preflight
  Scenario: The Identity Service answers its discovery document
    Given the OAuth diagnostics are all green
    When I fetch the Identity Service discovery document
    Then it names a token endpoint and a key set
