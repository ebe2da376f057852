"""From workaround to fix, proven in a browser: the exported Starlette CORSMiddleware arguments,
Express cors() options and django-cors-headers settings give every browser case the outcome the
addon gives (the servers in front of the API: tests/test_equivalence_servers.py).

The fronts and cases are in tests/equivalence.py.
"""

import pytest
from conftest import require_tool
from equivalence import (
    DJANGO_CASES,
    DJANGO_RULES,
    EXPRESS_CASES,
    NGINX_RULES,
    STARLETTE_CASES,
    STARLETTE_RULES,
    addon_outcomes,
    assert_mutation_caught,
    differences,
    server_outcomes,
    uvicorn,
)
from net import free_port
from proxy import ROOT

from addon.export import export_django, export_express, export_starlette
from addon.rules import parse_rules

pytestmark = pytest.mark.browser


def test_starlette_export_behaves_like_the_addon(fronts):
    rules_text = STARLETTE_RULES.format(api=fronts["api"].port)
    with_addon = addon_outcomes(fronts, rules_text, STARLETTE_CASES, "starlette-rules")

    def run(text, cases):
        exported, port = fronts["folder"] / "cors_args.py", free_port()
        exported.write_text(export_starlette(parse_rules(text)))
        env = {"CORS_ARGS_FILE": str(exported)}
        return server_outcomes(fronts, uvicorn("starlette_app:app", port), cases, port, env)

    assert with_addon["credentials"][0] == "ok"
    assert differences(with_addon, run(rules_text, STARLETTE_CASES)) == {}
    assert_mutation_caught(with_addon, run, rules_text, STARLETTE_CASES)


def test_express_export_behaves_like_the_addon(fronts):
    require_tool("node")
    modules = ROOT / "tests" / "express" / "node_modules"
    if not (modules / "express").exists():
        pytest.fail("tests/express/node_modules is missing: make test runs npm ci there")
    rules_text = NGINX_RULES.format(api=fronts["api"].port)
    with_addon = addon_outcomes(fronts, rules_text, EXPRESS_CASES, "express-rules")

    def run(text, cases):
        exported, port = fronts["folder"] / "cors-rules.js", free_port()
        exported.write_text(export_express(parse_rules(text)))
        command = ["node", str(ROOT / "tests" / "express" / "app.js"), str(port), str(exported)]
        return server_outcomes(fronts, command, cases, port)

    assert with_addon["credentials allowed"][0] == "ok" and with_addon["unlisted header"] == ("blocked",)
    assert differences(with_addon, run(rules_text, EXPRESS_CASES)) == {}
    assert_mutation_caught(with_addon, run, rules_text, EXPRESS_CASES)


def test_django_export_behaves_like_the_addon(fronts):
    rules_text = DJANGO_RULES.format(api=fronts["api"].port)
    with_addon = addon_outcomes(fronts, rules_text, DJANGO_CASES, "django-rules")

    def run(text, cases):
        exported, port = fronts["folder"] / "cors_settings.py", free_port()
        exported.write_text(export_django(parse_rules(text)))
        env = {"CORS_SETTINGS_FILE": str(exported)}
        return server_outcomes(fronts, uvicorn("django_app:app", port), cases, port, env)

    assert with_addon["credentials"][0] == "ok" and with_addon["unlisted header"] == ("blocked",)
    assert with_addon["PATCH, not listed"] == ("blocked",)
    assert differences(with_addon, run(rules_text, DJANGO_CASES)) == {}
    assert_mutation_caught(with_addon, run, rules_text, DJANGO_CASES)
