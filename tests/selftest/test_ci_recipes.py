"""The CI recipes in ``docs/ci/`` (GitHub Actions, GitLab CI, Azure Pipelines) are what their CI runs and
run only what exists.

Each recipe parses and has the shape its CI needs; runs one conformance job per environment (more than one),
each with its ``envs/$ENV.env``; gates a deploy job on those jobs; publishes ``junit.xml`` as the CI's test
report and the HTML, Markdown and Allure reports as artifacts, also when the gate failed; keeps
``conformance.json`` of a passing run on main as the next run's baseline and runs without ``--baseline`` when
there is none; maps every secret setting of the suite from the CI's secret store and holds no literal secret.
Every ``oauth-conformance <subcommand> --option`` a recipe runs names a subcommand of ``oauth_conformance.cli``
(as its ``--help`` lists them; ``run``, ``health`` and ``evidence`` count while they are being built) and, for
``run``, options that the suite's pytest knows (``pytest --help`` in the project root) or ``run`` itself; another
subcommand's options are checked against its ``--help`` once it exists. Last, each recipe's gate script runs
against the bundled mock as its CI runs it: exit 0 without a baseline, 1 on a regression against one, 4 on a
wrong setting.
"""

from __future__ import annotations

import importlib
import itertools
import json
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from oauth_conformance.cli import COMMANDS
from oauth_conformance.settings import SETTINGS
from tests.selftest.suite_runner import ROOT, clean_environ

# PyYAML ships no type information (and the dev extra no stubs): imported by name, used through safe_load only.
_YAML: Any = importlib.import_module("yaml")

CI_DIR = ROOT / "docs" / "ci"
# What a reader downloads after a run, after a failed one above all (allure-results/ as a folder).
PUBLISHED = ("reports/junit.xml", "reports/conformance.html", "reports/conformance.md", "reports/allure-results")
BASELINE = "baseline/conformance.json"
# The rule settings.py redacts by: every setting named *_SECRET or *_PASSWORD is a secret.
SECRET_SETTINGS = tuple(s.env for s in SETTINGS if s.env.endswith(("_SECRET", "_PASSWORD")))


class CI(Enum):
    GITHUB = "github-actions.yml"
    GITLAB = "gitlab-ci.yml"
    AZURE = "azure-pipelines.yml"


# How each CI refers to its secret store or its own variables; a secret-named value must be one of these.
_REFERENCE = {
    CI.GITHUB: re.compile(r"\$\{\{\s*(?:secrets|github)\.[\w.-]+\s*\}\}"),
    CI.GITLAB: re.compile(r"\$\{?[A-Za-z_]\w*\}?"),
    CI.AZURE: re.compile(r"\$\([\w.]+\)"),
}
_SECRET_NAME = re.compile(r"(?i)secret|password|passwd|token|api[_-]?key|private[_-]?key")
_GITLAB_KEYWORDS = frozenset(
    {"default", "include", "stages", "variables", "workflow", "image", "services", "cache", "before_script",
     "after_script", "spec", "pages"}
)
_AZURE_LOOP = re.compile(r"^\$\{\{\s*each\s+(?P<var>\w+)\s+in\s+parameters\.(?P<param>\w+)\s*\}\}$")
_SHELL_OPERATORS = frozenset({"|", "||", "&", "&&", ";", ";;", "(", ")", "<", ">", ">>", "2>", "<<"})
_PYTHONS = frozenset({"python", "python3", "py"})


