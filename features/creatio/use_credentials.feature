@creatio @managed @CRE-cleanup
Feature: Use the credentials
  The Client Id and Client secret obtain an access token from the Identity Service, and the token
  calls the Creatio API as the integration's technical user: what the user was granted is
  readable, what it was not granted is refused. "The integration" runs as a separate technical user where
  the run may create one and the generation has them, else as the previously created technical user.

  Background:
    Given the OAuth diagnostics are all green
    And I am signed in to Creatio as an administrator

  @CRE-token-issued
  Scenario: The credentials obtain an access token, sent in the request body
    Given the integration "Exchange rates"
    When "Exchange rates" requests a token with its credentials in the request body
    Then an access token is issued to "Exchange rates"

  @CRE-basic-support
  Scenario: The credentials obtain an access token, sent with HTTP Basic
    Given the integration "Exchange rates"
    When "Exchange rates" requests a token with HTTP Basic authentication
    Then an access token is issued to "Exchange rates"

  @CRE-token-acts-as-techuser
  Scenario: The access token names the integration and its technical user
    Given the integration "Exchange rates"
    When "Exchange rates" requests a token with its credentials in the request body
    Then the token of "Exchange rates" carries its Client Id and its technical user

  @CRE-token-acts-as-techuser @uses_tech_user
  Scenario: The token reads what the technical user was granted
    Given the integration "Exchange rates" using the previously created technical user
    And "Exchange rates" holds an access token
    When "Exchange rates" reads the entity its technical user may read
    Then the API answers with the records

  @CRE-techuser-isolation @uses_tech_user
  Scenario: The token is refused what the technical user was not granted
    Given the integration "Exchange rates" using the previously created technical user
    And "Exchange rates" holds an access token
    When "Exchange rates" reads the entity its technical user may not read
    Then the API refuses the request, though the token of "Exchange rates" reads the permitted entity

  @CRE-techuser-isolation @uses_tech_user
  Scenario: A new technical user starts with no rights
    Given the integration "Fresh start" with a separate technical user
    And "Fresh start" holds an access token
    When "Fresh start" reads the entity the previously created technical user may read
    Then the API refuses the request
