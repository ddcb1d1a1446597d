import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

# Refuse to serve without a payment port (payments app missing), not at the first booking.
from bookings.payment_port import require_registered  # noqa: E402

require_registered()
