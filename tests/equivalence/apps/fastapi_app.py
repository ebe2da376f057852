"""The test API as a FastAPI app; CORS_APP_CODE names the code `export fastapi` wrote, pasted (executed)
right after `app = FastAPI()` as its comment says."""

import json
import os

from fastapi import FastAPI, Request, Response

app = FastAPI()
exec(open(os.environ["CORS_APP_CODE"]).read(), {"app": app})
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]


def json_response(body: dict, status: int = 200, headers: dict | None = None) -> Response:
    # The same bytes as tests/support/upstream.py, so bodies compare equal across fronts.
    return Response(json.dumps(body), status_code=status, headers=headers, media_type="application/json")


@app.api_route("/{rest:path}", methods=METHODS)
async def everything(rest: str, request: Request):
    parts = rest.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] == "status" and parts[-1].isdigit():
        return json_response({"status": int(parts[-1])}, int(parts[-1]))
    if rest.endswith("custom"):
        return json_response({"custom": True}, headers={"X-Custom": "1", "X-Total": "7", "Set-Cookie": "s=1; Path=/"})
    return json_response({"method": request.method, "path": "/" + rest})
