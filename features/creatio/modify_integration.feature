@creatio @managed @CRE-cleanup @uses_tech_user
Feature: Modify the integration parameters
  Editing a saved integration updates its parameters; the Client Id and Client secret remain
  unchanged, so the external app keeps working without a new secret.

  Background:
    Given the OAuth diagnostics are all green
    And I am signed in to Creatio as an administrator
    And the integration "Exchange rates" using the previously created technical user
    And "Exchange rates" holds an access token

  @CRE-edit-updates @CRE-edit-keeps-credentials
  Scenario Outline: Editing the <parameter> keeps the credentials
    When I change the <parameter> of "Exchange rates" to "<value>"
    Then "Exchange rates" shows the new <parameter>
    And the Client Id and Client secret of "Exchange rates" are unchanged
    And the earlier access token of "Exchange rates" still reads the permitted entity
    And the credentials of "Exchange rates" still obtain an access token

    Examples:
      | parameter       | value                                   |
      | Name            | Exchange rates (renamed)                |
      | Application URL | https://rates.example.com/v2/webhook    |
      | Description     | Passes currency exchange rates to Creatio |
