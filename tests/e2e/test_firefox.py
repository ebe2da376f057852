"""Firefox ESR enforces CORS through a real mitmdump with the addon: its console's reason codes must be the
ones the addon's log line claims for Firefox, in the same order."""

import re

import pytest
from support.browser import PageServer
from support.firefox import Firefox, firefox_path
from support.proxy import Mitmdump
from support.upstream import Upstream

from addon.probe.client import send
from addon.probe.plan import FetchCall
from addon.probe.probe import probe

pytestmark = pytest.mark.browser

RULES = """
rules:
  - name: open
    hosts: ["127.0.0.1:{api}", "localhost:{api}"]
    paths: ["/open/**"]
  - name: session
    hosts: ["127.0.0.1:{api}"]
    paths: ["/session/**"]
    allow_credentials: true
  - name: only-get
    hosts: ["127.0.0.1:{api}"]
    paths: ["/only-get/**"]
    allow_methods: [GET]
"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    firefox_path()
    folder = tmp_path_factory.mktemp("firefox")
    with Upstream() as api, Upstream() as uncovered:
        rules = folder / "rules.yaml"
        rules.write_text(RULES.format(api=api.port))
        page = PageServer()
        # cors_verbose: the line carries Firefox's codes for both credentials modes, to compare with its console.
        with Mitmdump(folder, "--set", f"cors_rules={rules}", "--set", "cors_verbose=true") as proxy:
            firefox = Firefox(proxy.port)
            try:
                firefox.goto(page.origin + "/")
                yield {"firefox": firefox, "proxy": proxy, "api": api, "uncovered": uncovered, "page": page}
            finally:
                firefox.close()
                page.close()


_counter = iter(range(10**6))


def url(setup, path, which="api", host="127.0.0.1"):
    return f"http://{host}:{setup[which].port}{path}{'&' if '?' in path else '?'}n={next(_counter)}"


def codes(console):
    """Firefox's categories carry a version suffix (CORSMissingAllowOrigin2): the codes MDN names."""
    return [re.sub(r"\d+$", "", category) for category, _ in console]


def claimed(proxy, target):
    line = proxy.wait_for(f" {target} from ")
    return line.split("(Firefox: ", 1)[1].split(")", 1)[0].split(", ")


def test_allowed_call(setup):
    result = setup["firefox"].fetch(url(setup, "/open/items"))
    assert result["ok"] and result["status"] == 200, result
    assert result["console"] == []


@pytest.mark.parametrize(
    "path, which, init",
    [
        ("/items", "uncovered", {}),  # no Access-Control-Allow-Origin at all
        ("/configured?h=Access-Control-Allow-Origin:http://a.example,%20https://b.example", "uncovered", {}),
        ("/only-get/items", "api", {"method": "PUT", "body": "x"}),  # a preflight the rule refuses
        ("/configured?pstatus=302&ph=Location:/elsewhere", "uncovered", {"method": "PUT", "body": "x"}),
        (
            "/configured?pstatus=302&ph=Location:/elsewhere&ph=Access-Control-Allow-Origin:PAGE",
            "uncovered",
            {"method": "PUT", "body": "x"},
        ),
    ],
    ids=[
        "missing-allow-origin",
        "two-origins-in-one-header",
        "refused-preflight",
        "redirected-preflight",
        "redirected-preflight-with-allow-origin",
    ],
)
def test_blocked_calls_have_the_reason_codes_the_addon_claims(setup, path, which, init):
    target = url(setup, path.replace("PAGE", setup["page"].origin), which)
    result = setup["firefox"].fetch(target, **init)
    assert not result["ok"], result
    assert codes(result["console"]) == claimed(setup["proxy"], target), result["console"]
    if which == "uncovered":  # `cors-addon probe` asking the server itself finds the same codes
        asked = FetchCall(target, setup["page"].origin, init.get("method", "GET"))
        found = probe(asked, ("omit",), send).blocked("omit")
        assert found is not None and found.firefox.split(", ") == codes(result["console"])


def test_a_same_site_credentialed_call_is_reported_as_blocked_if_credentialed(setup):
    """localhost -> localhost is same site: Firefox sends no Sec-Fetch-Storage-Access and no cookie exists yet,
    so the addon cannot see the credentials mode and says both, with Firefox's code for the blocked side."""
    target = url(setup, "/open/me", host="localhost")
    result = setup["firefox"].fetch(target, credentials="include")
    assert not result["ok"], result
    assert "sec-fetch-storage-access" not in {name.lower() for name in setup["api"].seen[-1][2]}
    line = setup["proxy"].wait_for(f"CORS GET {target} from ")
    assert "if the page sends credentials: 'include', the browser will block: " in line
    claim = line.split("(Firefox: ", 1)[1].split(")", 1)[0].split(", ")
    assert codes(result["console"]) == claim == ["CORSMissingAllowCredentials"]


def test_a_cross_site_call_without_credentials_stays_two_sided_in_firefox(setup):
    """Firefox sends Sec-Fetch-Storage-Access only under its default cookie behaviour
    (tests/e2e/test_storage_access.py), so its absence on a cross-site call proves nothing: both sides."""
    target = url(setup, "/open/me")
    assert setup["firefox"].fetch(target)["ok"]
    assert "sec-fetch-storage-access" not in {name.lower() for name in setup["api"].seen[-1][2]}
    line = setup["proxy"].wait_for(f"CORS GET {target} from ")
    assert "rule 'open' fixed it for calls without credentials; if the page sends credentials: 'include'" in line


def test_a_cross_site_credentialed_call_is_seen_by_its_storage_access_header(setup):
    """Firefox ESR 153 sends Sec-Fetch-Storage-Access: none on a cross-site credentials: 'include' call too
    (localhost -> 127.0.0.1), like Chromium: the verdict is one-sided."""
    target = url(setup, "/open/me")
    result = setup["firefox"].fetch(target, credentials="include")
    assert not result["ok"], result
    assert dict((k.lower(), v) for k, v in setup["api"].seen[-1][2].items())["sec-fetch-storage-access"] == "none"
    line = setup["proxy"].wait_for(f"CORS GET {target} from ")
    assert "; browser will block: " in line and "fixed it" not in line
    assert codes(result["console"]) == claimed(setup["proxy"], target) == ["CORSMissingAllowCredentials"]


def test_firefox_keeps_a_cross_site_session_cookie_without_the_rewrite(setup):
    """Firefox partitions third-party cookies itself: the session cookie comes back on the next call."""
    import json
    from urllib.parse import quote

    cookie = quote("Set-Cookie:ffsession=xyz; Path=/")
    login = setup["firefox"].fetch(url(setup, f"/session/configured?h={cookie}"), credentials="include")
    assert login["ok"], login
    echo = setup["firefox"].fetch(url(setup, "/session/echo"), credentials="include")
    assert echo["ok"], echo
    assert "ffsession=xyz" in json.loads(echo["body"])["headers"].get("cookie", "")
