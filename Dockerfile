# The production image: the same entry points as `make serve` (scripts/entrypoint), with
# config.settings.production.  Run it behind a TLS-terminating proxy that sets
# X-Forwarded-Proto.  (Not built on the development machine: it has no Docker engine.)
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -c requirements.lock .
ENV DJANGO_SETTINGS_MODULE=config.settings.production \
    HOST=0.0.0.0 \
    PORT=8000 \
    STATIC_ROOT=/app/var/static \
    BEAT_SCHEDULE_FILE=/tmp/celerybeat-schedule
# Static files and the compiled catalog belong to the image; a throw-away secret for the build.
RUN DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
      python manage.py collectstatic --noinput -v0 \
    && DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
      python manage.py compilemessages --ignore=.venv -v0
RUN useradd --system --home /app tracker && mkdir -p /data/media && chown -R tracker /app/var /data
USER tracker
EXPOSE 8000
# `scripts/entrypoint release` (migrations) runs once before the web processes start.
CMD ["scripts/entrypoint", "web"]
