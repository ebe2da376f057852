"""The test API as a Starlette app, with CORSMiddleware configured by `cors.export starlette`.

CORS_ARGS_FILE names the exported text; it is executed as the user would paste it.
"""

import json
import os

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def json_response(body: dict, status: int = 200, headers: dict | None = None) -> Response:
    # The same bytes as tests/support/upstream.py, so bodies compare equal across fronts.
    return Response(json.dumps(body), status_code=status, headers=headers, media_type="application/json")


async def status(request: Request):
    code = int(request.path_params["code"])
    return json_response({"status": code}, code)


async def custom(request: Request):
    return json_response({"custom": True}, headers={"X-Custom": "1", "X-Total": "7", "Set-Cookie": "s=1; Path=/"})


async def echo(request: Request):
    return json_response({"method": request.method, "path": request.url.path})


namespace: dict = {}
exec(open(os.environ["CORS_ARGS_FILE"]).read(), namespace)
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "FROB"]
app = Starlette(
    routes=[
        Route("/{prefix:path}/status/{code:int}", status, methods=METHODS),
        Route("/status/{code:int}", status, methods=METHODS),
        Route("/{prefix:path}/custom", custom, methods=METHODS),
        Route("/custom", custom, methods=METHODS),
        Route("/{rest:path}", echo, methods=METHODS),
    ],
    middleware=[Middleware(CORSMiddleware, **namespace["cors_args"])],
)
