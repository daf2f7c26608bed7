@creatio @managed @CRE-cleanup
Feature: Revoke and resume the integration access
  Clearing the Active checkbox revokes an integration's access temporarily without deleting it;
  selecting it again resumes the integration.

  Background:
    Given the OAuth diagnostics are all green
    And I am signed in to Creatio as an administrator

  @CRE-active-off-new
  Scenario: Clearing Active denies new tokens
    Given the integration "Exchange rates"
    And "Exchange rates" holds an access token
    When I clear the Active checkbox of "Exchange rates"
    Then a token request by "Exchange rates" is refused with invalid_client

  @CRE-active-off-existing @uses_tech_user
  Scenario: A token issued before deactivation is measured against the API
    Given the integration "Exchange rates" using the previously created technical user
    And "Exchange rates" holds an access token
    And "Exchange rates" holds an access token that reads the permitted entity
    When I clear the Active checkbox of "Exchange rates"
    Then the earlier access token of "Exchange rates" is measured against the API

  @CRE-active-off-isolated @uses_tech_user
  Scenario: Other integrations are unaffected
    Given the integration "Exchange rates" using the previously created technical user
    And the integration "Other app" using the previously created technical user
    And "Other app" holds an access token
    When I clear the Active checkbox of "Exchange rates"
    Then the credentials of "Other app" still obtain an access token
    And the new access token of "Other app" reads the permitted entity

  @CRE-reactivate @uses_tech_user
  Scenario: Selecting Active again resumes the integration
    Given the integration "Exchange rates" using the previously created technical user
    And "Exchange rates" holds an access token
    When I clear the Active checkbox of "Exchange rates"
    And I select the Active checkbox of "Exchange rates" again
    Then the Client Id and Client secret of "Exchange rates" are unchanged
    And the credentials of "Exchange rates" still obtain an access token
    And the new access token of "Exchange rates" reads the permitted entity

  # Creatio offers no "regenerate secret": rotation is a replacement integration, then the old one
  # deleted (creatio-oauth.md §7).
  @CRE-secret-rotate @uses_tech_user
  Scenario: Rotating the credentials refuses the old secret
    Given the integration "Exchange rates" using the previously created technical user
    And "Exchange rates" holds an access token
    And the integration "Exchange rates v2" using the previously created technical user
    When I delete the integration "Exchange rates"
    Then a token request with the deleted credentials of "Exchange rates" is refused with invalid_client
    And the credentials of "Exchange rates v2" still obtain an access token
