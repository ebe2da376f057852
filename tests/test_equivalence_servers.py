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
    nginx_conf,
    server_outcomes,
    serving,
)
from http_client import send
from net import free_port
from proxy import Mitmdump

from addon.export import export_apache, export_caddy, export_nginx
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


def nginx_command(fronts, text, port):
    folder = fronts["folder"]
    (folder / "cors.conf").write_text(export_nginx(parse_rules(text), f"127.0.0.1:{port}", upstream(fronts)))
    return [require_tool("nginx"), "-c", str(nginx_conf(folder, folder / "cors.conf")), "-p", str(folder)]


def caddy_command(fronts, text, port):
    config = fronts["folder"] / "Caddyfile"
    config.write_text(export_caddy(parse_rules(text), f"127.0.0.1:{port}", upstream(fronts)))
    return [require_tool("caddy"), "run", "--adapter", "caddyfile", "--config", str(config)]


def apache_command(fronts, text, port):
    exported = fronts["folder"] / "cors-apache.conf"
    exported.write_text(export_apache(parse_rules(text), f"127.0.0.1:{port}", upstream(fronts)))
    return [require_tool("apache2"), "-f", str(httpd_conf(fronts["folder"], exported)), "-DFOREGROUND"]


def upstream(fronts):
    return f"http://127.0.0.1:{fronts['api'].port}"


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


@pytest.mark.parametrize("command", [nginx_command, caddy_command, apache_command], ids=["nginx", "caddy", "apache"])
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
    env = {
        "XDG_CONFIG_HOME": str(fronts["folder"] / "caddy-config"),
        "XDG_DATA_HOME": str(fronts["folder"] / "caddy-data"),
    }
    with serving(fronts, command(fronts, rules_text, port), port, env) as base:
        assert varies_on_origin(base) == with_addon
