"""The network side of `cors-addon probe` (standard library http.client: one request at a time, a
timeout on each, no cookie jar, so nothing of the user's is sent). A failure to ask is CannotAsk,
never a CORS verdict."""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

TIMEOUT = 10.0


class CannotAsk(Exception):
    """The server could not be asked: a bad URL, DNS, a refused connection, TLS, a timeout, garbage."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: tuple[tuple[str, str], ...]


def split_url(url: str) -> tuple[str, str, int, str]:
    """scheme, host, port, path?query of an http(s) URL; CannotAsk when it is not one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CannotAsk(f"{url!r} is not an http:// or https:// URL (give the scheme: http://{url})")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as e:
        raise CannotAsk(f"{url!r}: {e}") from None
    return parts.scheme, parts.hostname, port, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def send(
    method: str,
    url: str,
    fields: list[tuple[str, str]],
    proxy: str = "",
    insecure: bool = False,
    timeout: float = TIMEOUT,
) -> Answer:
    scheme, host, port, target = split_url(url)
    context = ssl.create_default_context()
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    connection: http.client.HTTPConnection
    if proxy:
        _, proxy_host, proxy_port, _ = split_url(proxy)
        if scheme == "https":
            connection = http.client.HTTPSConnection(proxy_host, proxy_port, timeout=timeout, context=context)
            connection.set_tunnel(host, port)
        else:
            connection = http.client.HTTPConnection(proxy_host, proxy_port, timeout=timeout)
            target = url
    elif scheme == "https":
        connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
    where = f"{proxy} (the proxy)" if proxy else f"{host}:{port}"
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in fields:
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        response.read()
        return Answer(response.status, tuple(response.getheaders()))
    except socket.gaierror as e:
        raise CannotAsk(f"cannot resolve {host}: {e.strerror or e}") from None
    except ssl.SSLError as e:
        raise CannotAsk(
            f"TLS with {where} failed: {e.reason or e} (--insecure for a self-signed local server)"
        ) from None
    except TimeoutError:
        raise CannotAsk(f"{where} did not answer within {timeout:g} s") from None
    except ConnectionRefusedError:
        raise CannotAsk(f"{where} refused the connection: is the server running?") from None
    except (OSError, http.client.HTTPException) as e:
        raise CannotAsk(f"{where}: {type(e).__name__}: {e}") from None
    finally:
        connection.close()