@cache
def recipe(ci: CI) -> dict[Any, Any]:
    data = _YAML.safe_load((CI_DIR / ci.value).read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{ci.value}: not a YAML mapping"
    return data


def _text(ci: CI) -> str:
    return (CI_DIR / ci.value).read_text(encoding="utf-8")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


@dataclass(frozen=True)
class Job:
    """One job of a recipe, whatever its CI calls it: its steps (none on GitLab), every shell script it runs,
    and the environments it runs for (a matrix's combinations or a template loop's values)."""

    ci: CI
    name: str
    body: Mapping[str, Any]
    steps: tuple[Mapping[str, Any], ...]
    scripts: tuple[str, ...]
    environments: tuple[str, ...]
    stage: str | None = None

    def runs_the_suite(self) -> bool:
        return any(inv.subcommand == "run" for script in self.scripts for inv in invocations_in(self.ci, script))

    def step_running_the_suite(self) -> Mapping[str, Any]:
        found = [s for s in self.steps if any(inv.subcommand == "run" for inv in invocations_in(self.ci, _script(s)))]
        assert len(found) == 1, f"{self.ci.value}: {self.name}: expected one step running oauth-conformance run"
        return found[0]


def _script(step: Mapping[str, Any]) -> str:
    return "\n".join(str(step[k]) for k in ("run", "bash", "script", "pwsh", "powershell") if k in step)


def _github_jobs(data: Mapping[Any, Any]) -> Iterator[Job]:
    for name, body in data["jobs"].items():
        steps = tuple(body.get("steps") or ())
        matrix = (body.get("strategy") or {}).get("matrix") or {}
        axes = [v for k, v in matrix.items() if k not in ("include", "exclude")]
        combinations = [str(c) for c in itertools.product(*axes)] if axes else []
        combinations += [str(extra) for extra in matrix.get("include") or ()]
        scripts = tuple(_script(s) for s in steps if _script(s))
        yield Job(CI.GITHUB, name, body, steps, scripts, tuple(combinations))


def _gitlab_jobs(data: Mapping[Any, Any]) -> Iterator[Job]:
    for name, body in data.items():
        if name in _GITLAB_KEYWORDS or str(name).startswith(".") or not isinstance(body, dict):
            continue
        # Each entry of a script list is one shell script (a block or a line).
        scripts = tuple(str(entry) for key in ("before_script", "script", "after_script")
                        for entry in _as_list(body.get(key)))
        combinations = [
            str(combination)
            for entry in ((body.get("parallel") or {}).get("matrix") or ()) if isinstance(entry, dict)
            for combination in itertools.product(*(_as_list(v) for v in entry.values()))
        ]
        yield Job(CI.GITLAB, str(name), body, (), scripts, tuple(combinations), stage=body.get("stage"))


def _azure_jobs(data: Mapping[Any, Any]) -> Iterator[Job]:
    defaults = {p["name"]: p.get("default") for p in data.get("parameters") or ()}
    for stage in data["stages"]:
        for item in stage.get("jobs") or ():
            environments: tuple[str, ...] = ()
            bodies = [item]
            if isinstance(item, dict) and len(item) == 1 and (loop := _AZURE_LOOP.match(next(iter(item)))):
                # A template loop: one job per value of the parameter, as Azure expands it when compiling.
                environments = tuple(str(v) for v in _as_list(defaults.get(loop["param"])))
                bodies = list(next(iter(item.values())))
            for body in bodies:
                steps = tuple(body.get("steps") or (((body.get("strategy") or {}).get("runOnce") or {}).get(
                    "deploy") or {}).get("steps") or ())
                name = str(body.get("job") or body.get("deployment"))
                scripts = tuple(_script(s) for s in steps if _script(s))
                yield Job(CI.AZURE, name, body, steps, scripts, environments, stage=stage.get("stage"))


def jobs(ci: CI) -> list[Job]:
    reader = {CI.GITHUB: _github_jobs, CI.GITLAB: _gitlab_jobs, CI.AZURE: _azure_jobs}[ci]
    return list(reader(recipe(ci)))


def conformance_job(ci: CI) -> Job:
    found = [job for job in jobs(ci) if job.runs_the_suite()]
    assert len(found) == 1, f"{ci.value}: expected one job definition running oauth-conformance run, got {found}"
    return found[0]


@dataclass(frozen=True)
class Invocation:
    """One ``oauth-conformance <subcommand> ...`` command line of a recipe."""

    ci: CI
    subcommand: str
    arguments: tuple[str, ...]

    @property
    def options(self) -> tuple[str, ...]:
        """The options it names: ``--name`` of ``--name=value``, ``-n`` of ``-n4``."""
        return tuple(
            a.split("=", 1)[0] if a.startswith("--") else a[:2]
            for a in self.arguments if a.startswith("-") and len(a) > 1
        )

    def value_of(self, option: str) -> str | None:
        for index, argument in enumerate(self.arguments):
            if argument == option and index + 1 < len(self.arguments):
                return self.arguments[index + 1]
            if argument.startswith(option + "="):
                return argument.split("=", 1)[1]
        return None

    def __str__(self) -> str:
        return f"{self.ci.value}: oauth-conformance {self.subcommand} {' '.join(self.arguments)}".rstrip()


def invocations_in(ci: CI, script: str) -> list[Invocation]:
    found = []
    for line in script.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
        for index, token in enumerate(tokens):
            if token == "oauth-conformance":
                start = index + 1
            elif token in _PYTHONS and tokens[index + 1: index + 3] == ["-m", "oauth_conformance"]:
                start = index + 3
            else:
                continue
            words = list(itertools.takewhile(lambda t: t not in _SHELL_OPERATORS, tokens[start:]))
            assert words, f"{ci.value}: oauth-conformance without a subcommand in {line.strip()!r}"
            found.append(Invocation(ci, words[0], tuple(words[1:])))
    return found


def all_invocations() -> list[Invocation]:
    return [inv for ci in CI for job in jobs(ci) for script in job.scripts for inv in invocations_in(ci, script)]


def _help_options(text: str) -> frozenset[str]:
    """The options an argparse-style ``--help`` lists (pytest's and the subcommands' alike): each option line
    is indented by two spaces, its names before the description."""
    names: set[str] = set()
    for line in text.splitlines():
        if (match := re.match(r"^  (-\S.*?)(?:\s{2,}|$)", line)) is not None:
            names.update(re.findall(r"(?:^|,\s)(--?[A-Za-z0-9][\w-]*)", match[1]))
    return frozenset(names)


def _help(*command: str) -> str:
    done = subprocess.run(
        [sys.executable, *command, "--help"], cwd=ROOT, env=clean_environ(), capture_output=True, text=True,
        timeout=120, check=False,
    )
    assert done.returncode == 0, f"{' '.join(command)} --help: exit {done.returncode}\n{done.stderr[-2000:]}"
    return done.stdout


@cache
def pytest_options() -> frozenset[str]:
    """What ``oauth-conformance run`` passes to pytest: pytest's own options and the suite's, as the project
    root's pytest lists them."""
    text = _help("-m", "pytest")
    assert "oauth-conformance:" in text, "pytest --help in the project root lists no oauth-conformance group"
    return _help_options(text)


@cache
def command_options(name: str) -> frozenset[str]:
    return _help_options(_help("-m", "oauth_conformance", name))


@cache
def existing_commands() -> frozenset[str]:
    """The subcommands ``oauth_conformance.cli`` puts together."""
    return frozenset(command.NAME for command in COMMANDS)


def _on_failure(ci: CI, step: Mapping[str, Any]) -> bool:
    """The step runs also when an earlier one (the gate) failed."""
    condition = str(step.get("if" if ci is CI.GITHUB else "condition", ""))
    markers = ("always()", "!cancelled()", "failure()") if ci is CI.GITHUB else ("always()", "succeededOrFailed()")
    return any(marker in condition.replace(" ", "") for marker in markers)


def _covers(paths: Sequence[str], wanted: str) -> bool:
    target = PurePosixPath(wanted)
    return any(target == PurePosixPath(p.rstrip("/")) or target.is_relative_to(p.rstrip("/")) for p in paths)


def _published_on_failure(ci: CI, job: Job) -> list[str]:
    """The paths a job keeps as artifacts also when its gate failed."""
    if ci is CI.GITLAB:
        artifacts = job.body.get("artifacts") or {}
        return [str(p) for p in artifacts.get("paths") or ()] if artifacts.get("when") == "always" else []
    paths: list[str] = []
    for step in job.steps:
        if not _on_failure(ci, step):
            continue
        if ci is CI.GITHUB and str(step.get("uses", "")).startswith("actions/upload-artifact@"):
            paths += str((step.get("with") or {}).get("path", "")).split()
        if ci is CI.AZURE and (str(step.get("task", "")).startswith("PublishPipelineArtifact@") or "publish" in step):
            inputs = step.get("inputs") or {}
            paths.append(str(step.get("publish") or inputs.get("targetPath") or inputs.get("path")))
    return paths


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) of a parsed recipe, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key), value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _major(uses: str) -> int:
    match = re.search(r"@v(\d+)", uses)
    assert match, f"{uses}: expected a major version tag (@vN)"
    return int(match[1])


