"""The test API as a Django app with django-cors-headers, configured by `export django`.

CORS_SETTINGS_FILE names the exported text; it is executed as the user would paste it into
settings.py.
"""

import os

import django
from django.conf import settings
from django.http import HttpResponse
from django.urls import re_path

cors_settings: dict = {}
exec(open(os.environ["CORS_SETTINGS_FILE"]).read(), cors_settings)
settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="test-only",
    INSTALLED_APPS=["corsheaders"],
    MIDDLEWARE=["corsheaders.middleware.CorsMiddleware"],
    **{name: value for name, value in cors_settings.items() if name.startswith("CORS_")},
)
django.setup()


def json_response(text: str, status: int = 200, headers: dict | None = None) -> HttpResponse:
    # The same bytes as tests/support/upstream.py, so bodies compare equal across fronts.
    return HttpResponse(text, status=status, headers=headers, content_type="application/json")


def status(request, code):
    return json_response(f'{{"status": {code}}}', int(code))


def custom(request):
    return json_response('{"custom": true}', headers={"X-Custom": "1", "X-Total": "7", "Set-Cookie": "s=1; Path=/"})


def echo(request):
    if request.method == "OPTIONS":
        return json_response('{"error": "method not allowed"}', 405, {"Allow": "GET, POST"})
    return json_response(f'{{"method": "{request.method}", "path": "{request.path}"}}')


urlpatterns = [re_path(r"status/(?P<code>\d{3})$", status), re_path(r"custom$", custom), re_path(r"", echo)]

from django.core.asgi import get_asgi_application  # noqa: E402

app = get_asgi_application()
