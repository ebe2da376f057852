import gc
import subprocess
import sys
import textwrap

import pytest
from support.cases import BILLION_LAUGHS

from addon.config import yamlsource
from addon.config.load import RulesError, load_rules, parse_rules
from addon.core.patterns import LOCAL_DEVELOPMENT_ORIGINS


def parse(text, **kwargs):
    return parse_rules(textwrap.dedent(text), "rules.yaml", **kwargs)


def problems(text, **kwargs):
    with pytest.raises(RulesError) as e:
        parse(text, **kwargs)
    return e.value.problems


def test_defaults():
    rule = parse("""
        rules:
          - hosts: api.example.com
    """).rules[0]
    assert rule.name == "rule 1"
    assert rule.paths is None
    assert rule.allow_origins == LOCAL_DEVELOPMENT_ORIGINS
    assert rule.allow_credentials is False
    assert rule.allow_methods is None and rule.allow_headers is None and rule.expose_headers is None
    assert rule.max_age == 5
    assert rule.preflight == "answer"
    assert rule.allow_private_network is False


def test_full_rule():
    rule = parse("""
        rules:
          - name: github
            hosts: [api.github.com, "*.example.com", "127.0.0.1:8000"]
            paths: ["/v1/**"]
            allow_origins: [http://localhost:3000]
            allow_credentials: true
            allow_methods: [get, PUT]
            allow_headers: [Authorization, X-Token]
            expose_headers: [X-Total, Set-Cookie]
            max_age: 600
            preflight: forward
            allow_private_network: true
    """).rules[0]
    assert rule.name == "github"
    assert [h.host for h in rule.hosts] == ["api.github.com", "example.com", "127.0.0.1"]
    assert rule.allow_methods == {"GET", "PUT"}
    assert rule.allow_methods_value == "GET, PUT"
    assert rule.allow_headers == ("authorization", "x-token")
    assert rule.exposed_header_names == ("x-total",)
    assert (rule.max_age, rule.preflight, rule.allow_private_network) == (600, "forward", True)


def test_unknown_key_suggests_the_right_one():
    assert problems("""
        rules:
          - name: api
            hosts: [api.example.com]
            allow_origin: [http://localhost:3000]
    """) == ["rules.yaml:5: rule 'api', field 'allow_origin': unknown field; did you mean allow_origins?"]


def test_every_problem_is_reported_with_line_rule_and_field():
    found = problems("""
        rules:
          - name: one
            hosts: [https://api.example.com]
            allow_origins: [http://localhost:3000/]
            max_age: -1
          - hosts: [b.example.com]
            allow_credentials: "yes"
            allow_methods: 5
            preflight: ask
    """)
    assert found == [
        "rules.yaml:4: rule 'one', field 'hosts': 'https://api.example.com' has a scheme; "
        "hosts name only host[:port], write 'api.example.com'",
        "rules.yaml:5: rule 'one', field 'allow_origins': 'http://localhost:3000/' has a trailing "
        "slash; an origin has none, write 'http://localhost:3000'",
        "rules.yaml:6: rule 'one', field 'max_age': must be a whole number of seconds, 0 or more, got -1",
        "rules.yaml:8: rule 2, field 'allow_credentials': must be true or false, got 'yes'",
        "rules.yaml:9: rule 2, field 'allow_methods': must be '*' or a list of strings, got a number",
        "rules.yaml:10: rule 2, field 'preflight': must be 'answer' or 'forward', got 'ask'",
    ]


def test_origin_with_path():
    [message] = problems("""
        rules:
          - hosts: a.com
            allow_origins: [http://localhost:3000/app]
    """)
    assert message.startswith("rules.yaml:4: rule 1, field 'allow_origins': 'http://localhost:3000/app' has a path")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("rules:\n  - hosts: [a.com\n", "rules.yaml:3: YAML syntax error"),
        ("rules:\n  - hosts: a.com\n    hosts: b.com\n", "rules.yaml:3: key 'hosts' given twice (first on line 2)"),
        ("- hosts: a.com\n", "rules.yaml:1: expected a mapping with a 'rules:' list"),
        ("", "rules.yaml:1: expected a mapping with a 'rules:' list"),
        ("rules: 5\n", "rules.yaml:1: field 'rules': must be a list of rules, got a number"),
        ("rules:\n  - a.com\n", "rules.yaml:2: rule 1: must be a mapping of fields, got a string"),
        ("rules:\n  - paths: [/x]\n", "rules.yaml:2: rule 1, field 'hosts': missing"),
        ("rules:\n  - hosts: []\n", "rules.yaml:2: rule 1, field 'hosts': is empty"),
        ("rule:\n  - hosts: a.com\n", "rules.yaml:1: expected a mapping with a 'rules:' list"),
        ("rules: []\nrulez: 1\n", "rules.yaml:2: field 'rulez': unknown top-level key; did you mean rules?"),
        ("rules:\n  - hosts: a.com\n    allow_origins: ['*', http://a.com]\n", "'*' must stand alone"),
        ("rules:\n  - hosts: a.com\n    allow_headers: ['x y']\n", "'x y' is not a valid header name"),
        (
            "rules:\n  - hosts: a.com\n    expose_headers: [true]\n",
            "rules.yaml:3: rule 1, field 'expose_headers': must be '*' or a list of strings; true is a boolean, "
            'quote it: "true"',
        ),
        ("rules:\n  - hosts: a.com\n    max_age: true\n", "must be a whole number of seconds"),
        (
            "rules:\n  - hosts: a.com\n    paths: [v1]\n",
            "rules.yaml:3: rule 1, field 'paths': 'v1' must start with '/'",
        ),
        ("rules:\n  - hosts: a.com\n    name: ''\n", "rules.yaml:3: rule 1, field 'name': must be a non-empty string"),
    ],
)
def test_file_level_problems(text, expected):
    found = problems(text)
    assert any(expected in message for message in found), found


