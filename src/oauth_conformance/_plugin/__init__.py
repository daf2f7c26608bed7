"""The subplugins behind ``oauth_conformance.plugin``: each owns its options, its part of the run's
state and its fixtures; the plugin's hooks call them in the order a run needs.

    settings   the options, the env file, the settings of the run
    target     the target and its fixtures: settings, evidence, http, target, creatio_env,
               stale_leftovers, standards, cleanup
    verdicts   the checker, findings per test, waivers as expected failures, the gate
    reports    conformance.json, evidence.jsonl, the junit path, scrubbing, the summary
    allure     Allure's results, its links and attachments
"""

__all__: list[str] = []
