# syntax=docker/dockerfile:1
# OpenPO's container image: the package built from this checkout, run as a non-root user.
#   docker build -t openpo .
#   docker run ... openpo                 # openpo serve --host 0.0.0.0 (port 8000)
#   docker run ... openpo worker          # any other `openpo` command
# compose.yaml runs it with PostgreSQL and Redis; deploy/README.md, "Containers".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OPENPO_DATA_DIR=/var/lib/openpo

# pg_dump and pg_restore for `openpo backup` / `openpo restore`: the client of the base image's
# Debian release (PostgreSQL 17 on Debian 13), which must not be older than the server's.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 openpo \
    && useradd --system --uid 10001 --gid openpo --home-dir /var/lib/openpo \
        --shell /usr/sbin/nologin openpo \
    && install -d -o openpo -g openpo -m 0750 /var/lib/openpo

# Built from the checkout mounted for this step only: the image holds the installed package
# (code, templates, static files, translations), not the sources.
RUN --mount=type=bind,source=.,target=/tmp/openpo,rw \
    pip install /tmp/openpo

USER openpo
WORKDIR /var/lib/openpo
# The secret key file (when OPENPO_SECRET_KEY is unset), collected static files and uploads.
VOLUME ["/var/lib/openpo"]
EXPOSE 8000
# gunicorn's graceful stop: requests in flight get up to 30 s (give the container 45).
STOPSIGNAL SIGTERM
ENTRYPOINT ["openpo"]
CMD ["serve", "--host", "0.0.0.0"]
