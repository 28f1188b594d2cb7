"""The API's documentation pages, /docs (Swagger UI) and /redoc (ReDoc), from copies of their
assets that the service serves itself under /static/ (app/static/vendor/NOTICE.md): they
render with no access to the internet, under a Content-Security-Policy that lets nothing load
from elsewhere."""

import html
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent.parent / "static"

# Swagger UI and ReDoc style their elements inline, ReDoc searches in a worker made from a blob
# and both draw icons from data: URLs; scripts come only from this origin, never inline.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": DOCS_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _page(title: str, head: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
{head}
</head>
<body>
{body}
</body>
</html>
""",
        headers=HEADERS,
    )


def install(app: FastAPI) -> None:
    """Give the app FastAPI(docs_url=None, redoc_url=None), then this."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    title = f"{app.title} — API documentation"

    def urls(request: Request) -> tuple[str, str]:
        root = request.scope.get("root_path", "")
        return root + "/static", html.escape(root + (app.openapi_url or "/openapi.json"))

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        static, spec = urls(request)
        return _page(
            title,
            f'<link rel="stylesheet" href="{static}/vendor/swagger-ui.css">',
            f'<div id="swagger-ui" data-openapi-url="{spec}"></div>\n'
            f'<script src="{static}/vendor/swagger-ui-bundle.js"></script>\n'
            f'<script src="{static}/docs/swagger-init.js"></script>',
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        static, spec = urls(request)
        return _page(
            title,
            "<style>body{margin:0}</style>",
            f'<redoc spec-url="{spec}"></redoc>\n'
            f'<script src="{static}/vendor/redoc.standalone.js"></script>',
        )
