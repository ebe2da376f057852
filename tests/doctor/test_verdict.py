"""The verdict engine: each failure kind with Chromium's exact text, and WPT's tables."""

import pytest
from support.cases import ORIGIN_CASES, PREFLIGHT_MORE, PREFLIGHT_STAR, origin_headers

from addon.doctor.verdict import Exchange, verdict

URL = "http://127.0.0.1:5000/items"
ORIGIN = "http://localhost:3000"
PREFIX = f"Access to fetch at '{URL}' from origin '{ORIGIN}' has been blocked by CORS policy: "
PREFLIGHT = "Response to preflight request doesn't pass access control check: "
VALID = " Have the server send the header with a valid value."


def actual(headers=(), status=200, credentials=False, method="GET"):
    return Exchange(URL, ORIGIN, method, status, tuple(headers), credentials)


def preflight(headers=(), status=204, method="PUT", requested=(), credentials=False):
    return Exchange(URL, ORIGIN, "OPTIONS", status, tuple(headers), credentials, method, tuple(requested))


ACAO = ("Access-Control-Allow-Origin", ORIGIN)


@pytest.mark.parametrize(
    "exchange, reason, firefox",
    [
        (
            actual(),
            "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
            "CORSMissingAllowOrigin",
        ),
        (
            actual([("Access-Control-Allow-Origin", "*")], credentials=True),
            "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' "
            "when the request's credentials mode is 'include'.",
            "CORSNotSupportingCredentials",
        ),
        (
            actual([("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Origin", "http://x.com")]),
            "The 'Access-Control-Allow-Origin' header contains multiple values '*, http://x.com', but only one is "
            "allowed." + VALID,
            "CORSMultipleAllowOriginNotAllowed",
        ),
        (  # one header holding two origins: Firefox ESR 153 calls it a mismatch
            actual([("Access-Control-Allow-Origin", "http://a.com, https://b.com")]),
            "The 'Access-Control-Allow-Origin' header contains multiple values 'http://a.com, https://b.com', but "
            "only one is allowed." + VALID,
            "CORSAllowOriginNotMatchingOrigin",
        ),
        (
            actual([("Access-Control-Allow-Origin", "http://localhost:9")]),
            "The 'Access-Control-Allow-Origin' header has a value 'http://localhost:9' that is not equal to the "
            "supplied origin." + VALID,
            "CORSAllowOriginNotMatchingOrigin",
        ),
        (
            actual([("Access-Control-Allow-Origin", "nonsense")]),
            "The 'Access-Control-Allow-Origin' header contains the invalid value 'nonsense'." + VALID,
            "CORSAllowOriginNotMatchingOrigin",
        ),
        (
            actual([("Access-Control-Allow-Origin", "http://localhost:3000:3000")]),
            "The 'Access-Control-Allow-Origin' header contains the invalid value 'http://localhost:3000:3000'." + VALID,
            "CORSAllowOriginNotMatchingOrigin",
        ),
        (
            actual([ACAO, ("Access-Control-Allow-Credentials", "TRUE")], credentials=True),
            "The value of the 'Access-Control-Allow-Credentials' header in the response is 'TRUE' which must be "
            "'true' when the request's credentials mode is 'include'.",
            "CORSMissingAllowCredentials",
        ),
        (
            actual([ACAO], credentials=True),
            "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be "
            "'true' when the request's credentials mode is 'include'.",
            "CORSMissingAllowCredentials",
        ),
        (
            actual([("Access-Control-Allow-Origin", "*"), ("Location", "http://u:p@127.0.0.1:1/x")], status=302),
            "Redirect location '' contains a username and password, which is disallowed for cross-origin requests.",
            "CORSExternalRedirectNotAllowed",
        ),
        (
            actual([("Location", "/y")], status=302),
            "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
            "CORSMissingAllowOrigin",
        ),
        (
            preflight(status=405),
            PREFLIGHT + "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
            "CORSMissingAllowOrigin, CORSDidNotSucceed",
        ),
        (
            preflight([ACAO], status=405),
            PREFLIGHT + "It does not have HTTP ok status.",
            "CORSPreflightDidNotSucceed, CORSDidNotSucceed",
        ),
        (
            preflight([ACAO, ("Location", "/x")], status=302),
            PREFLIGHT + "Redirect is not allowed for a preflight request.",
            "CORSExternalRedirectNotAllowed, CORSPreflightDidNotSucceed, CORSDidNotSucceed",
        ),
        (  # Firefox checks the origin of a redirected preflight first (seen in ESR 153, tests/e2e/test_firefox.py)
            preflight([("Location", "/x")], status=302),
            PREFLIGHT + "Redirect is not allowed for a preflight request.",
            "CORSMissingAllowOrigin, CORSDidNotSucceed, CORSDidNotSucceed",
        ),
        (
            preflight([ACAO, ("Access-Control-Allow-Methods", "GET")]),
            "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.",
            "CORSMethodNotFound, CORSDidNotSucceed",
        ),
        (
            preflight([ACAO, ("Access-Control-Allow-Headers", "x-bar")], method="GET", requested=("x-foo", "x-bar")),
            "Request header field x-foo is not allowed by Access-Control-Allow-Headers in preflight response.",
            "CORSMissingAllowHeaderFromPreflight, CORSDidNotSucceed",
        ),
        (
            preflight([("Access-Control-Allow-Origin", "*")], credentials=True),
            PREFLIGHT + "The value of the 'Access-Control-Allow-Origin' header in the response must not be the "
            "wildcard '*' when the request's credentials mode is 'include'.",
            "CORSNotSupportingCredentials, CORSDidNotSucceed",
        ),
        (
            preflight([ACAO], credentials=True),
            PREFLIGHT + "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which "
            "must be 'true' when the request's credentials mode is 'include'.",
            "CORSMissingAllowCredentials, CORSDidNotSucceed",
        ),
        (
            preflight([ACAO, ("Access-Control-Allow-Methods", "PU T")]),
            "Cannot parse Access-Control-Allow-Methods response header field in preflight response.",
            "CORSInvalidAllowMethod, CORSDidNotSucceed",
        ),
        (
            preflight([ACAO, ("Access-Control-Allow-Headers", "x foo")], method="GET", requested=("x-foo",)),
            "Cannot parse Access-Control-Allow-Headers response header field in preflight response.",
            "CORSInvalidAllowHeader, CORSDidNotSucceed",
        ),
    ],
)
def test_each_failure_has_chromiums_exact_text(exchange, reason, firefox):
    result = verdict(exchange)
    assert result.blocked
    assert result.reason == reason
    assert result.chromium == PREFIX + reason
    assert result.firefox == firefox
    assert result.fix


