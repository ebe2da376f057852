"""Exporters: anchored origin regexes, nginx -t on every export, Starlette arguments, CLI, command."""

import re
import subprocess
import sys
import textwrap

import pytest
from support.proxy import ROOT
from support.tools import require_tool

from addon.config.load import parse_rules
from addon.core.patterns import parse_origin_pattern
from addon.export import (
    export_apache,
    export_caddy,
    export_django,
    export_express,
    export_fastapi,
    export_flask,
    export_nginx,
    export_starlette,
    origin_regex,
)

MANY = textwrap.dedent("""
    rules:
      - name: api
        hosts: ["127.0.0.1:5000", "*.example.com"]
        paths: ["/v1/**", "/files/*/meta"]
        allow_origins: [http://localhost:3000, "https://*.example.com", "http://localhost:*", "null", "http://[::1]:8000"]
        allow_credentials: true
        allow_methods: [GET, PUT, patch]
        allow_headers: [X-Token, Authorization]
        expose_headers: [X-Total]
        max_age: 600
        allow_private_network: true
      - name: open
        hosts: [api.example.com]
        paths: ["/public/**"]
        allow_origins: "*"
        preflight: forward
      - name: creds-star
        hosts: [api.example.com]
        filter: "~m GET"
        allow_credentials: true
      - name: everything
        hosts: [other.example.com]
""")


@pytest.mark.parametrize(
    "pattern, origin, matches",
    [
        ("https://example.com", "https://example.com", True),
        ("https://example.com", "https://example.com.evil.net", False),
        ("https://example.com", "https://evil-example.com", False),
        ("https://example.com", "https://exampleXcom", False),
        ("https://*.example.com", "https://a.b.example.com", True),
        ("https://*.example.com", "https://example.com", False),
        ("https://*.example.com", "https://a.example.com.evil.net", False),
        ("http://localhost:*", "http://localhost:5173", True),
        ("http://localhost:*", "http://localhost", True),
        ("http://localhost:*", "http://localhost.evil.net", False),
        ("http://[::1]:8000", "http://[::1]:8000", True),
        ("null", "null", True),
        ("null", "nullx", False),
    ],
)
def test_origin_regexes_are_anchored(pattern, origin, matches):
    assert bool(re.search(origin_regex(parse_origin_pattern(pattern)), origin)) is matches


def test_nginx_export_names_what_it_cannot_express():
    text = export_nginx(parse_rules(MANY))
    assert "NOT EXPORTED: the mitmproxy filter '~m GET'" in text
    assert "NOT EXPORTED: expose_headers '*' with credentials" in text
    assert "preflight: forward is exported as answer" in text
    assert text.count("proxy_hide_header Access-Control-Allow-Origin;") == 4
    assert "add_header Access-Control-Allow-Origin $cors_allow_origin_0 always;" in text


