"""From workaround to fix, proven in a browser: the exported nginx configuration, Starlette
CORSMiddleware arguments, Express cors() options and django-cors-headers settings give every
browser case the outcome the addon gives.

The fronts for the same API without CORS support: mitmdump (reverse mode) with the addon,
nginx with `export nginx` in front of the API, and Starlette, Express and Django apps
configured by their exports. Headless Chromium calls each from a page on
http://localhost:PAGE, no proxy configured.
"""

import os
import subprocess
import sys

import pytest
from browser import Page, PageServer, launch, require_chromium
from conftest import require_tool
from net import free_port, wait_port
from proxy import ROOT, Mitmdump
from upstream import Upstream

from addon.export import export_django, export_express, export_nginx, export_starlette
from addon.rules import parse_rules

pytestmark = pytest.mark.browser

NGINX_RULES = """
rules:
  - name: only-get
    hosts: ["127.0.0.1:{api}"]
    paths: ["/only-get/**"]
    allow_methods: [GET]
  - name: only-x-allowed
    hosts: ["127.0.0.1:{api}"]
    paths: ["/only-x-allowed/**"]
    allow_headers: [x-allowed]
  - name: creds
    hosts: ["127.0.0.1:{api}"]
    paths: ["/creds/**"]
    allow_credentials: true
    expose_headers: [x-custom]
  - name: star
    hosts: ["127.0.0.1:{api}"]
    paths: ["/star/**"]
    allow_origins: "*"
  - name: other-origin
    hosts: ["127.0.0.1:{api}"]
    paths: ["/other-origin/**"]
    allow_origins: [http://localhost:1]
  - name: open
    hosts: ["127.0.0.1:{api}"]
"""

STARLETTE_RULES = """
rules:
  - name: app
    hosts: ["127.0.0.1:{api}"]
    allow_credentials: true
    expose_headers: [x-custom]
"""

READ = ("x-custom", "x-total", "set-cookie")

NGINX_CASES = [
    ("GET", "/open/items", {}),
    ("HEAD", "/open/items", {"method": "HEAD"}),
    ("text POST", "/open/items", {"method": "POST", "body": "x", "headers": {"Content-Type": "text/plain"}}),
    ("PUT", "/open/items", {"method": "PUT", "body": "x"}),
    ("custom method", "/open/items", {"method": "FROB"}),
    ("JSON POST", "/open/items", {"method": "POST", "body": "{}", "headers": {"Content-Type": "application/json"}}),
    ("Authorization", "/open/items", {"headers": {"Authorization": "Bearer t"}}),
    ("custom header", "/open/items", {"headers": {"X-Anything": "1"}}),
    ("DELETE under only-get", "/only-get/items", {"method": "DELETE"}),
    ("GET with header under only-get", "/only-get/items", {"headers": {"X-Anything": "1"}}),
    ("listed header", "/only-x-allowed/items", {"headers": {"X-Allowed": "1"}}),
    ("unlisted header", "/only-x-allowed/items", {"headers": {"X-Other": "1"}}),
    ("credentials allowed", "/creds/me", {"credentials": "include"}),
    ("credentials not allowed", "/open/me", {"credentials": "include"}),
    ("star", "/star/items", {"method": "DELETE"}),
    ("star with credentials", "/star/items", {"credentials": "include"}),
    ("401", "/open/status/401", {}),
    ("404", "/open/status/404", {}),
    ("500", "/open/status/500", {}),
    ("server sends two ACAO", "/open/acao/two", {}),
    ("redirect", "/open/redirect?to=/open/status/200", {}),
    ("expose listed", "/creds/custom", {}),
    ("expose star", "/open/custom", {}),
    ("origin not allowed", "/other-origin/items", {}),
    ("origin not allowed, preflighted", "/other-origin/items", {"method": "PUT"}),
]

STARLETTE_CASES = [
    ("GET", "/items", {}),
    ("PUT", "/items", {"method": "PUT", "body": "x"}),
    ("DELETE", "/items", {"method": "DELETE"}),
    ("JSON POST", "/items", {"method": "POST", "body": "{}", "headers": {"Content-Type": "application/json"}}),
    ("Authorization", "/items", {"headers": {"Authorization": "Bearer t"}}),
    ("custom header", "/items", {"headers": {"X-Anything": "1"}}),
    ("credentials", "/me", {"credentials": "include"}),
    ("credentials, preflighted", "/me", {"credentials": "include", "method": "PUT"}),
    ("401", "/status/401", {}),
    ("500", "/status/500", {}),
    ("expose listed", "/custom", {}),
]


def outcome(result, path):
    """What the page saw, in the terms every front must agree on."""
    if not result["ok"]:
        return ("blocked",)
    body = result["body"] if "/status/" in path else None
    return ("ok", result["status"], body, tuple(sorted(result["headers"].items())))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    require_chromium()
    require_tool("nginx")
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("equivalence")
    with Upstream() as api, sync_playwright() as playwright:
        page_server = PageServer()
        chromium = launch(playwright)
        yield {"api": api, "folder": folder, "chromium": chromium, "page_origin": page_server.origin}
        chromium.close()
        page_server.close()


def run_cases(world, base, cases):
    page = Page(world["chromium"], world["page_origin"])
    try:
        return {name: outcome(page.fetch(base + path, read=READ, **init), path) for name, path, init in cases}
    finally:
        page.close()


