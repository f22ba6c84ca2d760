# Rapport: `docker build -t rapport .` then see compose.yaml and docs/deploy.md.
# Two stages: the first builds a virtualenv with Rapport installed, the second copies only that venv onto a slim
# base and runs as an unprivileged user.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE manifest.yml ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN python -m venv /opt/rapport && /opt/rapport/bin/pip install --no-cache-dir --upgrade pip && /opt/rapport/bin/pip install --no-cache-dir .

FROM python:3.11-slim AS runtime
RUN useradd --create-home --uid 10001 rapport && mkdir -p /data && chown rapport /data
COPY --from=build /opt/rapport /opt/rapport
ENV PATH=/opt/rapport/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PORT=3000 \
    DATABASE_URL=sqlite:////data/rapport.db \
    RAPPORT_LOG_FORMAT=json
WORKDIR /data
VOLUME ["/data"]
USER rapport
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"
ENTRYPOINT ["rapport", "run"]