# ---- Each recipe is what its CI runs ------------------------------------------------------------------


def test_github_actions_has_the_shape_github_runs() -> None:
    data = recipe(CI.GITHUB)
    # YAML 1.1 reads the key `on` as true; GitHub reads it as `on`.
    triggers = data.get("on", data.get(True))
    assert isinstance(triggers, dict) and triggers, "on: expected the events that start the workflow"
    assert isinstance(data.get("jobs"), dict) and data["jobs"], "jobs: expected a mapping of jobs"
    for job in jobs(CI.GITHUB):
        assert job.body.get("runs-on"), f"jobs.{job.name}: expected runs-on"
        assert job.steps, f"jobs.{job.name}: expected steps"
        for step in job.steps:
            assert ("uses" in step) != ("run" in step), f"jobs.{job.name}: a step has either uses or run: {step}"
        for needed in _as_list(job.body.get("needs")):
            assert needed in data["jobs"], f"jobs.{job.name}.needs: no job {needed}"
    for step in (s for job in jobs(CI.GITHUB) for s in job.steps if "uses" in s):
        if str(step["uses"]).startswith(("actions/upload-artifact@", "actions/download-artifact@")):
            assert _major(str(step["uses"])) >= 4, f"{step['uses']}: v3 and older no longer run on github.com"


