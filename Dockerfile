# Production image: uvicorn serving app.main:app as a non-root user, configured by environment.
# PostgreSQL: set CLAIMREVIEW_DATABASE_URL=postgresql+psycopg://user:password@host/db
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md requirements.lock ./
COPY app ./app
# The locked versions, hashes checked; then the service itself without resolving anything more.
RUN pip install --no-cache-dir --prefix=/install --require-hashes -r requirements.lock \
    && pip install --no-cache-dir --prefix=/install --no-deps .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 claimreview
COPY --from=build /install /usr/local
WORKDIR /data
RUN chown claimreview /data
USER claimreview
ENV CLAIMREVIEW_DATABASE_URL=sqlite:////data/claimreview.db \
    PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# Run `claimreview migrate` once per deployment (e.g. as an init container) before starting.
# `claimreview serve` runs the request head and body limits and time-outs (README: Request limits).
# Behind a proxy, list it in CLAIMREVIEW_FORWARDED_ALLOW_IPS so X-Forwarded-For is believed.
CMD ["claimreview", "serve", "--host", "0.0.0.0", "--port", "8000"]
