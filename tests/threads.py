"""Run calls at the same moment on threads, each with its own database connection."""

import threading

from django.db import connection


def run_together(calls) -> list[Exception]:
    """Start every call at once (a barrier) and return the exceptions they raised."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def worker(call):
        try:
            barrier.wait()
            call()
        except Exception as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
