"""Case tables shared by a unit suite and a browser suite (a test module never imports another)."""

# web-platform-tests fetch/api/cors/cors-preflight-star.any.js, its ten cases:
# (succeeds, credentials, Allow-Methods, Allow-Headers, method used, headers used)
PREFLIGHT_STAR = [
    (True, False, "get", "x-test", "GET", ["x-test"]),
    (True, False, "*", "x-test", "SUPER", ["x-test"]),
    (True, False, "*", "*", "OK", ["x-test"]),
    (False, True, "*", "*", "OK", ["x-test"]),
    (False, True, "*", "", "PUT", []),
    (True, True, "PUT", "*", "PUT", []),
    (False, True, "get", "*", "GET", ["x-test"]),
    (False, True, "*", "*", "GET", ["x-test"]),
    (True, True, "*", "*", "*", ["*"]),
    (False, True, "put", "*", "PUT", []),
]
# More of the same kind: lowercase custom methods are sent as written.
PREFLIGHT_MORE = [
    (True, True, "get", "x-test", "GET", ["x-test"]),
    (True, False, "patch", "", "patch", []),
    (False, False, "patch", "", "PATCH", []),
]


# web-platform-tests cors/origin.htm: Access-Control-Allow-Origin values ({o}: the page's origin,
# {h}: its host:port), each one header unless a tuple (two headers), and whether it passes.
ORIGIN_CASES = [
    ("*", True),
    (" *  ", True),
    ("\t*", True),
    ("{o}", True),
    (" {o}", True),
    (" {o}   \t ", True),
    ("\t{o}", True),
    ("http://sub.{h}", False),
    ("//{h}", False),
    ("://{h}", False),
    ("ftp://{h}", False),
    ("http:://{h}", False),
    ("http:/{h}", False),
    ("http:{h}", False),
    ("{h}", False),
    ("{o}?", False),
    ("{o}/", False),
    ("{o} /", False),
    ("{o}#", False),
    ("{o}%23", False),
    ("{o}:80", False),
    ("{o}, *", False),
    ("{o}\0", False),
    ("{O}", False),
    ("HTTP://{h}", False),
    ("-", False),
    ("**", False),
    ("\0*", False),
    ("*\0", False),
    ("'*'", False),
    ('"*"', False),
    ("* *", False),
    ("* null", False),
    ("*http://*", False),
    ("*{o}", False),
    ("* {o}", False),
    ("*, {o}", False),
    ("\0{o}", False),
    ("null {o}", False),
    ("http://example.net", False),
    ("null", False),
    ("null *", False),
    ("", False),
    ("{o}/page.html", False),
    ("*.{h}", False),
    ("http://*.{h}", False),
    (("", "*"), False),
    (("*", ""), False),
    (("*", "*"), False),
    (("", "{o}"), False),
    (("*", "{o}"), False),
    (("{o}", "{o}"), False),
]


def origin_headers(value, origin):
    host = origin.split("://", 1)[1]
    values = value if isinstance(value, tuple) else (value,)
    return [("Access-Control-Allow-Origin", v.format(o=origin, O=origin.upper(), h=host)) for v in values]


# A rules.yaml whose aliases expand to 9**9 values ("billion laughs").
BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
rules:
  - hosts: [a.com]
    allow_origins: *i
"""
