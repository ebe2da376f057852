"""What the equivalence suites share: the rules and browser cases, and how each front is run.

The fronts for the same API without CORS support: mitmdump (reverse mode) with the addon, a
server (nginx, Caddy, Apache) with its export in front of the API, or an app configured by its
export. Headless Chromium calls each from a page on http://localhost:PAGE, no proxy configured,
and every front must give each case the outcome the addon gives.
"""

import os
import subprocess
import sys
from contextlib import contextmanager

from addon.config.load import parse_rules
from support.browser import Page
from support.http_client import send
from support.net import free_port, wait_port
from support.proxy import APPS, Mitmdump

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

# Node's HTTP parser refuses unknown methods (FROB), and an app that is itself the server has
# no upstream CORS headers to repair: those two cases do not apply to Express.
EXPRESS_CASES = [case for case in NGINX_CASES if case[0] not in ("custom method", "server sends two ACAO")]

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


def outcome(result, path):
    """What the page saw, in the terms every front must agree on."""
    if not result["ok"]:
        return ("blocked",)
    body = result["body"] if "/status/" in path else None
    return ("ok", result["status"], body, tuple(sorted(result["headers"].items())))


def run_cases(fronts, base, cases):
    page = Page(fronts["chromium"], fronts["page_origin"])
    try:
        return {name: outcome(page.fetch(base + path, read=READ, **init), path) for name, path, init in cases}
    finally:
        page.close()


def addon_outcomes(fronts, rules_text, cases, name):
    rules = fronts["folder"] / f"{name}.yaml"
    rules.write_text(rules_text)
    with Mitmdump(
        fronts["folder"], "--mode", f"reverse:http://127.0.0.1:{fronts['api'].port}", "--set", f"cors_rules={rules}"
    ) as proxy:
        return run_cases(fronts, f"http://127.0.0.1:{proxy.port}", cases)


@contextmanager
def serving(fronts, command, port, env=None):
    """A server (nginx or an app) on 127.0.0.1:port while the block runs; its output in the folder's server.log."""
    with open(fronts["folder"] / "server.log", "ab") as log:
        server = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_port(port)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait()


def server_outcomes(fronts, command, cases, port, env=None):
    """Start a server, run the cases against it, stop it."""
    with serving(fronts, command, port, env) as base:
        return run_cases(fronts, base, cases)


def exported_outcomes(fronts, export, rules_text, cases, command, name, env_var=None):
    """Write the export of `rules_text` to `name`, start the app with it (command(port, exported); or the
    file's path in the environment variable `env_var`), run the cases."""
    exported, port = fronts["folder"] / name, free_port()
    exported.write_text(export(parse_rules(rules_text)))
    env = {env_var: str(exported)} if env_var else None
    return server_outcomes(fronts, command(port, exported), cases, port, env)


def nginx_conf(folder, exported):
    """A whole nginx.conf around the nginx export, files in `folder`."""
    config = folder / "nginx.conf"
    config.write_text(
        f"daemon off;\npid {folder}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {folder};\n  proxy_temp_path {folder};\n"
        f"  include {exported};\n}}\n"
    )
    return config


def differences(with_addon, with_export):
    return {name: (with_addon[name], with_export[name]) for name in with_addon if with_addon[name] != with_export[name]}


def uvicorn(app, port):
    return [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--app-dir",
        str(APPS),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]


def credentialed(cases):
    return [case for case in cases if case[2].get("credentials") == "include"]


def assert_mutation_caught(with_addon, run_export, rules_text, cases):
    """The same rules exported without credentials must fail a credentialed case: the suite can fail."""
    assert "allow_credentials: true" in rules_text
    mutated = run_export(rules_text.replace("allow_credentials: true", "allow_credentials: false"), credentialed(cases))
    assert differences({name: with_addon[name] for name in mutated}, mutated), "dropping credentials went unnoticed"


APACHE_MODULES = ("mpm_event", "authz_core", "headers", "rewrite", "proxy", "proxy_http")


def httpd_conf(folder, exported):
    """A whole httpd.conf around the Apache export: the modules it needs, files in `folder`."""
    config = folder / "httpd.conf"
    config.write_text(
        "".join(f"LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so\n" for m in APACHE_MODULES)
        + f"ServerName 127.0.0.1\nPidFile {folder}/httpd.pid\nErrorLog {folder}/httpd-error.log\n"
        + f"Mutex file:{folder}\nUser www-data\nGroup www-data\nInclude {exported}\n"
    )
    return config


# What a '*' rule without credentials gives a request without Origin (the addon: tests/core/test_policy.py),
# so that a response cached from an <img> or a navigation serves a later fetch().
STAR_WITHOUT_ORIGIN = [("access-control-allow-origin", "*"), ("access-control-expose-headers", "*")]


def star_without_origin(fronts, export, rules_text, command, name, env_var=None):
    """The Access-Control-* fields the export answers GET /star/items without Origin with."""
    exported, port = fronts["folder"] / name, free_port()
    exported.write_text(export(parse_rules(rules_text)))
    env = {env_var: str(exported)} if env_var else None
    with serving(fronts, command(port, exported), port, env):
        reply = send("GET", "/star/items", {}, port=port)  # origin-form, as a browser sends it to a server
    return sorted((k.lower(), v) for k, v in reply.headers if k.lower().startswith("access-control-"))


def image_then_fetch(fronts, url):
    """An <img> of `url`, then fetch() of it from the page origin: what the page sees, and how many of the
    two reached the API (1: the fetch was served from Chromium's HTTP cache)."""
    api = fronts["api"]
    before = len(api.seen)
    page = Page(fronts["chromium"], fronts["page_origin"])
    try:
        page.load_image(url)
        result = page.fetch(url)
    finally:
        page.close()
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    return result["ok"], len([seen for seen in api.seen[before:] if seen[1] == path])
