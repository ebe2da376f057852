"""Each export run by its real server or framework: write the export of a rules text into the fronts'
folder, have the server's own checker accept it where it has one, and return how to start it on
127.0.0.1:port (the command, and the environment it adds). The servers in front of the API (nginx,
Caddy, Apache) forward to fronts["api"]; the apps are the API themselves (tests/equivalence/apps)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from addon.config.load import parse_rules
from addon.export import (
    export_apache,
    export_caddy,
    export_django,
    export_express,
    export_fastapi,
    export_fastify,
    export_flask,
    export_go,
    export_nginx,
    export_rack,
    export_starlette,
)
from support.equivalence import httpd_conf, nginx_conf, uvicorn
from support.proxy import APPS
from support.tools import require_tool

RS_CORS = Path("/usr/share/gocode/src/github.com/rs/cors")


def upstream(fronts):
    return f"http://127.0.0.1:{fronts['api'].port}"


def caddy_env(fronts):
    """Caddy keeps its state under XDG folders: the test's own."""
    return {
        "XDG_CONFIG_HOME": str(fronts["folder"] / "caddy-config"),
        "XDG_DATA_HOME": str(fronts["folder"] / "caddy-data"),
    }


def checked(command, env=None):
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stderr + result.stdout


def nginx_command(fronts, text, port):
    folder = fronts["folder"]
    (folder / "cors.conf").write_text(export_nginx(parse_rules(text), f"127.0.0.1:{port}", upstream(fronts)))
    nginx, config = require_tool("nginx"), nginx_conf(folder, folder / "cors.conf")
    checked([nginx, "-t", "-c", str(config), "-p", str(folder)])
    return [nginx, "-c", str(config), "-p", str(folder)]


def caddy_command(fronts, text, port):
    caddy, config = require_tool("caddy"), fronts["folder"] / "Caddyfile"
    config.write_text(export_caddy(parse_rules(text), f"127.0.0.1:{port}", upstream(fronts)))
    checked([caddy, "validate", "--adapter", "caddyfile", "--config", str(config)], caddy_env(fronts))
    return [caddy, "run", "--adapter", "caddyfile", "--config", str(config)]


def apache_command(fronts, text, port):
    exported = fronts["folder"] / "cors-apache.conf"
    exported.write_text(export_apache(parse_rules(text), f"127.0.0.1:{port}", upstream(fronts)))
    config = httpd_conf(fronts["folder"], exported)
    checked([require_tool("apachectl"), "-t", "-f", str(config)])
    return [require_tool("apache2"), "-f", str(config), "-DFOREGROUND"]


def _written(fronts, export, text, name):
    exported = fronts["folder"] / name
    exported.parent.mkdir(exist_ok=True)
    exported.write_text(export(parse_rules(text)))
    return exported


def _node_app(fronts, export, text, port, app, name):
    require_tool("node")
    if not (APPS / app / "node_modules").exists():
        pytest.fail(f"{APPS / app}/node_modules is missing: make test runs npm ci there")
    return ["node", str(APPS / app / "app.js"), str(port), str(_written(fronts, export, text, name))], {}


def go_build(fronts):
    """Build tests/equivalence/apps/go with the export already in the folder's go/cors_rules.go (offline,
    rs/cors from Debian's golang-github-rs-cors-dev); the binary's path."""
    go = require_tool("go")
    if not RS_CORS.is_dir():
        pytest.fail(f"{RS_CORS} is missing: make test installs golang-github-rs-cors-dev")
    folder = fronts["folder"] / "go"
    folder.mkdir(exist_ok=True)
    shutil.copy(APPS / "go" / "main.go", folder / "main.go")
    env = {
        **os.environ, "GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOFLAGS": "", "GOPROXY": "off",
        "GOCACHE": str(fronts["folder"] / "go-cache"),
    }  # fmt: skip
    built = subprocess.run([go, "build", "-o", "api", "."], cwd=folder, env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    return str(folder / "api")


def _go(fronts, text, port):
    _written(fronts, export_go, text, "go/cors_rules.go")
    return [go_build(fronts), str(port)], {}


def _in_env(fronts, export, text, port, app, name, variable):
    return uvicorn(app, port), {variable: str(_written(fronts, export, text, name))}


# name -> (fronts, rules text, port) -> (command, added environment)
STARTERS = {
    "nginx": lambda f, t, p: (nginx_command(f, t, p), {}),
    "caddy": lambda f, t, p: (caddy_command(f, t, p), caddy_env(f)),
    "apache": lambda f, t, p: (apache_command(f, t, p), {}),
    "express": lambda f, t, p: _node_app(f, export_express, t, p, "express", "cors-rules.js"),
    "fastify": lambda f, t, p: _node_app(f, export_fastify, t, p, "fastify", "cors-fastify.js"),
    "flask": lambda f, t, p: (
        [sys.executable, str(APPS / "flask_app.py"), str(p), str(_written(f, export_flask, t, "cors_flask.py"))],
        {},
    ),
    "starlette": lambda f, t, p: _in_env(
        f, export_starlette, t, p, "starlette_app:app", "cors_args.py", "CORS_ARGS_FILE"
    ),
    "fastapi": lambda f, t, p: _in_env(f, export_fastapi, t, p, "fastapi_app:app", "cors_fastapi.py", "CORS_APP_CODE"),
    "django": lambda f, t, p: _in_env(
        f, export_django, t, p, "django_app:app", "cors_settings.py", "CORS_SETTINGS_FILE"
    ),
    "rack": lambda f, t, p: (
        [require_tool("ruby"), str(APPS / "rack" / "app.rb"), str(p), str(_written(f, export_rack, t, "cors_rack.rb"))],
        {},
    ),
    "go": _go,
}
