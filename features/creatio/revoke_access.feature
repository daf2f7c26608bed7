@creatio @managed @uses_tech_user
Feature: Revoke and resume the integration access
  Clearing the Active checkbox revokes an integration's access temporarily without deleting it;
  selecting it again resumes the integration.

  Background:
    Given the OAuth diagnostics are all green
    And I am signed in to Creatio as an administrator
    And the integration "Exchange rates" using the previously created technical user
    And "Exchange rates" holds an access token

  @CRE-active-off-new
  Scenario: Clearing Active denies new tokens
    When I clear the Active checkbox of "Exchange rates"
    Then a token request by "Exchange rates" is refused with invalid_client

  @CRE-active-off-existing
  Scenario: A token issued before deactivation is measured against the API
    When I clear the Active checkbox of "Exchange rates"
    Then the earlier access token of "Exchange rates" is measured against the API

  @CRE-active-off-isolated
  Scenario: Other integrations are unaffected
    Given the integration "Other app" using the previously created technical user
    When I clear the Active checkbox of "Exchange rates"
    Then the credentials of "Other app" still obtain an access token
    And the new access token of "Other app" reads the permitted entity

  @CRE-reactivate
  Scenario: Selecting Active again resumes the integration
    When I clear the Active checkbox of "Exchange rates"
    And I select the Active checkbox of "Exchange rates" again
    Then the Client Id and Client secret of "Exchange rates" are unchanged
    And the credentials of "Exchange rates" still obtain an access token
    And the new access token of "Exchange rates" reads the permitted entity
