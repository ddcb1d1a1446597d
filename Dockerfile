FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY core ./core
COPY outbox ./outbox
COPY accounts ./accounts
COPY directory ./directory
COPY bookings ./bookings
COPY payments ./payments
COPY reviews ./reviews
COPY bench ./bench
COPY manage.py ./
RUN pip install --no-cache-dir . && python manage.py collectstatic --noinput || true
RUN useradd --system app
USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
