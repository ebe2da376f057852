"""From workaround to fix: rules.yaml as server-side CORS configuration (pure functions).

Each exporter states in comments what its target cannot express; nothing is dropped silently.
"""

from __future__ import annotations

from .apache import export_apache
from .caddy import export_caddy
from .common import origin_regex, path_regex
from .django import export_django
from .express import export_express
from .fastify import export_fastify
from .flask import export_flask
from .go import export_go
from .nginx import export_nginx
from .rack import export_rack
from .starlette import export_fastapi, export_starlette

__all__ = [
    "EXPORTERS",
    "FRONT_EXPORTERS",
    "export_apache",
    "export_caddy",
    "export_django",
    "export_express",
    "export_fastapi",
    "export_fastify",
    "export_flask",
    "export_go",
    "export_nginx",
    "export_rack",
    "export_starlette",
    "origin_regex",
    "path_regex",
]

EXPORTERS = {
    "nginx": export_nginx,
    "starlette": export_starlette,
    "express": export_express,
    "django": export_django,
    "caddy": export_caddy,
    "apache": export_apache,
    "flask": export_flask,
    "fastapi": export_fastapi,
    "fastify": export_fastify,
    "rack": export_rack,
    "go": export_go,
}
# The exports for a server in front of the API: they take its listen address and the upstream.
FRONT_EXPORTERS = {"nginx": export_nginx, "caddy": export_caddy, "apache": export_apache}
