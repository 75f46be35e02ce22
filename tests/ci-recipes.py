#!/usr/bin/env python3
"""Runs the CI recipes of docs/ci.md (docs/ci/github-workflow.yml, docs/ci/gitlab-ci.yml) as the CI
services would, on a scratch repository of trees with a change under review, and checks what they do.

    KPITREE=target/debug/kpitree python3 tests/ci-recipes.py

Every `run:` step (GitHub) and script line (GitLab) runs as written, with the services' variables set
for a pull (merge) request and for a push; the API the comment goes to is a local HTTP server on
127.0.0.1 that records what it is sent. Only what needs the network is not run, and is checked instead:
installing kpitree (the `kpitree` under test is on PATH), `apt-get`, `actions/checkout` (the scratch
repository is the checkout) and `upload-sarif` (its file must be valid SARIF 2.1.0 with results).
docs/ci.md must show both files exactly as they are.
"""

import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KPITREE = os.path.abspath(os.environ.get("KPITREE", os.path.join(ROOT, "target/debug/kpitree")))
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


class Api(http.server.BaseHTTPRequestHandler):
    """Records every POST (path, headers, body) and answers 201."""

    posts = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        Api.posts.append((self.path, dict(self.headers), body))
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def scratch(tmp):
    """A bare `origin` with two trees on main, and a clone on a branch that changes one of them:
    a KPI loses its owner (a new error), a target moves, a KPI is added."""
    os.makedirs(tmp)
    origin = os.path.join(tmp, "origin.git")
    work = os.path.join(tmp, "work")
    git(tmp, "init", "-q", "--bare", "-b", "main", origin)
    git(tmp, "clone", "-q", origin, work)
    for k, v in {"user.email": "ci@example.org", "user.name": "CI"}.items():
        git(work, "config", k, v)
    os.makedirs(os.path.join(work, "kpi", "units"))
    shutil.copy(os.path.join(ROOT, "examples/software-company.json"), os.path.join(work, "kpi/company.json"))
    shutil.copy(os.path.join(ROOT, "examples/hospital.json"), os.path.join(work, "kpi/units/hospital.json"))
    git(work, "add", "-A")
    git(work, "commit", "-qm", "trees")
    git(work, "push", "-q", "origin", "main")
    git(work, "checkout", "-qb", "change")
    path = os.path.join(work, "kpi/company.json")
    doc = json.load(open(path))
    kpi = next(n for n in doc["nodes"] if n["kind"] == "kpi" and n.get("owner") and n.get("status", "active") == "active")
    del kpi["owner"]
    with_target = next(n for n in doc["nodes"] if n["kind"] == "kpi" and "target" in n)
    with_target["target"] = with_target["target"] * 2 + 1
    json.dump(doc, open(path, "w"), indent=2)
    git(work, "commit", "-qam", "change a tree")
    return work, kpi["id"]


def expand(text, values):
    """`${{ expr }}` as GitHub substitutes it, from `values`."""
    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: str(values[m.group(1)]), text)


def condition(expr, event, failed):
    """The `if:` expressions the workflow uses: always(), success() and the event's name, with &&."""
    if expr is None:
        return not failed
    parts = [p.strip() for p in expr.split("&&")]
    ok, explicit = True, False
    for p in parts:
        if p == "always()":
            explicit = True
        elif (m := re.fullmatch(r"github\.event_name == '(\w+)'", p)):
            ok = ok and event == m.group(1)
        else:
            raise ValueError(f"unknown condition {p!r}")
    return ok and (explicit or not failed)


