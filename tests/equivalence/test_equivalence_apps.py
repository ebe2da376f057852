"""The exports for apps that are the API themselves, proven in a browser: Flask (flask-cors), FastAPI
(CORSMiddleware), Fastify (@fastify/cors), Rack (rack-cors) and Go (rs/cors) configured by their exports
give every browser case that applies the outcome the addon gives (cases and fronts: tests/support/equivalence.py).

An app that is itself the server has no upstream CORS headers to repair: "server sends two ACAO" does
not apply to any of them. Other cases that do not apply are named, with the reason, where they are left out.
"""

import sys

import pytest
from support.equivalence import (
    NGINX_CASES,
    NGINX_RULES,
    STAR_WITHOUT_ORIGIN,
    STARLETTE_CASES,
    STARLETTE_RULES,
    addon_outcomes,
    assert_mutation_caught,
    differences,
    exported_outcomes,
    star_without_origin,
    uvicorn,
)
from support.exports import go_build
from support.proxy import APPS
from support.tools import require_tool

from addon.export import export_fastapi, export_fastify, export_flask, export_go, export_rack

pytestmark = pytest.mark.browser

APP_CASES = [case for case in NGINX_CASES if case[0] != "server sends two ACAO"]


def assert_equivalent(fronts, export, cases, command, name, star_without_origin_too):
    """`star_without_origin_too`: the library gives a '*' rule's answer to requests without Origin as well."""
    rules_text = NGINX_RULES.format(api=fronts["api"].port)
    with_addon = addon_outcomes(fronts, rules_text, cases, name + "-rules")
    with_app = exported_outcomes(fronts, export, rules_text, cases, command, name)
    assert with_addon["credentials allowed"][0] == "ok" and with_addon["origin not allowed"] == ("blocked",)
    assert differences(with_addon, with_app) == {}
    expected = STAR_WITHOUT_ORIGIN if star_without_origin_too else []
    assert star_without_origin(fronts, export, rules_text, command, name) == expected

    def run(text, subset):
        return exported_outcomes(fronts, export, text, subset, command, name)

    assert_mutation_caught(with_addon, run, rules_text, cases)


# flask-cors allows the standard methods only where rules.yaml says "*": a custom method is refused.
FLASK_CASES = [case for case in APP_CASES if case[0] != "custom method"]


def test_flask_export_behaves_like_the_addon(fronts):
    def command(port, exported):
        return [sys.executable, str(APPS / "flask_app.py"), str(port), str(exported)]

    assert_equivalent(fronts, export_flask, FLASK_CASES, command, "cors_flask.py", star_without_origin_too=True)


def test_fastapi_export_behaves_like_the_addon(fronts):
    """CORSMiddleware holds one policy for the whole app: the single-rule cases (Starlette's)."""
    rules_text = STARLETTE_RULES.format(api=fronts["api"].port)
    with_addon = addon_outcomes(fronts, rules_text, STARLETTE_CASES, "fastapi-rules")

    def run(text, cases):
        return exported_outcomes(
            fronts,
            export_fastapi,
            text,
            cases,
            lambda port, _: uvicorn("fastapi_app:app", port),
            "cors_fastapi.py",
            "CORS_APP_CODE",
        )

    assert with_addon["credentials"][0] == "ok"
    assert differences(with_addon, run(rules_text, STARLETTE_CASES)) == {}
    assert_mutation_caught(with_addon, run, rules_text, STARLETTE_CASES)


# Node's HTTP parser refuses unknown methods (FROB), as for Express.
FASTIFY_CASES = [case for case in APP_CASES if case[0] != "custom method"]


def test_fastify_export_behaves_like_the_addon(fronts):
    require_tool("node")
    app = APPS / "fastify" / "app.js"
    if not (app.parent / "node_modules" / "fastify").exists():
        pytest.fail("tests/fastify/node_modules is missing: make test runs npm ci there")

    def command(port, exported):
        return ["node", str(app), str(port), str(exported)]

    assert_equivalent(fronts, export_fastify, FASTIFY_CASES, command, "cors-fastify.js", star_without_origin_too=True)


# rack-cors allows the standard methods only where rules.yaml says "*": a custom method is refused.
RACK_CASES = [case for case in APP_CASES if case[0] != "custom method"]


def test_rack_export_behaves_like_the_addon(fronts):
    ruby = require_tool("ruby")

    def command(port, exported):
        return [ruby, str(APPS / "rack" / "app.rb"), str(port), str(exported)]

    assert_equivalent(fronts, export_rack, RACK_CASES, command, "cors_rack.rb", star_without_origin_too=False)


# rs/cors allows the listed methods only, and lists the standard ones where rules.yaml says "*".
GO_CASES = [case for case in APP_CASES if case[0] != "custom method"]


def test_go_export_behaves_like_the_addon(fronts):
    (fronts["folder"] / "go").mkdir(exist_ok=True)

    def command(port, exported):
        return [go_build(fronts), str(port)]  # the export is already in go/cors_rules.go

    assert_equivalent(fronts, export_go, GO_CASES, command, "go/cors_rules.go", star_without_origin_too=False)