@pytest.mark.parametrize(
    "text",
    [
        MANY,
        "rules:\n  - hosts: a.com\n",
        "rules: []\n",
        "rules:\n  - hosts: a.com\n    allow_origins: '*'\n    allow_credentials: true\n",
    ],
)
def test_nginx_accepts_every_export(tmp_path, text):
    require_tool("nginx")
    (tmp_path / "cors.conf").write_text(export_nginx(parse_rules(text)))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\nhttp {{\n  include {tmp_path}/cors.conf;\n}}\n"
    )
    result = subprocess.run(
        ["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_starlette_export_is_python_and_says_what_is_lost():
    text = export_starlette(parse_rules(MANY))
    namespace = {}
    exec(text, namespace)
    args = namespace["cors_args"]
    assert args["allow_origins"] == ["http://localhost:3000", "null", "http://[::1]:8000"]
    assert re.fullmatch(args["allow_origin_regex"], "https://a.example.com")
    assert re.fullmatch(args["allow_origin_regex"], "http://localhost:5173")
    assert not re.fullmatch(args["allow_origin_regex"], "https://example.com.evil.net")
    assert args["allow_credentials"] is True
    assert args["allow_methods"] == ["GET", "PUT", "patch"]  # only the standard methods are upper-cased
    assert args["allow_headers"] == ["authorization", "x-token"]
    assert args["expose_headers"] == ["x-total"] and args["max_age"] == 600
    assert "NOT EXPORTED: rule 'open'" in text and "NOT EXPORTED: rule 'everything'" in text
    assert "applies to some paths only" in text
    assert "NOT EXPORTED: allow_private_network" in text


def test_express_export_is_javascript_and_says_what_is_lost(tmp_path):
    text = export_express(parse_rules(MANY))
    assert "NOT EXPORTED: the mitmproxy filter '~m GET'" in text
    assert "NOT EXPORTED: expose_headers '*' with credentials" in text
    assert "NOT EXPORTED: allow_private_network" in text
    assert r"/^https:\/\/([a-z0-9-]+\.)+example\.com$/" in text
    assert r"paths: [/^\/v1(?:\/.*)?$/, /^\/files\/[^\/]*\/meta$/]" in text
    path = tmp_path / "cors-rules.js"
    path.write_text(text)
    require_tool("node")
    out = subprocess.run(
        [
            "node",
            "-e",
            f"const m = require({str(path)!r}); m.corsOptions("
            "{path: '/v1/x', headers: {}}, (e, o) => console.log(JSON.stringify(o)))",
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert '"credentials":true' in out.stdout and '"maxAge":600' in out.stdout


def test_django_export_is_settings_and_says_what_is_lost():
    text = export_django(parse_rules(MANY))
    namespace = {}
    exec(text, namespace)
    assert namespace["CORS_ALLOWED_ORIGINS"] == ["http://localhost:3000", "null", "http://[::1]:8000"]
    assert re.match(namespace["CORS_URLS_REGEX"], "/v1/items") and not re.match(namespace["CORS_URLS_REGEX"], "/v2")
    assert namespace["CORS_ALLOW_METHODS"] == ["GET", "PUT", "patch"]
    assert namespace["CORS_ALLOW_PRIVATE_NETWORK"] is True and namespace["CORS_PREFLIGHT_MAX_AGE"] == 600
    assert "NOT EXPORTED: rule 'open'" in text
    star = export_django(parse_rules("rules:\n  - hosts: a.com\n    max_age: 0\n"))
    assert "allow_headers '*': django-cors-headers cannot answer with the requested headers" in star
    assert "max_age 0: django-cors-headers then sends no Max-Age" in star


def test_cli(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(MANY)
    out = subprocess.run(
        [sys.executable, "-m", "addon", "export", "nginx", str(rules), "--upstream", "http://127.0.0.1:9"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    assert "proxy_pass http://127.0.0.1:9;" in out.stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules:\n  - hosts: a.com\n    max_age: -1\n")
    out = subprocess.run(
        [sys.executable, "-m", "addon", "export", "starlette", str(broken)], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 2
    assert f"{broken}:3: rule 1, field 'max_age'" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("target", ["caddy", "apache"])
def test_cli_gives_the_server_exports_their_listen_address_and_upstream(tmp_path, target):
    rules = tmp_path / "rules.yaml"
    rules.write_text(MANY)
    command = ["export", target, str(rules), "--listen", "127.0.0.1:7", "--upstream", "http://127.0.0.1:9"]
    out = subprocess.run([sys.executable, "-m", "addon", *command], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "127.0.0.1:7" in out.stdout and "http://127.0.0.1:9" in out.stdout


def test_export_command(write_rules):
    from mitmproxy import exceptions
    from mitmproxy.test import taddons

    from addon.mitm.addon import CorsAddon

    addon = CorsAddon()
    with taddons.context(addon) as tctx:
        tctx.configure(addon, cors_rules=str(write_rules(MANY)))
        assert "cors_args = {" in addon.export_rules("starlette")
        assert "map $http_origin $cors_origin_ok_0" in addon.export_rules("nginx")
        assert "RewriteEngine On" in addon.export_rules("apache") and "route {" in addon.export_rules("caddy")
        with pytest.raises(exceptions.CommandError, match="unknown target 'iis'"):
            addon.export_rules("iis")


def test_export_command_in_reverse_mode_proxies_to_the_reverse_target(write_rules):
    from mitmproxy.test import taddons

    from addon.mitm.addon import CorsAddon

    addon = CorsAddon()
    with taddons.context(addon) as tctx:
        tctx.configure(addon, cors_rules=str(write_rules(MANY)), mode=["reverse:http://127.0.0.1:5001"])
        assert "reverse_proxy http://127.0.0.1:5001" in addon.export_rules("caddy")
        assert "proxy_pass http://127.0.0.1:5001;" in addon.export_rules("nginx")
        assert "RewriteRule ^/?(.*)$ http://127.0.0.1:5001/$1 [P,L]" in addon.export_rules("apache")
        assert "cors_args = {" in addon.export_rules("starlette")


def _checked(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, result.stdout + result.stderr


def test_caddy_validates_every_export_and_it_says_what_is_lost(tmp_path):
    caddy = require_tool("caddy")
    text = export_caddy(parse_rules(MANY))
    assert "# NOT EXPORTED: the mitmproxy filter '~m GET'" in text
    assert "# preflight: forward is exported as answer" in text
    (tmp_path / "Caddyfile").write_text(text)
    env = {"XDG_CONFIG_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    _checked([caddy, "validate", "--adapter", "caddyfile", "--config", str(tmp_path / "Caddyfile")], env=env)


def test_apachectl_accepts_every_export_and_it_says_what_is_lost(tmp_path):
    from support.equivalence import httpd_conf

    apachectl = require_tool("apachectl")
    text = export_apache(parse_rules(MANY))
    assert "# NOT EXPORTED: the mitmproxy filter '~m GET'" in text
    assert 'Header always set Access-Control-Allow-Credentials "true" env=CORS_ACTUAL_0' in text
    (tmp_path / "cors.conf").write_text(text)
    _checked([apachectl, "-t", "-f", str(httpd_conf(tmp_path, tmp_path / "cors.conf"))])


def test_python_app_exports_compile_and_say_what_is_lost():
    flask = export_flask(parse_rules(MANY))
    namespace: dict = {}
    exec(flask, namespace)
    assert len(namespace["cors_resources"]) == 3
    assert "# NOT EXPORTED: rule 'everything' (rules.yaml line 22): the same paths as rule 'creds-star'" in flask
    assert "# NOT EXPORTED: the mitmproxy filter '~m GET'" in flask
    assert "# allow_methods '*': flask-cors allows the listed methods only; the standard ones are listed." in flask
    fastapi = export_fastapi(parse_rules(MANY))
    compile(fastapi, "cors_fastapi.py", "exec")
    assert "app.add_middleware(\n    CORSMiddleware," in fastapi
    assert "# NOT EXPORTED: rule 'open': CORSMiddleware applies one policy to the whole app" in fastapi


@pytest.mark.parametrize(
    "tool, export, check, suffix",
    [
        ("node", "export_fastify", ["--check"], ".js"),
        ("ruby", "export_rack", ["-c"], ".rb"),
        ("gofmt", "export_go", ["-e", "-l"], ".go"),
    ],
)
def test_app_exports_pass_their_language_checker_and_say_what_is_lost(tmp_path, tool, export, check, suffix):
    import addon.export

    path = require_tool(tool)
    text = getattr(addon.export, export)(parse_rules(MANY))
    assert "NOT EXPORTED: the mitmproxy filter '~m GET'" in text
    assert "NOT EXPORTED: allow_private_network" in text
    (tmp_path / f"cors{suffix}").write_text(text)
    _checked([path, *check, str(tmp_path / f"cors{suffix}")])


APP_ORIGINS = textwrap.dedent("""
    rules:
      - name: apps
        hosts: ["127.0.0.1:5000"]
        allow_origins: ["capacitor://localhost", "null", "http://[::1]:8000", "http://localhost:3000"]
""")
APP_ORIGIN_CASES = [
    ("capacitor://localhost", True),
    ("null", True),
    ("http://[::1]:8000", True),
    ("http://localhost:3000", True),
    ("http://:8000", False),  # what "[::1]" as a character class would let in
    ("http://localhost:30000", False),
]


def test_flask_cors_allows_exactly_the_listed_app_origins():
    from flask import Flask
    from flask_cors import CORS

    namespace: dict = {}
    exec(export_flask(parse_rules(APP_ORIGINS)), namespace)
    app = Flask(__name__)
    CORS(app, resources=namespace["cors_resources"])
    app.add_url_rule("/x", "x", lambda: "x")
    client = app.test_client()
    for origin, allowed in APP_ORIGIN_CASES:
        got = client.get("/x", headers={"Origin": origin}).headers.get("Access-Control-Allow-Origin")
        assert (got == origin) is allowed, (origin, got)


def test_rack_cors_allows_exactly_the_listed_app_origins(tmp_path):
    ruby = require_tool("ruby")
    from addon.export import export_rack

    (tmp_path / "cors.rb").write_text(export_rack(parse_rules(APP_ORIGINS)))
    script = (
        f'require "rack"; load "{tmp_path}/cors.rb"; '
        'app = Rack::Cors.new(->(env) { [200, {}, ["x"]] }, &CORS_RULES); '
        'ARGV.each { |o| puts app.call({"HTTP_ORIGIN" => o, "PATH_INFO" => "/x", "REQUEST_METHOD" => "GET"})[1]'
        '["Access-Control-Allow-Origin"].inspect }'
    )
    origins = [origin for origin, _ in APP_ORIGIN_CASES]
    result = subprocess.run([ruby, "-e", script, *origins], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    got = result.stdout.splitlines()
    for (origin, allowed), answer in zip(APP_ORIGIN_CASES, got, strict=True):
        assert (answer == f'"{origin}"') is allowed, (origin, answer)


STAR = "rules:\n  - name: star\n    hosts: [api.example.com]\n    allow_origins: '*'\n"


@pytest.mark.parametrize(
    "export, says_it",
    [("export_go", True), ("export_rack", True), ("export_starlette", True), ("export_fastapi", True),
     ("export_express", False), ("export_fastify", False), ("export_flask", False), ("export_nginx", False),
     ("export_caddy", False), ("export_apache", False), ("export_django", False)],
)  # fmt: skip
def test_exports_whose_library_cannot_answer_without_origin_say_what_that_costs(export, says_it):
    """Shown with the libraries themselves in tests/equivalence/ (django-cors-headers sends Vary: Origin)."""
    import addon.export

    text = getattr(addon.export, export)(parse_rules(STAR))
    assert ("sends no Access-Control-Allow-Origin to a request without Origin" in text) is says_it
    credentials = STAR + "    allow_credentials: true\n"
    reflected = getattr(addon.export, export)(parse_rules(credentials))
    assert "sends no Access-Control-Allow-Origin to a request without Origin" not in reflected
    # A rule that names the origin needs Vary: Origin without one too; only flask-cors leaves it out
    # (cors-addon verify finds it: tests/equivalence/test_verify_exports.py).
    assert ("sends no Vary: Origin to a request without Origin" in reflected) is (export == "export_flask")


@pytest.mark.parametrize(
    "export, says",
    [("export_nginx", "nginx cannot decide which origins may open a WebSocket"),
     ("export_caddy", "Caddy cannot decide which origins may open a WebSocket"),
     ("export_apache", "Apache cannot decide which origins may open a WebSocket"),
     ("export_express", "ws's new WebSocketServer({verifyClient: ({origin}) => allowed(origin)})"),
     ("export_fastify", "with @fastify/websocket, register it with {options: {verifyClient:"),
     ("export_flask", "Flask-SocketIO's SocketIO(app, cors_allowed_origins=[...])"),
     ("export_starlette", "check websocket.headers.get('origin') before await websocket.accept()"),
     ("export_fastapi", "check websocket.headers.get('origin') before await websocket.accept()"),
     ("export_django", "channels.security.websocket.OriginValidator(router, [...origins])"),
     ("export_rack", "answer 403 unless env['HTTP_ORIGIN'] is allowed, before the upgrade"),
     ("export_go", "set gorilla/websocket's Upgrader.CheckOrigin")],
)  # fmt: skip
def test_exports_say_where_a_websocket_origin_check_goes(export, says):
    import addon.export

    rules = STAR.replace("'*'", "[http://localhost:3000]") + "    websocket_origin: {}\n"
    rewrite = getattr(addon.export, export)(parse_rules(rules.format("rewrite")))
    (line,) = [line for line in rewrite.splitlines() if "websocket_origin: rewrite" in line]
    assert "the server refuses these origins' WebSocket handshakes" in line and says in line
    assert "WebSocket" not in getattr(addon.export, export)(parse_rules(rules.format("keep")))