def test_gitlab_ci_has_the_shape_gitlab_runs() -> None:
    data = recipe(CI.GITLAB)
    stages = data.get("stages")
    assert isinstance(stages, list) and stages, "stages: expected the list of stages"
    found = jobs(CI.GITLAB)
    assert found, "expected jobs"
    for job in found:
        assert job.body.get("script"), f"{job.name}: expected script"
        assert job.stage in stages, f"{job.name}: stage {job.stage!r} is not one of {stages}"


def test_azure_pipelines_has_the_shape_azure_runs() -> None:
    data = recipe(CI.AZURE)
    assert isinstance(data.get("stages"), list) and data["stages"], "stages: expected the list of stages"
    for stage in data["stages"]:
        assert stage.get("stage"), f"expected a stage name: {stage}"
        assert stage.get("jobs"), f"stage {stage.get('stage')}: expected jobs"
    step_kinds = {"task", "bash", "script", "pwsh", "powershell", "checkout", "publish", "download", "template"}
    for job in jobs(CI.AZURE):
        assert job.name != "None", f"expected job or deployment: {job.body}"
        assert re.fullmatch(r"[A-Za-z_][\w${}. ]*", job.name), f"{job.name}: a job name allows letters, digits, _"
        assert job.steps, f"{job.name}: expected steps"
        for step in job.steps:
            assert step_kinds & set(step), f"{job.name}: a step needs one of {sorted(step_kinds)}: {step}"


@pytest.mark.parametrize("ci", list(CI), ids=lambda ci: ci.name.lower())
def test_the_suite_is_installed_on_a_python_it_supports(ci: CI) -> None:
    text = _text(ci)
    assert re.search(r"pip install \"\$OAUTH_CONFORMANCE\"", text), "expected pip install \"$OAUTH_CONFORMANCE\""
    package = next(value for key, value in _walk(recipe(ci)) if key == "OAUTH_CONFORMANCE")
    assert re.match(r"oauth-conformance(?: @ git\+https://| ?==|$)", str(package)), package
    versions = re.findall(r"python-version: \"?(3\.\d+)|image: python:(3\.\d+)|versionSpec: \"?(3\.\d+)", text)
    found = [v for match in versions for v in match if v]
    assert found and all(tuple(map(int, v.split("."))) >= (3, 11) for v in found), f"Python {found}: expected 3.11+"


# ---- One job per environment, the gate, the deployment --------------------------------------------------


