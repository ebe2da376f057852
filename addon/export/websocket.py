"""What each export can say about a rule's websocket_origin: rewrite. CORS does not cover WebSocket
handshakes: the server checks their Origin itself, so the fix is an origin allow-list in its WebSocket
code, which the frameworks can express and the proxies in front (nginx, Caddy, Apache) cannot decide."""

from __future__ import annotations

from addon.core.rule import Rule

CANNOT_DECIDE = (
    "{target} cannot decide which origins may open a WebSocket: it passes the handshake and its Origin to the "
    "server, whose own check decides. Allow the rule's origins there."
)
ORIGIN_CHECKS = {
    "nginx": CANNOT_DECIDE,
    "Caddy": CANNOT_DECIDE,
    "Apache": CANNOT_DECIDE,
    "cors()": (
        "the cors package does not see WebSocket handshakes: check their Origin in the WebSocket server, e.g. "
        "ws's new WebSocketServer({verifyClient: ({origin}) => allowed(origin)}), or Socket.IO's "
        "new Server(httpServer, {cors: {origin: [...]}})."
    ),
    "@fastify/cors": (
        "@fastify/cors does not see WebSocket handshakes: with @fastify/websocket, register it with "
        "{options: {verifyClient: ({origin}, next) => next(allowed(origin))}}."
    ),
    "flask-cors": (
        "flask-cors does not see WebSocket handshakes: Flask-SocketIO's SocketIO(app, cors_allowed_origins=[...]), "
        "or, with flask-sock, check request.headers.get('Origin') before the socket is used."
    ),
    "CORSMiddleware": (
        "CORSMiddleware passes WebSocket handshakes through untouched: in the endpoint, check "
        "websocket.headers.get('origin') before await websocket.accept(), else await websocket.close(code=1008)."
    ),
    "django-cors-headers": (
        "django-cors-headers does not see WebSocket handshakes: with Channels, wrap the websocket router in "
        "channels.security.websocket.OriginValidator(router, [...origins]) (AllowedHostsOriginValidator allows "
        "ALLOWED_HOSTS only)."
    ),
    "rack-cors": (
        "rack-cors does not see WebSocket handshakes: in the WebSocket endpoint, answer 403 unless "
        "env['HTTP_ORIGIN'] is allowed, before the upgrade (e.g. before Faye::WebSocket.new(env))."
    ),
    "rs/cors": (
        "rs/cors does not see WebSocket handshakes: set gorilla/websocket's Upgrader.CheckOrigin (or "
        "coder/websocket's AcceptOptions.OriginPatterns) to the rule's origins."
    ),
}


def websocket_origin_note(rule: Rule, target: str) -> list[str]:
    """The export's comment for a rule whose WebSocket handshakes the addon hands the server's own origin."""
    if rule.websocket_origin != "rewrite":
        return []
    how = ORIGIN_CHECKS[target].replace("{target}", target)
    return [f"websocket_origin: rewrite (the server refuses these origins' WebSocket handshakes): {how}"]
