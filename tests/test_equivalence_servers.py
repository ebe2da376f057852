"""The exports for servers in front of the API, proven in a browser: Caddy and Apache httpd with
their exported configuration, each accepted by the server's own checker first, give every browser
case the outcome the addon gives (cases and fronts: tests/equivalence.py)."""

import os
import subprocess

import pytest
from conftest import require_tool
from equivalence import (
    NGINX_CASES,
    NGINX_RULES,
    addon_outcomes,
    assert_mutation_caught,
    differences,
    httpd_conf,
    server_outcomes,
)
from net import free_port

from addon.export import export_apache, export_caddy
from addon.rules import parse_rules

pytestmark = pytest.mark.browser


def caddy_outcomes(fronts, rules_text, cases):
    caddy = require_tool("caddy")
    folder, port = fronts["folder"], free_port()
    config = folder / "Caddyfile"
    config.write_text(
        export_caddy(parse_rules(rules_text), f"127.0.0.1:{port}", f"http://127.0.0.1:{fronts['api'].port}")
    )
    env = {"XDG_CONFIG_HOME": str(folder / "caddy-config"), "XDG_DATA_HOME": str(folder / "caddy-data")}
    checked = subprocess.run(
        [caddy, "validate", "--adapter", "caddyfile", "--config", str(config)],
        capture_output=True, text=True, env={**os.environ, **env},
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    return server_outcomes(fronts, [caddy, "run", "--adapter", "caddyfile", "--config", str(config)], cases, port, env)


def test_caddy_export_behaves_like_the_addon(fronts):
    rules_text = NGINX_RULES.format(api=fronts["api"].port)
    with_addon = addon_outcomes(fronts, rules_text, NGINX_CASES, "caddy-rules")
    with_caddy = caddy_outcomes(fronts, rules_text, NGINX_CASES)
    assert with_addon["GET"][0] == "ok" and with_addon["origin not allowed"] == ("blocked",)
    assert differences(with_addon, with_caddy) == {}
    assert_mutation_caught(with_addon, lambda text, cases: caddy_outcomes(fronts, text, cases), rules_text, NGINX_CASES)


def apache_outcomes(fronts, rules_text, cases):
    apache = require_tool("apache2")
    folder, port = fronts["folder"], free_port()
    exported = folder / "cors-apache.conf"
    exported.write_text(
        export_apache(parse_rules(rules_text), f"127.0.0.1:{port}", f"http://127.0.0.1:{fronts['api'].port}")
    )
    config = httpd_conf(folder, exported)
    checked = subprocess.run([require_tool("apachectl"), "-t", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr + checked.stdout
    return server_outcomes(fronts, [apache, "-f", str(config), "-DFOREGROUND"], cases, port)


def test_apache_export_behaves_like_the_addon(fronts):
    rules_text = NGINX_RULES.format(api=fronts["api"].port)
    with_addon = addon_outcomes(fronts, rules_text, NGINX_CASES, "apache-rules")
    with_apache = apache_outcomes(fronts, rules_text, NGINX_CASES)
    assert with_addon["GET"][0] == "ok" and with_addon["origin not allowed"] == ("blocked",)
    assert differences(with_addon, with_apache) == {}
    assert_mutation_caught(
        with_addon, lambda text, cases: apache_outcomes(fronts, text, cases), rules_text, NGINX_CASES
    )
