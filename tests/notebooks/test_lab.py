"""`make lab` serves the learner's workspace on 127.0.0.1 with token auth; .py opens as a notebook.

The workspace is the learner's own copy of notebooks/: made on first use, never
overwritten, ignored by git and by `make test`, so saving an attempt breaks nothing.
"""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tools.paths import NOTEBOOK_DIR, ROOT, notebooks


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # a busy machine is slow
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def _schema_defaults(base: str, token: str, plugin: str) -> dict:
    """The defaults JupyterLab serves for a plugin's settings, overrides applied."""
    status, body = _get(f"{base}/lab/api/settings/{plugin}?token={token}")
    assert status == 200, plugin
    properties = json.loads(body)["schema"]["properties"]
    return {name: spec.get("default") for name, spec in properties.items()}


def test_make_lab_serves_jupyterlab_with_token(tmp_path):
    port = _free_port()
    log = tmp_path / "lab.log"
    env = os.environ | {"JUPYTER_RUNTIME_DIR": str(tmp_path)}
    args = f"LAB_ARGS=--no-browser --ServerApp.port={port} --ServerApp.port_retries=0"
    workspace = f"WORKSPACE={tmp_path / 'workspace'}"
    with log.open("w") as out:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "lab", args, workspace],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        token = None
        deadline = time.monotonic() + 120
        while token is None and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.5)
            match = re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=(\w+)", log.read_text())
            token = match and match.group(1)
        assert token, log.read_text()[-3000:]

        base = f"http://127.0.0.1:{port}"
        assert _get(f"{base}/api/status")[0] == 403  # no token, no entry
        status, body = _get(f"{base}/api/status?token={token}")
        assert status == 200 and "started" in json.loads(body)
        status, body = _get(f"{base}/api/contents?token={token}")
        names = {item["name"] for item in json.loads(body)["content"]}
        assert "00_welcome.py" in names  # served from the workspace copy
        assert (tmp_path / "workspace" / "00_welcome.py").exists()
        viewers = _schema_defaults(base, token, "@jupyterlab/docmanager-extension:plugin")
        assert viewers["defaultViewers"] == {"python": "Jupytext Notebook"}
        notifications = _schema_defaults(base, token, "@jupyterlab/apputils-extension:notification")
        assert notifications["fetchNews"] == "false"  # no "Jupyter news?" prompt
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _make_workspace(folder: Path) -> str:
    return subprocess.run(
        ["make", "--no-print-directory", "workspace", f"WORKSPACE={folder}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_workspace_is_copied_once_and_never_overwritten(tmp_path):
    workspace = tmp_path / "workspace"
    first = _make_workspace(workspace)
    sources = sorted(p.name for p in notebooks(".*"))
    assert sorted(p.name for p in notebooks(".*", workspace)) == sources
    assert "new copy of 00_welcome" in first
    # The learner saves an attempt in 03 and deletes 01 to get a fresh copy of it.
    attempt = workspace / "03_mlp.py"
    attempt.write_text(attempt.read_text() + "\n# my attempt\n")
    (workspace / "01_synthetic_data.py").unlink()
    (workspace / "01_synthetic_data.ipynb").unlink()
    second = _make_workspace(workspace)
    assert attempt.read_text().endswith("# my attempt\n")
    assert second.strip() == "workspace: new copy of 01_synthetic_data"
    assert (workspace / "01_synthetic_data.py").read_text() == (
        NOTEBOOK_DIR / "01_synthetic_data.py"
    ).read_text()


def test_workspace_is_ignored_by_git_and_by_make_test():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "workspace/03_mlp.py"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0  # git pull and git status never touch a learner's work
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "pytest tests" in dry_run and "--nbval" in dry_run
    assert "workspace" not in dry_run
