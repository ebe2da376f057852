"""The wheel, installed in a fresh venv outside the checkout: the cors-addon command and the -s script."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support.http_client import send
from support.net import LOOPBACK_ONLY, free_port, wait_port
from support.proxy import ROOT
from support.upstream import Upstream

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(folder), str(ROOT)],
        capture_output=True,
        text=True,
        cwd=folder,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (folder / "build.log").write_text(build.stdout + build.stderr)
    wheel = next(folder.glob("cors_addon-*.whl"))
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(wheel)], check=True, cwd=folder)
    work = folder / "work"  # a folder of the user's, far from the checkout
    work.mkdir()
    return venv / "bin", work


def test_the_wheel_builds_without_a_deprecation_and_says_its_license(installed):
    """setuptools stops building a TOML-table `project.license` after 2027-02-18; the build log says so."""
    bin_dir, _ = installed
    log = (bin_dir.parent.parent / "build.log").read_text()
    assert "Building wheel for cors-addon" in log  # the log is the verbose one, with the backend's output
    assert "deprecat" not in log.lower(), [line for line in log.splitlines() if "eprecat" in line]
    wheel = next(bin_dir.parent.parent.glob("cors_addon-*.whl"))
    dist_info = "-".join(wheel.name.split("-")[:2]) + ".dist-info"
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"{dist_info}/METADATA").decode()
        assert f"{dist_info}/licenses/LICENSE" in archive.namelist()
    assert "License-Expression: MIT" in metadata.splitlines()


def cli(installed, *args):
    bin_dir, work = installed
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([str(bin_dir / "cors-addon"), *args], capture_output=True, text=True, cwd=work, env=env)


def test_script_init_check(installed):
    _, work = installed
    script = cli(installed, "script")
    assert script.returncode == 0
    path = Path(script.stdout.strip())
    assert path.is_file() and not path.is_relative_to(ROOT), path
    assert cli(installed, "init").returncode == 0
    assert "allow_origins" in (work / "rules.yaml").read_text()
    again = cli(installed, "init")
    assert again.returncode == 1 and "never overwrites" in again.stderr
    assert cli(installed, "check").returncode == 0
    (work / "broken.yaml").write_text("rules:\n  - hosts: a.com\n    max_age: -1\n")
    broken = cli(installed, "check", "broken.yaml")
    assert broken.returncode == 1 and "broken.yaml:3: rule 1, field 'max_age'" in broken.stderr
    (work / "rules.yaml").unlink()


def test_mitmdump_with_the_installed_script(installed, tmp_path):
    bin_dir, work = installed
    script = cli(installed, "script").stdout.strip()
    port = free_port()
    with Upstream(host="127.0.0.2") as api:
        command = [
            str(bin_dir / "mitmdump"),
            "-s",
            script,
            "--listen-host",
            "127.0.0.1",
            "-p",
            str(port),
            "--set",
            f"confdir={tmp_path}",
            "--mode",
            f"reverse:http://127.0.0.2:{api.port}",
            *LOOPBACK_ONLY,
        ]
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        proxy = subprocess.Popen(
            command, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            wait_port(port)
            reply = send(
                "OPTIONS",
                "/items",
                {"Origin": "http://localhost:3000", "Access-Control-Request-Method": "PUT"},
                port=port,
            )
            assert reply.status == 204 and reply.get("Access-Control-Allow-Origin") == "http://localhost:3000"
        finally:
            proxy.terminate()
            output = proxy.communicate(timeout=10)[0]
    assert "rules.example.yaml (the built-in example; `cors-addon init` writes a rules.yaml here to edit)" in output
    assert f"covering http://127.0.0.2:{api.port} (reverse target)" in output