@pytest.mark.parametrize("ci", list(CI), ids=lambda ci: ci.name.lower())
def test_one_conformance_job_runs_for_each_environment(ci: CI) -> None:
    job = conformance_job(ci)
    assert len(set(job.environments)) >= 2, f"{ci.value}: {job.name} runs for {job.environments}"
    runs = [inv for script in job.scripts for inv in invocations_in(ci, script) if inv.subcommand == "run"]
    for run in runs:
        assert run.value_of("--env-file") == "envs/$ENV.env", str(run)
        assert run.value_of("--reports-dir") == "reports", str(run)
    # ENV names the environment of the job's matrix entry or loop value.
    if ci is CI.GITHUB:
        assert re.fullmatch(r"\$\{\{\s*matrix\.\w+\s*\}\}", str((job.body.get("env") or {}).get("ENV"))), job.body
    elif ci is CI.GITLAB:
        assert all("ENV" in entry for entry in job.body["parallel"]["matrix"]), job.body["parallel"]
    else:
        variables = {v.get("name"): v.get("value") for v in job.body.get("variables") or () if "name" in v}
        assert re.fullmatch(r"\$\{\{\s*\w+\s*\}\}", str(variables.get("ENV"))), variables


@pytest.mark.parametrize("ci", list(CI), ids=lambda ci: ci.name.lower())
def test_the_deploy_job_waits_for_every_conformance_job(ci: CI) -> None:
    job = conformance_job(ci)
    if ci is CI.GITHUB:
        assert not job.body.get("continue-on-error"), "a conformance job that may fail gates nothing"
        assert not job.step_running_the_suite().get("continue-on-error"), "the gate's step may not fail quietly"
        deploys = [j for j in jobs(ci) if job.name in _as_list(j.body.get("needs"))]
        assert deploys, f"expected a job that needs {job.name}"
        for deploy in deploys:
            condition = str(deploy.body.get("if", "")).replace(" ", "")
            assert not any(m in condition for m in ("always()", "failure()", "cancelled()")), condition
    elif ci is CI.GITLAB:
        assert not job.body.get("allow_failure"), "a conformance job allowed to fail gates nothing"
        stages = recipe(ci)["stages"]
        deploys = [
            j for j in jobs(ci)
            if any((n.get("job") if isinstance(n, dict) else n) == job.name for n in _as_list(j.body.get("needs")))
        ]
        assert deploys, f"expected a job that needs {job.name}"
        for deploy in deploys:
            assert stages.index(deploy.stage) > stages.index(job.stage), f"{deploy.name} runs before {job.name}"
            assert deploy.body.get("when") != "always", f"{deploy.name}: when: always ignores the gate"
    else:
        assert not job.step_running_the_suite().get("continueOnError"), "the gate's step may not fail quietly"
        later = [s for s in recipe(ci)["stages"] if job.stage in _as_list(s.get("dependsOn"))]
        assert later, f"expected a stage that dependsOn {job.stage}"
        for stage in later:
            condition = str(stage.get("condition", "succeeded()")).replace(" ", "")
            assert "succeeded()" in condition and "always()" not in condition, condition


# ---- Reports and the baseline -------------------------------------------------------------------------


@pytest.mark.parametrize("ci", list(CI), ids=lambda ci: ci.name.lower())
def test_the_reports_are_kept_also_when_the_gate_failed(ci: CI) -> None:
    paths = _published_on_failure(ci, conformance_job(ci))
    missing = [wanted for wanted in PUBLISHED if not _covers(paths, wanted)]
    assert not missing, f"{ci.value}: not kept when the gate fails: {missing} (kept: {paths})"


