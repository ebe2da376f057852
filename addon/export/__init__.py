"""From workaround to fix: rules.yaml as server-side CORS configuration (pure functions).

Each exporter states in comments what its target cannot express; nothing is dropped silently.
"""

from __future__ import annotations

from addon.export.apache import export_apache
from addon.export.caddy import export_caddy
from addon.export.common import origin_regex, path_regex
from addon.export.django import export_django
from addon.export.express import export_express
from addon.export.fastify import export_fastify
from addon.export.flask import export_flask
from addon.export.go import export_go
from addon.export.nginx import export_nginx
from addon.export.rack import export_rack
from addon.export.starlette import export_fastapi, export_starlette

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
