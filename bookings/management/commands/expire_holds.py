from django.core.management.base import BaseCommand

from bookings.services import bookings_expire_lapsed_holds, bookings_tidy_up_payments


class Command(BaseCommand):
    help = (
        "Mark pending bookings whose payment hold ran out as expired, cancel their "
        "PaymentIntents and retry refunds Stripe did not confirm. The job consumer (run_huey) "
        "does this every minute; this command is for running it by hand."
    )

    def handle(self, *args, **options):
        ids = bookings_expire_lapsed_holds()
        self.stdout.write(f"expired {len(ids)} booking hold(s)")
        report = bookings_tidy_up_payments()
        self.stdout.write(f"cancelled {report.cancelled_payments} PaymentIntent(s)")
        self.stdout.write(f"retried {report.retried_refunds} pending refund(s)")