@pytest.mark.parametrize("ci", list(CI), ids=lambda ci: ci.name.lower())
def test_junit_is_the_ci_test_report(ci: CI) -> None:
    job = conformance_job(ci)
    if ci is CI.GITLAB:
        artifacts = job.body.get("artifacts") or {}
        assert "reports/junit.xml" in _as_list((artifacts.get("reports") or {}).get("junit")), artifacts
        return
    if ci is CI.GITHUB:
        reporters = [s for s in job.steps if "junit" in str(s.get("uses", "")).lower()]
        files = [str(v) for s in reporters for v in (s.get("with") or {}).values()]
    else:
        reporters = [s for s in job.steps if str(s.get("task", "")).startswith("PublishTestResults@2")]
        assert all((s.get("inputs") or {}).get("testResultsFormat") == "JUnit" for s in reporters), reporters
        files = [str((s.get("inputs") or {}).get("testResultsFiles")) for s in reporters]
    assert reporters and all(_on_failure(ci, s) for s in reporters), f"{ci.value}: no test report on failure"
    assert "reports/junit.xml" in files, files


@pytest.mark.parametrize("ci", list(CI), ids=lambda ci: ci.name.lower())
def test_the_first_run_goes_without_a_baseline(ci: CI) -> None:
    job = conformance_job(ci)
    script = next(s for s in job.scripts if any(i.subcommand == "run" for i in invocations_in(ci, s)))
    runs = [inv for inv in invocations_in(ci, script) if inv.subcommand == "run"]
    with_baseline = [r for r in runs if "--baseline" in r.options]
    assert with_baseline and all(r.value_of("--baseline") == BASELINE for r in with_baseline), runs
    assert all("--fail-on-regression" in r.options for r in with_baseline), "the baseline run gates on regressions"
    assert any("--baseline" not in r.options for r in runs), "expected a run without --baseline (the first run)"
    # settings.py refuses --fail-on-regression without a baseline.
    assert all("--baseline" in r.options for r in runs if "--fail-on-regression" in r.options), runs
    assert f"[ -f {BASELINE} ]" in script, f"expected the baseline run only under [ -f {BASELINE} ]"


def test_github_keeps_a_passing_main_run_as_the_baseline() -> None:
    job = conformance_job(CI.GITHUB)
    name = str((job.body.get("env") or {}).get("BASELINE_ARTIFACT"))
    kept = [
        s for s in job.steps
        if str(s.get("uses", "")).startswith("actions/upload-artifact@")
        and (s.get("with") or {}).get("path") == "reports/conformance.json"
    ]
    assert len(kept) == 1, kept
    condition = str(kept[0].get("if", ""))
    assert "success()" in condition and "refs/heads/main" in condition, condition
    assert (kept[0]["with"]["name"] in (name, "${{ env.BASELINE_ARTIFACT }}")), kept[0]["with"]
    fetch = next(s for s in job.steps if "gh run download" in str(s.get("run", "")))
    assert "$BASELINE_ARTIFACT" in fetch["run"] and "--dir baseline" in fetch["run"], fetch["run"]
    assert recipe(CI.GITHUB)["permissions"].get("actions") == "read", "finding the artifact needs actions: read"


def test_gitlab_takes_the_baseline_from_the_last_successful_main_pipeline() -> None:
    job = conformance_job(CI.GITLAB)
    paths = [str(path) for path in (job.body.get("artifacts") or {}).get("paths") or ()]
    assert _covers(paths, "reports/conformance.json"), f"the job's artifacts hold no conformance.json: {paths}"
    script = "\n".join(job.scripts)
    assert "/jobs/artifacts/$CI_DEFAULT_BRANCH/download" in script, script
    assert '"job=$CI_JOB_NAME"' in script and "JOB-TOKEN: $CI_JOB_TOKEN" in script, script


def test_azure_keeps_a_passing_main_run_as_the_baseline() -> None:
    job = conformance_job(CI.AZURE)
    kept = [
        s for s in job.steps
        if str(s.get("task", "")).startswith("PublishPipelineArtifact@")
        and (s.get("inputs") or {}).get("targetPath") == "reports/conformance.json"
    ]
    assert len(kept) == 1, kept
    condition = str(kept[0].get("condition", ""))
    assert "succeeded()" in condition and "refs/heads/main" in condition, condition
    fetch = [s for s in job.steps if str(s.get("task", "")).startswith("DownloadPipelineArtifact@2")]
    assert len(fetch) == 1, fetch
    inputs = fetch[0]["inputs"]
    assert inputs["artifact"] == kept[0]["inputs"]["artifact"], (inputs, kept[0]["inputs"])
    assert (inputs["runVersion"], inputs["runBranch"]) == ("latestFromBranch", "refs/heads/main"), inputs
    assert str(inputs["path"]).endswith("/baseline"), inputs
    # The first run finds no artifact; it is partially succeeded then, and the next run must take its baseline.
    assert fetch[0].get("continueOnError") is True and inputs.get("allowPartiallySucceededBuilds") is True, fetch


