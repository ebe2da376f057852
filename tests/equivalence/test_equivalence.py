"""From workaround to fix, proven in a browser: the exported Starlette CORSMiddleware arguments,
Express cors() options and django-cors-headers settings give every browser case the outcome the
addon gives (the servers in front of the API: tests/equivalence/test_equivalence_servers.py).

The fronts and cases are in tests/support/equivalence.py.
"""

import pytest
from support.equivalence import (
    DJANGO_CASES,
    DJANGO_RULES,
    EXPRESS_CASES,
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
from support.proxy import APPS
from support.tools import require_tool

from addon.export import export_django, export_express, export_starlette

pytestmark = pytest.mark.browser


def test_starlette_export_behaves_like_the_addon(fronts):
    rules_text = STARLETTE_RULES.format(api=fronts["api"].port)
    with_addon = addon_outcomes(fronts, rules_text, STARLETTE_CASES, "starlette-rules")

    def run(text, cases):
        return exported_outcomes(
            fronts,
            export_starlette,
            text,
            cases,
            lambda port, _: uvicorn("starlette_app:app", port),
            "cors_args.py",
            "CORS_ARGS_FILE",
        )

    assert with_addon["credentials"][0] == "ok"
    assert differences(with_addon, run(rules_text, STARLETTE_CASES)) == {}
    assert_mutation_caught(with_addon, run, rules_text, STARLETTE_CASES)


def test_express_export_behaves_like_the_addon(fronts):
    require_tool("node")
    modules = APPS / "express" / "node_modules"
    if not (modules / "express").exists():
        pytest.fail("tests/express/node_modules is missing: make test runs npm ci there")
    rules_text = NGINX_RULES.format(api=fronts["api"].port)
    with_addon = addon_outcomes(fronts, rules_text, EXPRESS_CASES, "express-rules")

    def run(text, cases):
        return exported_outcomes(
            fronts,
            export_express,
            text,
            cases,
            lambda port, exported: ["node", str(APPS / "express" / "app.js"), str(port), str(exported)],
            "cors-rules.js",
        )

    assert with_addon["credentials allowed"][0] == "ok" and with_addon["unlisted header"] == ("blocked",)
    assert differences(with_addon, run(rules_text, EXPRESS_CASES)) == {}
    assert_mutation_caught(with_addon, run, rules_text, EXPRESS_CASES)
    command = lambda port, exported: ["node", str(APPS / "express" / "app.js"), str(port), str(exported)]  # noqa: E731
    star = star_without_origin(fronts, export_express, rules_text, command, "cors-rules.js")
    assert star == STAR_WITHOUT_ORIGIN  # the cors package sends a static '*' origin on every response


def test_django_export_behaves_like_the_addon(fronts):
    rules_text = DJANGO_RULES.format(api=fronts["api"].port)
    with_addon = addon_outcomes(fronts, rules_text, DJANGO_CASES, "django-rules")

    def run(text, cases):
        return exported_outcomes(
            fronts,
            export_django,
            text,
            cases,
            lambda port, _: uvicorn("django_app:app", port),
            "cors_settings.py",
            "CORS_SETTINGS_FILE",
        )

    assert with_addon["credentials"][0] == "ok" and with_addon["unlisted header"] == ("blocked",)
    assert with_addon["PATCH, not listed"] == ("blocked",)
    assert differences(with_addon, run(rules_text, DJANGO_CASES)) == {}
    assert_mutation_caught(with_addon, run, rules_text, DJANGO_CASES)
