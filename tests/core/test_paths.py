import pytest

from addon.core.paths import compile_path, example_path, normalize_path


@pytest.mark.parametrize(
    "glob, path, expected",
    [
        ("/v1/**", "/v1/a/b", True),
        ("/v1/**", "/v1", True),
        ("/v1/**", "/v10/a", False),
        ("/v1/*", "/v1/a", True),
        ("/v1/*", "/v1/a/b", False),
        ("/v1/*/items", "/v1/7/items", True),
        ("/a.b", "/aXb", False),
        ("/**/x", "/a/b/x", True),
    ],
)
def test_path_globs(glob, path, expected):
    assert bool(compile_path(glob).match(path)) is expected


def test_path_must_start_with_slash():
    with pytest.raises(ValueError, match="must start with '/', write '/v1'"):
        compile_path("v1")


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/public/a/..%2F..%2Fprivate/stuff", "/private/stuff"),  # rack-cors' path traversal case
        ("/public/a/../b?x=/public/../..", "/public/b"),
        ("/public/%2e%2e/private", "/private"),
        ("/v1/./items", "/v1/items"),
        ("/..", "/"),
        ("/a/b/..", "/a/"),
        ("/caf%C3%A9", "/café"),
        ("/plain/path", "/plain/path"),
        ("/bad/%FF", None),  # not UTF-8: matches no rule's paths
    ],
)
def test_paths_are_resolved_as_servers_resolve_them(path, expected):
    assert normalize_path(path) == expected


@pytest.mark.parametrize(
    "glob, example",
    [
        ("/v1/**", "/v1/verify"),
        ("/**", "/verify"),
        ("/a/*/b", "/a/verify/b"),
        ("/x.y/**/z", "/x.y/verify/z"),
        ("/files/*.json", "/files/verify.json"),
        ("/", "/"),
    ],
)
def test_an_example_path_is_one_its_glob_matches(glob, example):
    pattern = compile_path(glob)
    assert example_path(pattern) == example
    assert pattern.match(example)
