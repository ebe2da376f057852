"""The addon's options, declared as mitmproxy's own addons declare theirs (`loader.add_option`)."""

from __future__ import annotations

from addon.answer.outcome import Mode


def add_options(loader) -> None:
    loader.add_option(
        "cors_rules",
        str,
        "",
        "Path of the CORS rules file; edits apply without restarting. "
        "Empty: ./rules.yaml, else cors-rules.yaml in mitmproxy's confdir, else the built-in example.",
    )
    loader.add_option(
        "cors_mode",
        str,
        Mode.FIX.value,
        "fix: answer preflights and rewrite responses per "
        "the rules; audit: change nothing, explain every cross-origin call; off: do nothing.",
    )
    loader.add_option(
        "cors_verbose",
        bool,
        False,
        "Log each decision with every verdict in full (both credentials modes, the server's own), as the "
        "flow's comment has it. mitmproxy's verbosity decides which decisions show (debug: untouched ones too).",
    )
    loader.add_option(
        "cors_reverse_targets",
        bool,
        True,
        "Cover each reverse-mode target that no rule names "
        "with the default policy (local development origins, no credentials).",
    )
