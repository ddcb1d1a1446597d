FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY core ./core
COPY accounts ./accounts
COPY directory ./directory
COPY bookings ./bookings
COPY payments ./payments
COPY reviews ./reviews
COPY outbox ./outbox
COPY webhooks ./webhooks
COPY bench ./bench
COPY manage.py ./
RUN pip install --no-cache-dir . && python manage.py collectstatic --noinput || true
RUN useradd --system app && mkdir -p var/media && chown -R app var
USER app
EXPOSE 8000
# Threaded workers: a thread waiting on Stripe or the database does not hold a whole
# worker (each thread has its own database connection: workers x threads in all).
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--worker-class", "gthread", "--workers", "3", "--threads", "8", "--timeout", "30"]
