"""The test API as a Flask app with flask-cors, configured by `export flask`.

Usage: python flask_app.py PORT EXPORTED_FILE (the exported text is executed as the user would paste it).
"""

import json
import sys

from flask import Flask, Response, redirect, request
from flask_cors import CORS

app = Flask(__name__)
namespace: dict = {}
exec(open(sys.argv[2]).read(), namespace)
CORS(app, resources=namespace["cors_resources"])
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "FROB"]


def json_response(body: dict, status: int = 200, headers: dict | None = None) -> Response:
    # The same bytes as tests/support/upstream.py, so bodies compare equal across fronts.
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


@app.route("/<path:rest>", methods=METHODS)
@app.route("/", methods=METHODS, defaults={"rest": ""})
def everything(rest: str):
    path = "/" + rest
    parts = path.rstrip("/").split("/")
    if len(parts) >= 3 and parts[-2] == "status" and parts[-1].isdigit():
        return json_response({"status": int(parts[-1])}, int(parts[-1]))
    if path.endswith("/redirect"):
        return redirect(request.args.get("to", "/"), 302)
    if path.endswith("/custom"):
        return json_response({"custom": True}, headers={"X-Custom": "1", "X-Total": "7", "Set-Cookie": "s=1; Path=/"})
    return json_response({"method": request.method, "path": path})


if __name__ == "__main__":
    app.run("127.0.0.1", int(sys.argv[1]), threaded=True)