def test_passes():
    assert not verdict(actual([ACAO])).blocked
    assert not verdict(preflight([ACAO, ("Access-Control-Allow-Methods", "PUT")])).blocked


@pytest.mark.parametrize("succeeds, credentials, methods, headers, method, used", PREFLIGHT_STAR + PREFLIGHT_MORE)
def test_wpt_cors_preflight_star(succeeds, credentials, methods, headers, method, used):
    response = [ACAO, ("Access-Control-Allow-Methods", methods), ("Access-Control-Allow-Headers", headers)]
    if credentials:
        response.append(("Access-Control-Allow-Credentials", "true"))
    assert verdict(preflight(response, method=method, requested=used, credentials=credentials)).blocked is not succeeds


@pytest.mark.parametrize("value, passes", ORIGIN_CASES)
def test_wpt_origin_parsing(value, passes):
    assert verdict(actual(origin_headers(value, ORIGIN))).blocked is not passes


def test_star_never_passes_with_credentials():
    headers = [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")]
    assert verdict(actual(headers, credentials=True)).blocked


def test_null_origin_is_matched_by_null():
    exchange = Exchange(URL, "null", "GET", 200, (("Access-Control-Allow-Origin", "null"),))
    assert not verdict(exchange).blocked


def test_authorization_under_star_passes_in_chromium_with_a_note():
    result = verdict(
        preflight([ACAO, ("Access-Control-Allow-Headers", "*")], method="GET", requested=("authorization",))
    )
    assert not result.blocked
    assert any("want it named" in step for step in result.steps)


def test_exposure_lists_what_script_can_read():
    headers = [
        ACAO,
        ("Access-Control-Expose-Headers", "x-total"),
        ("X-Total", "1"),
        ("X-Secret", "2"),
        ("Set-Cookie", "a=1"),
        ("Content-Type", "text/plain"),
    ]
    assert (
        verdict(actual(headers), explain=True).steps[-1]
        == "readable by script: the safelisted headers, x-total; hidden: x-secret, set-cookie"
    )
    star = [ACAO, ("Access-Control-Allow-Credentials", "true"), ("Access-Control-Expose-Headers", "*"), ("X-A", "1")]
    assert verdict(actual(star, credentials=True), explain=True).steps[-1].endswith("hidden: x-a")