def run(script, cwd, env, shell):
    r = subprocess.run(shell + [script], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    return r.returncode, r.stdout, r.stderr


def github(tmp, port, event):
    work, owner_less = scratch(os.path.join(tmp, f"github-{event}"))
    flow = yaml.safe_load(open(os.path.join(ROOT, "docs/ci/github-workflow.yml")))
    job = flow["jobs"]["check"]
    runner_temp = tempfile.mkdtemp(dir=tmp)
    env = dict(os.environ, PATH=os.path.dirname(KPITREE) + os.pathsep + os.environ["PATH"], **flow["env"])
    env.update(
        GITHUB_EVENT_NAME=event,
        GITHUB_BASE_REF="main" if event == "pull_request" else "",
        GITHUB_API_URL=f"http://127.0.0.1:{port}",
        GITHUB_REPOSITORY="org/trees",
        RUNNER_TEMP=runner_temp,
        CI="true",
    )
    values = {"github.token": "gh-token", "github.event.pull_request.number": 7}
    Api.posts.clear()
    failed, outcome = False, {}
    for step in job["steps"]:
        name = step.get("name") or step.get("uses")
        if not condition(step.get("if"), event, failed):
            outcome[name] = "skipped"
            continue
        if "uses" in step:
            if step["uses"].startswith("github/codeql-action/upload-sarif"):
                sarif = json.load(open(os.path.join(work, step["with"]["sarif_file"])))
                results = sum(len(r["results"]) for r in sarif["runs"])
                check(sarif["version"] == "2.1.0" and results > 0, f"github/{event}: upload-sarif gets SARIF 2.1.0 with {results} results")
            outcome[name] = "checked"
            continue
        script = expand(step["run"], values)
        if name == "Install kpitree":
            check("cargo install" in script and "kpitree-cli" in script, f"github/{event}: the install step installs kpitree-cli")
            outcome[name] = "not run"
            continue
        step_env = dict(env, **{k: expand(str(v), values) for k, v in step.get("env", {}).items()})
        code, out, err = run(script, work, step_env, ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"])
        outcome[name] = (code, out, err)
        failed = failed or code != 0
    return work, owner_less, outcome


def gitlab(tmp, port):
    work, owner_less = scratch(os.path.join(tmp, "gitlab"))
    ci = yaml.safe_load(open(os.path.join(ROOT, "docs/ci/gitlab-ci.yml")))
    job = ci["kpitree"]
    for line in job["before_script"]:
        check(line.startswith("cargo install") or line.startswith("apt-get"), f"gitlab: before_script only installs ({line.split()[0]})")
    env = dict(os.environ, PATH=os.path.dirname(KPITREE) + os.pathsep + os.environ["PATH"])
    env.update({k: str(v) for k, v in job["variables"].items()})
    env.update(
        CI="true",
        CI_MERGE_REQUEST_IID="7",
        CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main",
        CI_API_V4_URL=f"http://127.0.0.1:{port}/api/v4",
        CI_PROJECT_ID="42",
        KPITREE_BOT_TOKEN="gl-token",
    )
    Api.posts.clear()
    # GitLab runs the script's lines in one shell and stops at the first that fails.
    code, out, err = run("\n".join(job["script"]), work, env, ["bash", "-e", "-c"])
    return work, owner_less, code, out, err


def main():
    for name in ["github-workflow.yml", "gitlab-ci.yml"]:
        text = open(os.path.join(ROOT, "docs/ci", name)).read()
        check(text in open(os.path.join(ROOT, "docs/ci.md")).read(), f"docs/ci.md shows docs/ci/{name} as it is")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    tmp = tempfile.mkdtemp(prefix="kpitree-ci-")
    try:
        work, owner_less, o = github(tmp, port, "pull_request")
        code, out, err = o["Check the trees"]
        check(code == 1, f"github/pull_request: the check fails on the new error (exit {code}) {err.strip()[:300]}")
        annotations = [l for l in out.splitlines() if l.startswith("::error") or l.startswith("::warning") or l.startswith("::notice")]
        check(any("missing-owner" in l and "kpi/company.json" in l for l in annotations), "github/pull_request: the new error is annotated on its file")
        check(all("kpi/units/hospital.json" not in l for l in annotations), "github/pull_request: an unchanged tree's known findings are not annotated")
        check(isinstance(o["Baseline from the base branch"], tuple) and o["Baseline from the base branch"][0] == 0, "github/pull_request: the baseline step succeeds")
        diff = open(os.path.join(work, "diff.md")).read()
        check("kpi/company.json" in diff and owner_less in diff, "github/pull_request: diff.md names the changed tree and the new finding")
        check("hospital" not in diff, "github/pull_request: diff.md leaves unchanged trees out")
        posts = list(Api.posts)
        check(len(posts) == 1 and posts[0][0] == "/repos/org/trees/issues/7/comments", f"github/pull_request: one comment posted to the pull request ({[p[0] for p in posts]})")
        if posts:
            body = json.loads(posts[0][2])["body"]
            check(body == diff and posts[0][1].get("Authorization") == "Bearer gh-token", "github/pull_request: the comment is diff.md, with the token")

        work, _, o = github(tmp, port, "push")
        code, out, _ = o["Check the trees"]
        check(code == 1 and "::error" in out, "github/push: every tree is checked without a baseline (the examples have errors)")
        check(o["What the change does to each tree"] == "skipped" and not Api.posts, "github/push: no diff, no comment")

        work, owner_less, code, out, err = gitlab(tmp, port)
        check(code == 1, f"gitlab: the job fails on the new error (exit {code}) {err.strip()[:300]}")
        check(os.path.getsize(os.path.join(work, "kpitree.sarif")) > 0, "gitlab: the SARIF artifact is written")
        posts = list(Api.posts)
        check(len(posts) == 1 and posts[0][0] == "/api/v4/projects/42/merge_requests/7/notes", f"gitlab: one note posted to the merge request ({[p[0] for p in posts]})")
        if posts:
            body = urllib.parse.parse_qs(posts[0][2])["body"][0]
            diff = open(os.path.join(work, "diff.md")).read()
            check(body == diff and owner_less in body and posts[0][1].get("PRIVATE-TOKEN") == "gl-token", "gitlab: the note is diff.md, with the token")
    finally:
        server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"\n{len(failures)} CI recipe checks failed")
        sys.exit(1)
    print("\nCI recipes: all checks passed")


if __name__ == "__main__":
    main()
