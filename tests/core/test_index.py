from addon.config.load import parse_rules


def index_of(*host_lists):
    text = "rules:\n" + "".join(f"  - name: r{i}\n    hosts: {hosts}\n" for i, hosts in enumerate(host_lists))
    return parse_rules(text).index


def lookup(index, host, port=443, path="/"):
    rule = index.lookup(host, port, path)
    return rule.name if rule else None


def test_file_order_decides_between_exact_and_wildcard():
    index = index_of('["*.example.com"]', "[api.example.com]")
    assert lookup(index, "api.example.com") == "r0"
    index = index_of("[api.example.com]", '["*.example.com"]')
    assert lookup(index, "api.example.com") == "r0"
    assert lookup(index, "www.example.com") == "r1"


def test_ports_are_checked_after_the_host_probe():
    index = index_of('["api.example.com:8443"]', "[api.example.com]")
    assert lookup(index, "api.example.com", 8443) == "r0"
    assert lookup(index, "api.example.com", 443) == "r1"


def test_no_partial_matches():
    index = index_of("[example.com]", '["*.example.net"]')
    assert lookup(index, "evil-example.com") is None
    assert lookup(index, "example.com.evil.net") is None
    assert lookup(index, "example.net") is None
    assert lookup(index, "a.example.net") == "r1"


def test_host_case_is_ignored():
    assert lookup(index_of("[api.example.com]"), "API.Example.com") == "r0"


def test_many_rules_last_one_matches():
    hosts = [f"[h{i}.example.com]" for i in range(2000)]
    index = index_of(*hosts)
    assert lookup(index, "h1999.example.com") == "r1999"
    assert lookup(index, "h2000.example.com") is None
    assert len(index.candidates("h5.example.com")) == 1
