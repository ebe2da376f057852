"""Which export fits the server that answered, from its own response headers."""

import pytest

from addon.doctor.stack import SIGNS, fitting_exports, permanent_fix
from addon.export import EXPORTERS


@pytest.mark.parametrize(
    "headers, targets",
    [
        ([("Server", "nginx/1.22.1")], ("nginx",)),
        ([("server", "Caddy")], ("caddy",)),
        ([("Server", "Apache/2.4.71 (Debian)")], ("apache",)),
        ([("X-Powered-By", "Express")], ("express",)),
        ([("Server", "Werkzeug/3.1.3 Python/3.11.7")], ("flask",)),
        ([("Server", "uvicorn")], ("fastapi", "starlette")),
        ([("Server", "WEBrick/1.8.1 (Ruby/3.1.2/2022-04-12)")], ("rack",)),
        ([("X-Runtime", "0.004")], ("rack",)),
        ([("Server", "nginx"), ("X-Powered-By", "Express")], ("express",)),  # the app behind the proxy
    ],
)
def test_the_stack_is_read_from_server_and_x_powered_by(headers, targets):
    assert fitting_exports(headers)[0] == targets


def test_nothing_is_claimed_without_a_sign():
    assert fitting_exports([("Server", "NoCorsAPI/1"), ("Content-Type", "application/json")]) is None
    assert permanent_fix([]) is None


def test_the_hint_names_the_command_and_its_evidence():
    assert permanent_fix([("Server", "Caddy")], "api.yaml") == (
        "the permanent fix, on the server: `cors-addon export caddy api.yaml` (the response says Server: Caddy)"
    )


def test_every_named_export_exists():
    assert {target for _, _, targets in SIGNS for target in targets} <= set(EXPORTERS)
