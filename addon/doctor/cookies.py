"""Cookies on credentialed cross-site calls: which Set-Cookie the browser drops, and why (pure).

The reasons are Chromium's (CDP's blocked-cookie reasons, seen in Chromium 156): with third-party
cookies blocked, as by default, every unpartitioned cookie of a cross-site response is dropped
(UserPreferences); with them allowed, SameSite decides. The one cookie kept cross-site in both
settings is host-only with `SameSite=None; Secure; Partitioned`, which `rewrite_cookies` writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from addon.core.request import CorsRequest

FIX = "rewrite_cookies: true on the rule, or have the server send it host-only with SameSite=None; Secure; Partitioned"
INSECURE_FIX = "have the server add Secure (browsers accept it over http://localhost and http://127.0.0.1)"
SHORT_FIX = {FIX: "set rewrite_cookies: true", INSECURE_FIX: "have the server add Secure"}  # for the one-line log
SAME_SITE_REASONS = {
    None: ("SchemefulSameSiteUnspecifiedTreatedAsLax", "no SameSite: treated as Lax"),
    "lax": ("SchemefulSameSiteLax", "SameSite=Lax"),
    "strict": ("SchemefulSameSiteStrict", "SameSite=Strict"),
}


@dataclass(frozen=True)
class Cookie:
    name: str
    value: str
    attributes: tuple[tuple[str, str | None], ...]  # (lowercase name, value) in their order

    def get(self, name: str) -> str | None:
        return next((value or "" for key, value in self.attributes if key == name), None)

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.attributes)


@dataclass(frozen=True)
class Dropped:
    """A Set-Cookie the browser drops: Chromium's reason, and the reason if third-party cookies were allowed."""

    name: str
    reason: str  # Chromium's blocked-cookie reason in its default settings
    words: str
    fix: str


def parse_set_cookie(value: str) -> Cookie:
    pair, *attributes = value.split(";")
    name, _, cookie_value = pair.partition("=")
    parsed = []
    for attribute in attributes:
        key, sep, attribute_value = attribute.strip().partition("=")
        parsed.append((key.strip().lower(), attribute_value.strip() if sep else None))
    return Cookie(name.strip(), cookie_value.strip(), tuple(parsed))


def _registrable(host: str) -> str:
    """The site of a host as far as local development needs it: the last two labels of a name, an IP as is."""
    if host.replace(".", "").isdigit() or ":" in host or "." not in host:
        return host
    return ".".join(host.rsplit(".", 2)[-2:])


def site(request: CorsRequest, fetch_site: str | None) -> tuple[bool, str]:
    """Whether the call is cross-site, and what says so: Sec-Fetch-Site where the browser sent it, else the
    page's origin against the API's host (schemeful: http and https are different sites)."""
    if fetch_site:
        return fetch_site.lower() == "cross-site", f"Sec-Fetch-Site: {fetch_site}"
    origin_scheme, _, origin_host = request.origin.partition("://")
    origin_host = origin_host.rsplit(":", 1)[0] if not origin_host.startswith("[") else origin_host
    cross = origin_scheme != request.scheme or _registrable(origin_host) != _registrable(request.host)
    return cross, f"origin {request.origin} against host {request.host}"


def _domain_matches(domain: str, host: str) -> bool:
    domain = domain.lstrip(".").lower()
    return host == domain or (not host.replace(".", "").isdigit() and host.endswith("." + domain))


def dropped(cookie: Cookie, host: str, cross_site: bool) -> Dropped | None:
    """Why the browser drops this cookie set by `host`, or None when it keeps it."""
    domain = cookie.get("domain")
    if domain and not _domain_matches(domain, host):
        return Dropped(cookie.name, "InvalidDomain", f"Domain={domain} does not match the host {host}", FIX)
    secure, partitioned = cookie.has("secure"), cookie.has("partitioned")
    if partitioned and not secure:
        return Dropped(cookie.name, "PartitionedWithoutSecure", "Partitioned without Secure (no reason is shown)", FIX)
    same_site = (cookie.get("samesite") or "").lower() or None
    if not cross_site:
        if same_site == "none" and not secure:  # refused on any site, same-site and same-origin too
            return Dropped(cookie.name, "SameSiteNoneInsecure", "SameSite=None without Secure", INSECURE_FIX)
        return None
    if same_site == "none" and secure and partitioned:
        return None
    if same_site == "none" and not secure:
        allowed = "SameSiteNoneInsecure: SameSite=None without Secure"
    else:
        allowed = "{}: {}".format(*SAME_SITE_REASONS.get(same_site, SAME_SITE_REASONS[None]))
    if same_site == "none" and secure:
        allowed = "kept where third-party cookies are allowed"
    words = (
        f"a cross-site response's cookie without Partitioned: third-party cookies are blocked (with them "
        f"allowed: {allowed})"
    )
    return Dropped(cookie.name, "UserPreferences", words, FIX)


def rewritten(value: str) -> str:
    """The Set-Cookie a browser keeps cross-site: host-only, SameSite=None; Secure; Partitioned; the value and
    every other attribute (Path, HttpOnly, Max-Age, Expires) as they were."""
    cookie = parse_set_cookie(value)
    kept = [(key, val) for key, val in cookie.attributes if key not in ("domain", "samesite", "secure", "partitioned")]
    names = {"path": "Path", "httponly": "HttpOnly", "max-age": "Max-Age", "expires": "Expires"}
    parts = [f"{cookie.name}={cookie.value}"]
    parts += [names.get(key, key) + ("" if val is None else f"={val}") for key, val in kept]
    parts += ["SameSite=None", "Secure", "Partitioned"]
    return "; ".join(parts)


@dataclass(frozen=True)
class CookieReport:
    """The Set-Cookie fields of one covered cross-origin response, as the browser will treat them."""

    cross_site: bool
    decided_by: str  # what told same-site from cross-site
    dropped: tuple[Dropped, ...]  # left as they were: the browser drops them
    rewritten: tuple[str, ...]  # names of the ones the addon rewrote into ones the browser keeps

    def as_dict(self) -> dict[str, object]:
        return {
            "cross_site": self.cross_site,
            "decided_by": self.decided_by,
            "dropped": [{"name": d.name, "reason": d.reason, "why": d.words, "fix": d.fix} for d in self.dropped],
            "rewritten": list(self.rewritten),
        }


def examine(
    request: CorsRequest, headers: list[tuple[str, str]], rewrite: bool
) -> tuple[CookieReport | None, tuple[tuple[str, str], ...]]:
    """The report on the response's Set-Cookie fields (None without any), and, when `rewrite`, all of them
    again in their order with the dropped ones rewritten (empty when nothing is rewritten)."""
    values = [value for name, value in headers if name.lower() == "set-cookie"]
    if not values:
        return None, ()
    cross_site, decided_by = site(request, request.fetch_site)
    problems = [dropped(parse_set_cookie(value), request.host.lower(), cross_site) for value in values]
    if not (rewrite and cross_site and any(problems)):
        return CookieReport(cross_site, decided_by, tuple(p for p in problems if p), ()), ()
    fields = tuple(("Set-Cookie", rewritten(v) if p else v) for v, p in zip(values, problems, strict=True))
    names = tuple(p.name for p in problems if p)
    return CookieReport(cross_site, decided_by, (), names), fields