def addon_outcomes(world, rules_text, cases, name):
    rules = world["folder"] / f"{name}.yaml"
    rules.write_text(rules_text)
    with Mitmdump(
        world["folder"], "--mode", f"reverse:http://127.0.0.1:{world['api'].port}", "--set", f"cors_rules={rules}"
    ) as proxy:
        return run_cases(world, f"http://127.0.0.1:{proxy.port}", cases)


def server_outcomes(world, command, cases, port, env=None):
    """Start a server (nginx or an app), run the cases against it, stop it."""
    server = subprocess.Popen(
        command, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        wait_port(port)
        return run_cases(world, f"http://127.0.0.1:{port}", cases)
    finally:
        server.terminate()
        server.wait()


def differences(with_addon, with_export):
    return {name: (with_addon[name], with_export[name]) for name in with_addon if with_addon[name] != with_export[name]}


def uvicorn(app, port):
    return [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--app-dir",
        str(ROOT / "tests"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]


def test_nginx_export_behaves_like_the_addon(world):
    rules_text = NGINX_RULES.format(api=world["api"].port)
    with_addon = addon_outcomes(world, rules_text, NGINX_CASES, "nginx-rules")
    folder, port = world["folder"], free_port()
    (folder / "cors.conf").write_text(
        export_nginx(parse_rules(rules_text), f"127.0.0.1:{port}", f"http://127.0.0.1:{world['api'].port}")
    )
    (folder / "nginx.conf").write_text(
        f"daemon off;\npid {folder}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {folder};\n  proxy_temp_path {folder};\n"
        f"  include {folder}/cors.conf;\n}}\n"
    )
    with_nginx = server_outcomes(
        world, ["nginx", "-c", str(folder / "nginx.conf"), "-p", str(folder)], NGINX_CASES, port
    )
    assert with_addon["GET"][0] == "ok" and with_addon["origin not allowed"] == ("blocked",)
    assert differences(with_addon, with_nginx) == {}


def test_starlette_export_behaves_like_the_addon(world):
    rules_text = STARLETTE_RULES.format(api=world["api"].port)
    with_addon = addon_outcomes(world, rules_text, STARLETTE_CASES, "starlette-rules")
    folder, port = world["folder"], free_port()
    exported = folder / "cors_args.py"
    exported.write_text(export_starlette(parse_rules(rules_text)))
    with_starlette = server_outcomes(
        world, uvicorn("starlette_app:app", port), STARLETTE_CASES, port, {"CORS_ARGS_FILE": str(exported)}
    )
    assert with_addon["credentials"][0] == "ok"
    assert differences(with_addon, with_starlette) == {}


# Node's HTTP parser refuses unknown methods (FROB), and an app that is itself the server has
# no upstream CORS headers to repair: those two cases do not apply to Express.
EXPRESS_CASES = [case for case in NGINX_CASES if case[0] not in ("custom method", "server sends two ACAO")]


def test_express_export_behaves_like_the_addon(world):
    require_tool("node")
    modules = ROOT / "tests" / "express" / "node_modules"
    if not (modules / "express").exists():
        pytest.fail("tests/express/node_modules is missing: make test runs npm ci there")
    rules_text = NGINX_RULES.format(api=world["api"].port)
    with_addon = addon_outcomes(world, rules_text, EXPRESS_CASES, "express-rules")
    folder, port = world["folder"], free_port()
    exported = folder / "cors-rules.js"
    exported.write_text(export_express(parse_rules(rules_text)))
    with_express = server_outcomes(
        world, ["node", str(ROOT / "tests" / "express" / "app.js"), str(port), str(exported)], EXPRESS_CASES, port
    )
    assert with_addon["credentials allowed"][0] == "ok" and with_addon["unlisted header"] == ("blocked",)
    assert differences(with_addon, with_express) == {}


DJANGO_RULES = """
rules:
  - name: app
    hosts: ["127.0.0.1:{api}"]
    allow_credentials: true
    allow_methods: [GET, POST, PUT, DELETE]
    allow_headers: [x-allowed, authorization]
    expose_headers: [x-custom]
"""

DJANGO_CASES = [
    ("GET", "/items", {}),
    ("PUT", "/items", {"method": "PUT", "body": "x"}),
    ("DELETE", "/items", {"method": "DELETE"}),
    ("PATCH, not listed", "/items", {"method": "PATCH", "body": "x"}),
    ("JSON POST", "/items", {"method": "POST", "body": "{}", "headers": {"Content-Type": "application/json"}}),
    ("Authorization", "/items", {"headers": {"Authorization": "Bearer t"}}),
    ("listed header", "/items", {"headers": {"X-Allowed": "1"}}),
    ("unlisted header", "/items", {"headers": {"X-Other": "1"}}),
    ("credentials", "/me", {"credentials": "include"}),
    ("credentials, preflighted", "/me", {"credentials": "include", "method": "PUT"}),
    ("401", "/status/401", {}),
    ("500", "/status/500", {}),
    ("expose listed", "/custom", {}),
]


def test_django_export_behaves_like_the_addon(world):
    rules_text = DJANGO_RULES.format(api=world["api"].port)
    with_addon = addon_outcomes(world, rules_text, DJANGO_CASES, "django-rules")
    folder, port = world["folder"], free_port()
    exported = folder / "cors_settings.py"
    exported.write_text(export_django(parse_rules(rules_text)))
    with_django = server_outcomes(
        world, uvicorn("django_app:app", port), DJANGO_CASES, port, {"CORS_SETTINGS_FILE": str(exported)}
    )
    assert with_addon["credentials"][0] == "ok" and with_addon["unlisted header"] == ("blocked",)
    assert with_addon["PATCH, not listed"] == ("blocked",)
    assert differences(with_addon, with_django) == {}
