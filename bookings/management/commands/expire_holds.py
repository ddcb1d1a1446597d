from django.core.management.base import BaseCommand

from bookings.services import bookings_expire_lapsed_holds
from payments.services import payments_cancel_unpayable, refunds_retry_pending


class Command(BaseCommand):
    help = (
        "Mark pending bookings whose payment hold ran out as expired, cancel their "
        "PaymentIntents and retry refunds Stripe did not confirm (run from cron)."
    )

    def handle(self, *args, **options):
        ids = bookings_expire_lapsed_holds()
        self.stdout.write(f"expired {len(ids)} booking hold(s)")
        cancelled = payments_cancel_unpayable()
        self.stdout.write(f"cancelled {cancelled} PaymentIntent(s)")
        retried = refunds_retry_pending()
        self.stdout.write(f"retried {retried} pending refund(s)")
