"""A CorsRequest and a response, judged as both credentials modes the request may have used (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from addon.core.request import CorsRequest, requested_header_names
from addon.doctor.exchange import Credentials, Exchange, Judgement
from addon.doctor.verdict import verdict

Fields = Sequence[tuple[str, str]]


def credentials_modes(request: CorsRequest) -> tuple[Credentials, ...]:
    """The credentials modes the request may have been sent with. A Cookie proves "include", and so does
    Sec-Fetch-Storage-Access (Chromium and Firefox send it on each cross-site "include" call). Its absence
    on a cross-site call from a browser known to send it (by User-Agent, core.request.MARKS_CREDENTIALS_FROM_CHROME)
    proves "omit" or "same-origin": no credentials. Elsewhere absence proves nothing (no cookie yet, a
    same-site call, curl, an older browser), and a preflight never shows the mode of the call it asks for."""
    if request.is_preflight:
        return ("omit", "include")
    if request.carries_credentials or request.storage_access:
        return ("include",)
    if request.fetch_site == "cross-site" and request.marks_credentials:
        return ("omit",)
    return ("omit", "include")


def exchange_of(request: CorsRequest, status: int, headers: Fields, credentials: bool | None = None) -> Exchange:
    """The request with a response, as the verdict sees it; `credentials` None: as the request shows."""
    preflight = request.is_preflight
    names = tuple(requested_header_names(request.request_headers) or ()) if preflight else ()
    return Exchange(
        url=request.url,
        origin=request.origin,
        method=request.method,
        status=status,
        response_headers=tuple(headers),
        credentials=request.carries_credentials if credentials is None else credentials,
        request_method=request.request_method if preflight else None,
        request_headers=names,
    )


def judge(request: CorsRequest, status: int, headers: Fields) -> Judgement:
    return Judgement(
        tuple(
            (mode, verdict(exchange_of(request, status, headers, mode == "include")))
            for mode in credentials_modes(request)
        )
    )