# ---- Secrets ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ci", [CI.GITHUB, CI.AZURE], ids=lambda ci: ci.name.lower())
def test_every_secret_setting_is_mapped_from_the_secret_store(ci: CI) -> None:
    """GitHub and Azure hand a secret to a step only when it is mapped (GitLab exposes its CI/CD variables
    to every job of their environment scope): the step running the suite maps each secret setting."""
    job = conformance_job(ci)
    step = job.step_running_the_suite()
    env = step.get("env") or {}
    unmapped = [name for name in SECRET_SETTINGS if not _REFERENCE[ci].fullmatch(str(env.get(name, "")))]
    assert not unmapped, f"{ci.value}: not mapped from the secret store: {unmapped}"
    assert not set(SECRET_SETTINGS) & set(job.body.get("env") or {}), "secrets go to the suite's step only"
    if ci is CI.AZURE:
        # An undefined variable's macro stays as text: the step unsets each one that did not expand.
        assert all(name in _script(step) for name in SECRET_SETTINGS), _script(step)


@pytest.mark.parametrize("ci", list(CI), ids=lambda ci: ci.name.lower())
def test_no_recipe_holds_a_literal_secret(ci: CI) -> None:
    reference = _REFERENCE[ci]
    for key, value in _walk(recipe(ci)):
        if _SECRET_NAME.search(key) and isinstance(value, str | int) and str(value):
            assert reference.fullmatch(str(value).strip()), f"{ci.value}: {key}: {value!r} is not a reference"
    text = _text(ci)
    for match in re.finditer(r"(?i)\b(\w*(?:secret|password|token)\w*)[\"']?\s*[=:]\s*[\"']?([^\s\"']+)", text):
        if match[2] not in ("read", "write"):   # GitHub's permissions
            assert match[2].startswith("$"), f"{ci.value}: {match[1]} set to {match[2]!r}, not a variable"
    for match in re.finditer(r"://[^/\s:@\"']+:([^/\s@\"']+)@", text):
        assert match[1].startswith("$"), f"{ci.value}: a password in a URL: {match[0]}"


# ---- The command lines --------------------------------------------------------------------------------


def test_each_recipe_runs_the_suite() -> None:
    running = {inv.ci for inv in all_invocations() if inv.subcommand == "run"}
    assert running == set(CI), f"oauth-conformance run missing from {set(CI) - running}"


@pytest.mark.parametrize("invocation", all_invocations(), ids=str)
def test_every_command_line_names_what_exists(invocation: Invocation) -> None:
    known = existing_commands()
    assert invocation.subcommand in known, f"{invocation}: no subcommand {invocation.subcommand!r} ({sorted(known)})"
    allowed = command_options(invocation.subcommand)
    if invocation.subcommand == "run":
        # run hands every other argument to the suite's pytest.
        allowed |= pytest_options()
    unknown = [option for option in invocation.options if option not in allowed]
    assert not unknown, f"{invocation}: unknown options {unknown}"


def test_the_readme_explains_every_recipe() -> None:
    readme = (CI_DIR / "README.md").read_text(encoding="utf-8")
    for ci in CI:
        assert f"({ci.value})" in readme, f"README.md does not link {ci.value}"
    for needed in ("oauth-conformance @ git+https://", *SECRET_SETTINGS, "baseline", "exit status"):
        assert needed in readme, f"README.md does not say {needed!r}"


# ---- The gate, run as the CI runs it ------------------------------------------------------------------

