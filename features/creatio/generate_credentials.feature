@creatio @managed @CRE-cleanup
Feature: Generate OAuth 2.0 client credentials
  An administrator creates a server-to-server integration on the OAuth integrated applications page.
  Saving it populates the Client Id and Client secret, creates a separate technical user named after
  the integration unless an existing one is chosen, and lists the integration. Each external app
  gets dedicated credentials. Where a scenario's point is not the new user, "the integration" runs as the
  previously created technical user when the run may not create users (CREATIO_CREATE_TECH_USERS) or the
  generation has none (8.0, 8.1).

  Background:
    Given the OAuth diagnostics are all green
    And I am signed in to Creatio as an administrator

  @CRE-credentials-generated @CRE-credential-format
  Scenario: Saving a new integration fills Client Id and Client secret
    When I create the integration "Exchange rates"
    Then its Client Id and Client secret are populated
    And they have Creatio's credential format

  @CRE-techuser-created
  Scenario: A separate technical user named after the integration is created by default
    When I create the integration "Exchange rates" with a separate technical user
    Then a technical user named after the integration exists
    And the integration runs as that technical user

  @CRE-techuser-existing @uses_tech_user
  Scenario: Clearing the checkbox uses a previously created technical user
    Given the previously created technical user
    When I create the integration "Webhook service" using that technical user
    Then the integration runs as the previously created technical user
    And no technical user was created for it

  # Name* is required on the page (CRE-name-required, a promise of the UI); the API does not check it.
  @CRE-unnamed-save
  Scenario: A save without a name through the API
    When I try to create an integration without a name
    Then the save is refused with an error message and creates nothing, or creates a working integration

  @CRE-integration-listed
  Scenario: The new integration is added to the list
    When I create the integration "Power BI connector"
    Then the OAuth integrated applications list shows it

  @CRE-dedicated-credentials
  Scenario: Each integration has dedicated credentials
    Given the integration "Alpha"
    And the integration "Beta"
    Then "Alpha" and "Beta" have different Client Ids and Client secrets
    And a token request with the Client Id of "Alpha" and the Client secret of "Beta" is refused
