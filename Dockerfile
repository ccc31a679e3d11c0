FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY . .
RUN pip install --no-cache-dir -c requirements.lock . \
    && DJANGO_SECRET_KEY=build python manage.py collectstatic --noinput \
    && DJANGO_SECRET_KEY=build python manage.py compilemessages --ignore=.venv
ENV DJANGO_SETTINGS_MODULE=config.settings.base
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
