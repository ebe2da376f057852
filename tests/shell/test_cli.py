"""The cors-addon command (addon/__main__.py), in-process: script, init, check, export."""

from pathlib import Path

import pytest
from support.proxy import ROOT

from addon import __main__ as cli


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_script_prints_the_path_of_the_s_script(capsys):
    code, out, _ = run(capsys, "script")
    assert code == 0 and out.strip().endswith("addon/script.py")
    assert "addons = [CorsAddon()]" in open(out.strip()).read()


def test_init_writes_the_example_and_never_overwrites(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "init")
    assert code == 0 and "wrote" in out
    written = (tmp_path / "rules.yaml").read_text()
    assert written == (ROOT / "addon" / "rules.example.yaml").read_text()
    (tmp_path / "rules.yaml").write_text("mine\n")
    code, _, err = run(capsys, "init")
    assert code == 1 and "never overwrites" in err
    assert (tmp_path / "rules.yaml").read_text() == "mine\n"


def test_the_shipped_example_is_the_checkouts_rules_yaml():
    assert (ROOT / "addon" / "rules.example.yaml").read_text() == (ROOT / "rules.yaml").read_text()


@pytest.mark.parametrize(
    "text, code, expected_out, expected_err",
    [
        ("rules:\n  - hosts: a.com\n", 0, "1 rule, 0 warning(s)", ""),
        (
            "rules:\n  - hosts: a.com\n    max_age: 86400\n",
            0,
            "1 rule, 1 warning(s)",
            ":3: rule 1, field 'max_age': 86400 is above Chromium's cap",
        ),
        ("rules:\n  - hosts: a.com\n    allow_origin: [x]\n  - hosts: [b.com\n", 1, "", ":5: YAML syntax error"),
        (
            "rules:\n  - hosts: a.com\n    allow_origin: [x]\n  - hosts: 5\n",
            1,
            "",
            ":3: rule 1, field 'allow_origin': unknown field; did you mean allow_origins?",
        ),
    ],
)
def test_check(capsys, tmp_path, text, code, expected_out, expected_err):
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    result, out, err = run(capsys, "check", str(path))
    assert result == code
    assert expected_out in out and expected_err in err and f"{path}:" in out + err


def test_check_reports_every_problem(capsys, tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - hosts: a.com\n    allow_origin: [x]\n  - hosts: 5\n")
    _, _, err = run(capsys, "check", str(path))
    assert err.count(f"{path}:") == 2


def test_export_still_works(capsys):
    code, out, _ = run(capsys, "export", "django", str(ROOT / "rules.yaml"))
    assert code == 0 and "CORS_ALLOWED_ORIGIN_REGEXES" in out


def test_the_built_in_example_rules_are_where_the_addon_and_the_cli_look():
    from addon.__main__ import EXAMPLE_RULES as cli_example
    from addon.mitm.rulesfile import EXAMPLE_RULES

    assert Path(EXAMPLE_RULES).is_file() and Path(EXAMPLE_RULES) == cli_example
