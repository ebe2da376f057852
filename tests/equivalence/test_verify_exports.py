"""`cors-addon verify` against every export run by its real server or framework (tests/support/exports.py):
it passes for the rules each was exported from, fails naming the case for the same export with credentials
dropped and with one origin removed, fails against the bare API, and passes against the addon itself in
reverse mode. Differences an export is known to have (its own comments say so) are listed, not ignored."""

import json
import subprocess
import sys

import pytest
from support.equivalence import DJANGO_RULES, NGINX_RULES, STARLETTE_RULES, serving
from support.exports import STARTERS
from support.net import free_port
from support.proxy import ROOT, Mitmdump
from support.upstream import Upstream

from addon.config.load import parse_rules
from addon.export import export_flask

SECOND = "https://app.example.com"
# The nginx rules with two origins on one rule, so that one can be removed.
TWO_ORIGINS = NGINX_RULES.replace(
    "allow_origins: [http://localhost:1]", f"allow_origins: [http://localhost:1, {SECOND}]"
)


def with_origins(text):
    """A one-rule file (Starlette's, Django's) with two allowed origins."""
    return text.replace(
        "    allow_credentials: true",
        f"    allow_origins: [http://localhost:3000, {SECOND}]\n    allow_credentials: true",
    )


RULES = {
    "nginx": TWO_ORIGINS, "caddy": TWO_ORIGINS, "apache": TWO_ORIGINS, "express": TWO_ORIGINS,
    "fastify": TWO_ORIGINS, "flask": TWO_ORIGINS, "rack": TWO_ORIGINS, "go": TWO_ORIGINS,
    "starlette": with_origins(STARLETTE_RULES), "fastapi": with_origins(STARLETTE_RULES),
    "django": with_origins(DJANGO_RULES),
}  # fmt: skip

# What an export's own comments say it cannot do, as verify names it: (rule, case, kind).
REFLECTING = ("only-get", "only-x-allowed", "creds", "other-origin", "open")
KNOWN = {"flask": {(rule, "GET without Origin", "cache") for rule in REFLECTING}}
KNOWN_NOTES = {"flask": (export_flask, "flask-cors sends no Vary: Origin to a request without Origin")}


@pytest.fixture(scope="module")
def fronts(tmp_path_factory):
    with Upstream() as api:
        yield {"api": api, "folder": tmp_path_factory.mktemp("verify")}


def verify(rules, *args):
    result = subprocess.run(
        [sys.executable, "-m", "addon", "verify", str(rules), "--json", "--strict", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode in (0, 1), result.stderr
    found = json.loads(result.stdout)
    assert found["exit"] == result.returncode
    return found


def findings(report):
    return {
        (rule["name"], case["name"], d["kind"])
        for rule in report["rules"]
        for case in rule["cases"]
        for d in case["differences"]
    }


def verify_export(fronts, name, text, exported=None):
    """verify the rules `text` against the export of `exported` (default: the same rules)."""
    rules = fronts["folder"] / f"{name}-rules.yaml"
    rules.write_text(text.format(api=fronts["api"].port))
    port = free_port()
    command, env = STARTERS[name](fronts, (exported or text).format(api=fronts["api"].port), port)
    with serving(fronts, command, port, env) as base:
        return verify(rules, "--against", base)


@pytest.mark.parametrize("name", sorted(RULES))
def test_verify_passes_an_export_for_its_own_rules_and_fails_its_mutations(fronts, name):
    text = RULES[name]
    if name in KNOWN_NOTES:
        export, note = KNOWN_NOTES[name]
        assert note in export(parse_rules(text.format(api=1))), "the export's comments do not say it"
    faithful = verify_export(fronts, name, text)
    assert findings(faithful) == KNOWN.get(name, set()), faithful["summary"]
    assert faithful["exit"] == (1 if KNOWN.get(name) else 0)

    without_credentials = verify_export(
        fronts, name, text, text.replace("allow_credentials: true", "allow_credentials: false")
    )
    assert without_credentials["exit"] == 1
    dropped = findings(without_credentials) - KNOWN.get(name, set())
    assert dropped and all(kind == "stricter" for _, _, kind in dropped), dropped
    texts = [d["text"] for r in without_credentials["rules"] for c in r["cases"] for d in c["differences"]]
    assert any("refuses it with credentials, which the rule allows" in t for t in texts), texts

    without_origin = verify_export(fronts, name, text, text.replace(f", {SECOND}]", "]"))
    assert without_origin["exit"] == 1
    assert any(case == f"GET from {SECOND}" and kind == "stricter" for _, case, kind in findings(without_origin))


def test_verify_fails_against_the_bare_api_and_passes_against_the_addon_in_reverse_mode(fronts):
    rules = fronts["folder"] / "reverse-rules.yaml"
    rules.write_text(TWO_ORIGINS.format(api=fronts["api"].port))
    bare = verify(rules)
    assert bare["exit"] == 1 and not any(rule["retirable"] for rule in bare["rules"])
    assert all(kind != "opens more" for _, _, kind in findings(bare))
    reverse = ("--mode", f"reverse:http://127.0.0.1:{fronts['api'].port}", "--set", f"cors_rules={rules}")
    with Mitmdump(fronts["folder"], *reverse) as proxy:
        through_addon = verify(rules, "--against", f"http://127.0.0.1:{proxy.port}")
    assert through_addon["exit"] == 0, through_addon["summary"]
    assert all(rule["retirable"] for rule in through_addon["rules"]) and len(through_addon["rules"]) == 6