def test_invalid_filter_expression_is_reported():
    def compile_filter(expression):
        raise ValueError(f"Invalid filter expression: {expression!r}")

    [message] = problems(
        """
        rules:
          - hosts: a.com
            filter: "~m GET &"
    """,
        compile_filter=compile_filter,
    )
    assert message.startswith("rules.yaml:4: rule 1, field 'filter': Invalid filter expression: '~m GET &'")


def test_warnings_do_not_stop_loading():
    result = parse("""
        rules:
          - name: open
            hosts: a.com
            allow_origins: "*"
            allow_credentials: true
            expose_headers: [Set-Cookie]
            max_age: 86400
    """)
    assert len(result.rules) == 1
    assert [w.split(":", 2)[1] for w in result.warnings] == ["8", "5", "7"]
    assert "above Chromium's cap of 7200" in result.warnings[0]
    assert "any site the browser visits can then read this API as the user" in result.warnings[1]
    assert "Set-Cookie is never readable" in result.warnings[2]
    assert result.rules[0].exposed_header_names == ()


def test_load_rules_names_a_missing_file(tmp_path):
    with pytest.raises(RulesError, match="file not found"):
        load_rules(str(tmp_path / "nope.yaml"))


def test_load_rules_reports_undecodable_file(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_bytes(b"rules:\n  - hosts: \xff\xfe\n")
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(str(path))


def test_ruamel_backend_gives_the_same_rules_and_lines():
    text = "rules:\n  - name: api\n    hosts: [a.com]\n    allow_origin: x\n"
    with pytest.raises(RulesError) as with_pyyaml:
        parse_rules(text)
    original = yamlsource._backend
    yamlsource._backend = yamlsource._ruamel_backend
    try:
        with pytest.raises(RulesError) as with_ruamel:
            parse_rules(text)
        assert parse_rules("rules:\n  - hosts: a.com\n    max_age: 9\n").rules[0].max_age == 9
    finally:
        yamlsource._backend = original
    assert with_ruamel.value.problems == with_pyyaml.value.problems


def test_loaded_rules_are_the_parsed_rules(tmp_path):
    """load_rules hands out a compact copy of the parsed rules (see load_rules); the same rules."""
    text = (
        "rules:\n  - name: api\n    hosts: [api.example.com, '*.example.org:8443']\n"
        "    paths: ['/v1/*']\n    allow_origins: ['http://localhost:3000']\n"
        "    allow_credentials: true\n    allow_headers: [X-Token]\n    max_age: 60\n"
        "  - name: other\n    hosts: [other.example.com]\n    preflight: forward\n"
    )
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    loaded = load_rules(str(path))
    assert loaded == parse_rules(text, str(path))
    assert loaded.index.lookup("api.example.com", 443, "/v1/items").name == "api"


def test_load_rules_keeps_the_compiled_filter(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - hosts: a.com\n    filter: '~m POST'\n")
    compiled = []

    def compile_plain(expression):
        compiled.append(("filter", expression))
        return compiled[-1]

    assert load_rules(str(path), compile_plain).rules[0].filter is compiled[0]


@pytest.mark.parametrize("backend", ["pyyaml", "ruamel"])
def test_loading_leaves_nothing_for_the_cyclic_collector(monkeypatch, backend):
    """A load must not leave the parsed text to the collector: for 10,000 rules that was ~180,000
    objects (21 MB) kept until the next full collection."""
    if backend == "ruamel":
        monkeypatch.setattr(yamlsource, "_backend", yamlsource._ruamel_backend)

    def garbage_after_loading(count):
        text = "rules:\n" + "".join(f"  - name: r{i}\n    hosts: [h{i}.example.com]\n" for i in range(count))
        gc.collect()
        gc.disable()
        try:
            assert len(parse_rules(text).rules) == count
            return gc.collect()
        finally:
            gc.enable()

    # The loaders' own objects are left to the collector, but nothing per rule (it was ~18 each).
    assert garbage_after_loading(300) - garbage_after_loading(10) < 50


def test_works_without_pyyaml():
    """mitmproxy's standalone binaries ship ruamel.yaml but not PyYAML."""
    code = textwrap.dedent("""
        import sys
        sys.modules['yaml'] = None
        from addon.config.load import parse_rules
        print(parse_rules('rules:\\n  - hosts: a.com\\n').rules[0].hosts[0].host)
    """)
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=str(__import__("pathlib").Path(__file__).parents[2]),
    )
    assert out.stdout.strip() == "a.com", out.stderr


def test_the_shipped_rules_file_loads_cleanly():
    from pathlib import Path

    result = load_rules(str(Path(__file__).parents[2] / "rules.yaml"))
    assert result.rules and not result.warnings


def test_origin_regexes_are_compiled_and_checked_at_load():
    result = parse(r"""
        rules:
          - hosts: api.example.com
            allow_origin_regex: ['https://([a-z0-9-]+\.)*example\.com', 'https://.*']
    """)
    rule = result.rules[0]
    assert rule.allow_origins == ()  # the regexes alone say which origins are allowed
    assert [p.pattern for p in rule.allow_origin_regex] == [r"https://([a-z0-9-]+\.)*example\.com", "https://.*"]
    assert result.warnings == ()


@pytest.mark.parametrize(
    "regex, warning",
    [
        (r"https://api.example\.com", "an unescaped '.' matches any character ('https://apixexample\\\\.com'"),
        (r"https://example\.com.*", "also matches 'https://example.com.evil.example', a site that is not example.com"),
        (r"https://.*example\.com", "also matches 'https://evil-example.com'"),
    ],
)
def test_origin_regex_mistakes_are_warned_about(regex, warning):
    result = parse(f"rules:\n  - hosts: a.com\n    allow_origin_regex: ['{regex}']\n")
    assert len(result.warnings) == 1 and warning in result.warnings[0], result.warnings
    assert result.warnings[0].startswith("rules.yaml:3: rule 1, field 'allow_origin_regex': ")


def test_a_broken_origin_regex_is_an_error():
    assert problems("rules:\n  - hosts: a.com\n    allow_origin_regex: 'https://(a'\n") == [
        "rules.yaml:3: rule 1, field 'allow_origin_regex': 'https://(a' is not a regular expression: missing ), "
        "unterminated subpattern at position 8"
    ]


def test_preflight_status():
    assert parse("rules:\n  - hosts: a.com\n    preflight_status: 200\n").rules[0].preflight_status == 200
    assert parse("rules:\n  - hosts: a.com\n").rules[0].preflight_status == 204
    assert problems("rules:\n  - hosts: a.com\n    preflight_status: 201\n") == [
        "rules.yaml:3: rule 1, field 'preflight_status': must be 204 or 200 (for old clients that choke on 204), "
        "got 201"
    ]


def test_websocket_origin():
    assert parse("rules:\n  - hosts: a.com\n").rules[0].websocket_origin == "keep"
    assert parse("rules:\n  - hosts: a.com\n    websocket_origin: rewrite\n").rules[0].websocket_origin == "rewrite"
    assert problems("rules:\n  - hosts: a.com\n    websocket_origin: yes\n") == [
        "rules.yaml:3: rule 1, field 'websocket_origin': must be 'keep' or 'rewrite', got true"
    ]
    star = parse("rules:\n  - hosts: a.com\n    allow_origins: '*'\n    websocket_origin: rewrite\n")
    assert star.warnings == (
        "rules.yaml:4: rule 1, field 'websocket_origin': rewrite with allow_origins '*' hands every site's "
        "WebSocket to the server as its own: the server's origin check (its cross-site WebSocket hijacking "
        "protection) is off for any page; list the origins",
    )


def test_methods_keep_their_case_except_the_standard_ones():
    result = parse("rules:\n  - hosts: a.com\n    allow_methods: [get, bar, method1, patch]\n")
    assert result.rules[0].allow_methods == {"GET", "bar", "method1", "patch"}
    assert result.rules[0].allow_methods_value == "GET, bar, method1, patch"
    assert len(result.warnings) == 1 and "'patch' is compared byte for byte" in result.warnings[0]


@pytest.mark.parametrize("backend", ["pyyaml", "ruamel"])
def test_a_billion_laughs_file_is_refused(monkeypatch, backend):
    if backend == "ruamel":
        monkeypatch.setattr(yamlsource, "_backend", yamlsource._ruamel_backend)
    found = problems(BILLION_LAUGHS)
    assert len(found) == 1 and "aliases expand to more than 500,000 values" in found[0], found
    assert found[0].startswith("rules.yaml:")


def test_nesting_beyond_the_schema_is_refused():
    deep = "rules: " + "[" * 30 + "]" * 30 + "\n"
    assert problems(deep) == [
        "rules.yaml:1: nested more than 20 levels deep (or an alias that contains itself); rules.yaml needs 4"
    ]


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("rules: []\n" + "#" * (9 * 1024 * 1024))
    with pytest.raises(RulesError) as e:
        load_rules(str(path))
    assert e.value.problems == [f"{path}:1: the file is larger than 8,388,608 bytes, the most a rules file may be"]
