"""`make lab` serves JupyterLab on 127.0.0.1 with token auth, and .py opens as a notebook."""

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

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
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
    with log.open("w") as out:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "lab", args],
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
        assert "00_welcome.py" in names  # served from notebooks/
        viewers = _schema_defaults(base, token, "@jupyterlab/docmanager-extension:plugin")
        assert viewers["defaultViewers"] == {"python": "Jupytext Notebook"}
        notifications = _schema_defaults(base, token, "@jupyterlab/apputils-extension:notification")
        assert notifications["fetchNews"] == "false"  # no "Jupyter news?" prompt
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
