"""One decision, one line: the log form of an Outcome (respond -> Outcome.line), and its long form."""

import pytest

from addon.answer.outcome import Mode
from addon.answer.respond import respond
from addon.config.load import parse_rules
from addon.core.policy import decide
from addon.core.request import CorsRequest

RULES = parse_rules(
    "rules:\n"
    "  - name: api\n    hosts: [api.example.com]\n    allow_origins: [http://localhost:3000]\n"
    "  - name: session\n    hosts: [session.example.com]\n    allow_origins: [http://localhost:3000]\n"
    "    allow_credentials: true\n"
)
ORIGIN = "http://localhost:3000"
CHECK = "\u2705"


def outcome(host, status, headers=(), mode=Mode.FIX, cookie=False, origin=ORIGIN, preflight=False):
    asked = {"request_method": "PUT"} if preflight else {}
    request = CorsRequest(
        "OPTIONS" if preflight else "GET",
        "https",
        host,
        443,
        "/items",
        (origin,),
        (f"https://{host}",),
        carries_credentials=cookie,
        **asked,
    )
    decision = decide(request, RULES)
    return respond(decision, None if preflight and mode is Mode.FIX and host != "elsewhere" else status, headers, mode)


def test_an_allowed_call_is_one_short_line_with_its_mark():
    line = outcome("session.example.com", 200, cookie=True).line
    assert line == (
        f"CORS GET https://session.example.com/items from {ORIGIN}: {CHECK} allowed by rule 'session' (200)"
    )


@pytest.mark.parametrize(
    ("host", "said"),
    [
        ("session.example.com", f"{CHECK} answered 204 by rule 'session' (methods PUT)"),
        # without credentials in the rule: 🔶, and the clause is left to the call's own line
        ("api.example.com", "\U0001f536 answered 204 by rule 'api' (methods PUT)"),
    ],
)
def test_an_answered_preflight_is_one_short_line(host, said):
    assert outcome(host, 0, preflight=True).line == f"CORS preflight PUT https://{host}/items from {ORIGIN}: {said}"


def test_the_other_credentials_mode_is_a_clause_with_its_fix_not_a_second_sentence():
    fixed = outcome("api.example.com", 200)
    assert fixed.line == (
        f"CORS GET https://api.example.com/items from {ORIGIN}: \U0001f536 allowed by rule 'api' (200); "
        "with credentials: needs allow_credentials: true"
    )
    assert "Access to fetch at" not in fixed.line and "Access to fetch at" in fixed.comment
    assert "Access to fetch at" in fixed.long_line


def test_a_blocked_call_carries_chromiums_sentence_and_firefoxs_code():
    line = outcome("elsewhere.example", 200).line
    assert line.startswith(f"CORS GET https://elsewhere.example/items from {ORIGIN}: \u26a0\ufe0f untouched: ")
    assert (
        "; browser will block: Access to fetch at 'https://elsewhere.example/items' from origin "
        f"'{ORIGIN}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the "
        "requested resource. (Firefox: CORSMissingAllowOrigin)"
    ) in line


def test_a_refused_origin_is_marked_and_says_what_the_browser_will_do():
    line = outcome("api.example.com", 200, origin="http://evil.example").line
    assert "\u26d4 refused by rule 'api': origin http://evil.example is not in allow_origins" in line
    assert "browser will block: Access to fetch at" in line


@pytest.mark.parametrize("mode", [Mode.FIX, Mode.AUDIT])
def test_the_long_form_says_more(mode):
    """The long form (cors_verbose) says at least as much: the server alone's verdict as well."""
    each = outcome("api.example.com", 200, mode=mode)
    assert "server alone: blocked" in each.long_line and "server alone" not in each.line
    assert len(each.line) < len(each.long_line)


def test_a_long_list_of_requested_headers_is_cut_short_on_the_line_only():
    names = ", ".join(f"x-h{n}" for n in range(40))
    request = CorsRequest(
        "OPTIONS", "https", "session.example.com", 443, "/items", (ORIGIN,), (), request_method="PUT",
        request_headers=names,
    )  # fmt: skip
    answered = respond(decide(request, RULES), None)
    assert answered.line.endswith("(methods PUT; headers x-h0, x-h1, x-h2, x-h3, ... (40 in all))")
    assert len(answered.line) < 200 and names in answered.comment


def test_a_long_url_is_cut_on_the_line_and_a_dropped_cookie_named_with_its_reason():
    path = "/items?" + "&".join(f"q{n}=value" for n in range(30))
    request = CorsRequest("GET", "https", "session.example.com", 443, path, (ORIGIN,), (), carries_credentials=True)
    answer = respond(decide(request, RULES), 200, [("Set-Cookie", "sid=1; Path=/")])
    head, said = answer.line.split(f" from {ORIGIN}: ")
    assert head == f"CORS GET {request.url[:99]}\u2026" and request.url in answer.long_line
    assert said.startswith(f"{CHECK} allowed by rule 'session' (200); the browser drops cookie sid (")
    assert said.endswith("): set rewrite_cookies: true")


def test_the_suites_line_check_flags_only_passing_lines_over_the_limit():
    from support.proxy import MAX_PASSING_LINE, too_long_passing_lines

    head = "[12:00:00.000] CORS GET http://127.0.0.1:5000/x from http://localhost:3000: "
    fits = head + "\u2705 allowed by rule 'api' (200)"
    long_pass = head + "\U0001f536 allowed " + "x" * MAX_PASSING_LINE
    long_block = head + "\u26d4 refused " + "x" * MAX_PASSING_LINE  # a blocked call carries the whole sentence
    assert too_long_passing_lines([fits, long_pass, long_block]) == [long_pass[len("[12:00:00.000] ") :]]
