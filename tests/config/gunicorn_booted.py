"""gunicorn config for tests (`-c`): a worker that has loaded the app appends its process id
to the file named by BOOTED_WORKERS_FILE, so a test can wait until every worker serves."""

import os


def post_worker_init(worker):
    with open(os.environ["BOOTED_WORKERS_FILE"], "a") as booted:
        booted.write(f"{worker.pid}\n")