# One SHOULD requirement is enough to see the exit status travel through the script: a WARN passes the gate
# (--fail-on=must) unless a baseline had it PASS, which only --fail-on-regression turns into exit 1.
_ONE_SHOULD = "-p no:hypothesispytest -p no:allure_pytest_bdd -m RFC6750-2.3-query"
_COMPLIANT = "OAUTH_TARGET=mock\nMOCK_PROFILE=compliant\n"
# What each CI hands the script for a secret the environment does not have.
_UNDEFINED_SECRET = {CI.GITHUB: "", CI.GITLAB: None, CI.AZURE: "$({name})"}
# The line each CI's script prints for exit 1 and 4.
_GATE_FAILED = {CI.GITHUB: "::error title=Conformance gate failed::", CI.GITLAB: "the conformance gate failed",
                CI.AZURE: "##vso[task.logissue type=error]staging: the conformance gate failed"}
_WRONG_SETTING = {CI.GITHUB: "::error title=Wrong setting::", CI.GITLAB: "a wrong setting",
                  CI.AZURE: "##vso[task.logissue type=error]staging: a wrong setting"}


def _gate_script(ci: CI) -> str:
    job = conformance_job(ci)
    if ci is CI.GITLAB:
        return next(s for s in job.scripts if any(i.subcommand == "run" for i in invocations_in(ci, s)))
    return _script(job.step_running_the_suite())


def _run_gate(ci: CI, workspace: Path, settings: str) -> subprocess.CompletedProcess[str]:
    """The recipe's gate script in a workspace holding envs/staging.env, with the suite the project's venv
    installs on PATH, and the secrets as the CI hands over undefined ones."""
    (workspace / "envs").mkdir(exist_ok=True)
    (workspace / "envs" / "staging.env").write_text(settings, encoding="utf-8")
    (workspace / "gate.sh").write_text(_gate_script(ci), encoding="utf-8")
    environ = clean_environ()
    environ.update(PATH=f"{Path(sys.executable).parent}:{environ.get('PATH', '')}", ENV="staging",
                   PYTEST_ADDOPTS=_ONE_SHOULD)
    for name in SECRET_SETTINGS:
        undefined = _UNDEFINED_SECRET[ci]
        if undefined is not None:
            environ[name] = undefined.format(name=name)
    # The strictest of the three CIs' shells: GitHub's bash -eo pipefail.
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "gate.sh"], cwd=workspace, env=environ,
        capture_output=True, text=True, timeout=300, check=False,
    )


@pytest.mark.parametrize("ci", list(CI), ids=lambda ci: ci.name.lower())
def test_the_gate_script_exits_with_the_suites_status(ci: CI, tmp_path: Path) -> None:
    assert "run" in existing_commands()
    assert shutil.which("oauth-conformance", path=str(Path(sys.executable).parent)), "the venv has no script"
    # The first run: no baseline yet, the gate passes, the reports are written.
    first = _run_gate(ci, tmp_path, _COMPLIANT)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    for name in ("junit.xml", "conformance.html", "conformance.md", "conformance.json"):
        assert (tmp_path / "reports" / name).is_file(), name
    assert json.loads((tmp_path / "reports" / "conformance.json").read_text())["run"].get("baseline") is None
    # As the CI fetches it: the next run compares with it, and the requirement that now warns is a regression.
    (tmp_path / "baseline").mkdir()
    shutil.copy(tmp_path / "reports" / "conformance.json", tmp_path / BASELINE)
    failed = _run_gate(ci, tmp_path, _COMPLIANT + "MOCK_DEFECTS=api-accepts-query-token\n")
    assert failed.returncode == 1, failed.stdout[-3000:] + failed.stderr[-3000:]
    assert _GATE_FAILED[ci] in failed.stdout, failed.stdout[-2000:]
    compared = json.loads((tmp_path / "reports" / "conformance.json").read_text())["run"]["baseline"]
    assert compared["source"] == BASELINE and compared["counts"]["regressions"] == 1, compared
    # A wrong setting in the env file: exit 4, and the line the suite printed names it.
    wrong = _run_gate(ci, tmp_path, "OAUTH_TARGET=nonsense\n")
    assert wrong.returncode == 4, wrong.stdout[-3000:] + wrong.stderr[-3000:]
    assert _WRONG_SETTING[ci] in wrong.stdout and "'nonsense' is not valid" in wrong.stderr, wrong.stdout
