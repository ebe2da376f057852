"""The exports for servers in front of the API, proven in a browser: nginx, Caddy and Apache httpd with
their exported configuration, each accepted by the server's own checker first, give every browser
case the outcome the addon gives (cases and fronts: tests/support/equivalence.py)."""

import pytest
from support.equivalence import (
    NGINX_CASES,
    NGINX_RULES,
    addon_outcomes,
    assert_mutation_caught,
    differences,
    image_then_fetch,
    server_outcomes,
    serving,
)
from support.exports import apache_command, caddy_command, caddy_env, nginx_command, upstream
from support.http_client import send
from support.net import free_port
from support.proxy import Mitmdump

pytestmark = pytest.mark.browser


SERVERS = pytest.mark.parametrize(
    "command", [nginx_command, caddy_command, apache_command], ids=["nginx", "caddy", "apache"]
)


@SERVERS
def test_server_export_behaves_like_the_addon(fronts, command):
    rules_text = NGINX_RULES.format(api=fronts["api"].port)
    with_addon = addon_outcomes(fronts, rules_text, NGINX_CASES, "server-rules")

    def run(text, cases):
        port = free_port()
        return server_outcomes(fronts, command(fronts, text, port), cases, port, caddy_env(fronts))

    assert with_addon["GET"][0] == "ok" and with_addon["origin not allowed"] == ("blocked",)
    assert differences(with_addon, run(rules_text, NGINX_CASES)) == {}
    assert_mutation_caught(with_addon, run, rules_text, NGINX_CASES)


VARY_PROBES = [
    ("no Origin", "/open/items", {}),
    ("allowed origin", "/open/items", {"Origin": "http://localhost:3000"}),
    ("refused origin", "/other-origin/items", {"Origin": "http://localhost:3000"}),
    ("'*' without credentials", "/star/items", {"Origin": "http://localhost:3000"}),
]


def varies_on_origin(base):
    return {
        name: "origin"
        in ",".join(send("GET", base + path, headers, port=int(base.rsplit(":", 1)[1])).all("Vary")).lower()
        for name, path, headers in VARY_PROBES
    }


@SERVERS
def test_every_response_of_a_covered_path_varies_on_origin_as_with_the_addon(fronts, command):
    """Cached without Vary: Origin, one origin's answer (or a no-Origin one) is handed to another."""
    rules_text = NGINX_RULES.format(api=fronts["api"].port)
    rules = fronts["folder"] / "vary-rules.yaml"
    rules.write_text(rules_text)
    reverse = ("--mode", f"reverse:{upstream(fronts)}", "--set", f"cors_rules={rules}")
    with Mitmdump(fronts["folder"], *reverse) as proxy:
        with_addon = varies_on_origin(f"http://127.0.0.1:{proxy.port}")
    assert with_addon == {
        "no Origin": True,
        "allowed origin": True,
        "refused origin": True,
        "'*' without credentials": False,
    }
    port = free_port()
    with serving(fronts, command(fronts, rules_text, port), port, caddy_env(fronts)) as base:
        assert varies_on_origin(base) == with_addon


METHOD_PROBES = [("PURGE", "/purge/items"), ("purge", "/purge/items"), ("Get", "/purge/items")]
METHOD_RULES = """
rules:
  - name: purge
    hosts: ["127.0.0.1:{api}"]
    paths: ["/purge/**"]
    allow_methods: [GET, PURGE]
"""


def answered_methods(base):
    """Which Access-Control-Request-Method values get an Access-Control-Allow-Methods answer."""
    port = int(base.rsplit(":", 1)[1])
    answered = {}
    for method, path in METHOD_PROBES:
        headers = {"Origin": "http://localhost:3000", "Access-Control-Request-Method": method}
        reply = send("OPTIONS", base + path, headers, port=port)
        answered[method] = bool(reply.all("Access-Control-Allow-Methods"))
    return answered


@SERVERS
def test_methods_are_compared_byte_for_byte_as_by_the_addon(fronts, command):
    """The Fetch standard upper-cases only the six standard methods: a page's fetch(url, {method: 'purge'})
    asks for 'purge', which allow_methods: [PURGE] does not allow (nginx's map was case-insensitive)."""
    rules_text = METHOD_RULES.format(api=fronts["api"].port)
    rules = fronts["folder"] / "method-rules.yaml"
    rules.write_text(rules_text)
    reverse = ("--mode", f"reverse:{upstream(fronts)}", "--set", f"cors_rules={rules}")
    with Mitmdump(fronts["folder"], *reverse) as proxy:
        with_addon = answered_methods(f"http://127.0.0.1:{proxy.port}")
    assert with_addon == {"PURGE": True, "purge": False, "Get": False}
    port = free_port()
    with serving(fronts, command(fronts, rules_text, port), port, caddy_env(fronts)) as base:
        assert answered_methods(base) == with_addon


STAR_PROBES = [
    ("'*' rule, no Origin", "GET", "/star/items", {}),
    ("'*' rule, OPTIONS without Origin", "OPTIONS", "/star/items", {"Access-Control-Request-Method": "PUT"}),
    ("'*' rule, same-origin", "GET", "/star/items", {"Origin": "SELF"}),
    ("origin-naming rule, no Origin", "GET", "/open/items", {}),
]


def access_control_without_origin(base):
    """The Access-Control-* a cache would keep from responses to requests that are not CORS requests."""
    port = int(base.rsplit(":", 1)[1])
    found = {}
    for name, method, path, headers in STAR_PROBES:
        headers = {k: base if v == "SELF" else v for k, v in headers.items()}
        reply = send(method, base + path, headers, port=port)
        found[name] = sorted((k.lower(), v) for k, v in reply.headers if k.lower().startswith("access-control-"))
    return found


@SERVERS
def test_a_star_rule_answers_requests_without_origin_as_the_addon_does(fronts, command):
    """So a response cached from an <img> or a navigation serves a later fetch() (shown in Chromium in
    tests/e2e/test_browser.py)."""
    rules_text = NGINX_RULES.format(api=fronts["api"].port)
    rules = fronts["folder"] / "star-rules.yaml"
    rules.write_text(rules_text)
    reverse = ("--mode", f"reverse:{upstream(fronts)}", "--set", f"cors_rules={rules}")
    with Mitmdump(fronts["folder"], *reverse) as proxy:
        with_addon = access_control_without_origin(f"http://127.0.0.1:{proxy.port}")
    star = [("access-control-allow-origin", "*"), ("access-control-expose-headers", "*")]
    assert with_addon == {name: star for name, *_ in STAR_PROBES[:3]} | {"origin-naming rule, no Origin": []}
    port = free_port()
    with serving(fronts, command(fronts, rules_text, port), port, caddy_env(fronts)) as base:
        assert access_control_without_origin(base) == with_addon


@SERVERS
def test_a_star_rule_s_cached_answer_serves_a_later_fetch_in_chromium(fronts, command):
    """The cache case of tests/e2e/test_browser.py against each server's export: an <img> puts the
    response in Chromium's cache, and the fetch() served from it passes. Under a rule that names the
    origin, Vary: Origin keeps the cached copy from the fetch(), which asks the API again."""
    rules_text = NGINX_RULES.format(api=fronts["api"].port)
    port = free_port()
    with serving(fronts, command(fronts, rules_text, port), port, caddy_env(fronts)) as base:
        assert image_then_fetch(fronts, f"{base}/star/cacheable.png?n={port}") == (True, 1)
        assert image_then_fetch(fronts, f"{base}/open/cacheable.png?n={port}") == (True, 2)
