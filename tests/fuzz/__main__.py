"""Schema fuzzing: schemathesis against the running app's /api/schema/, once per role.

    python -m tests.fuzz [--seconds 60]

Starts the app (gunicorn) on a fresh SQLite database with demo data and localstripe as
Stripe, all on 127.0.0.1, then runs schemathesis for each role (anonymous, client,
practitioner, moderator) with the checks not_a_server_error, response_schema_conformance
and status_code_conformance. Exits non-zero on any finding. The Stripe webhook is left
out: it only takes signed payloads and has its own tests.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.ports import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
WEBHOOK = "/api/v1/payments/stripe/webhook/"
DELETE_ACCOUNT = "me_destroy"


def prepare(env: dict) -> dict[str, str]:
    """Migrate, seed, and make one user per role (tests.factories); returns role -> access
    token, the moderator's obtained with two-factor authentication."""
    script = """
import django
django.setup()
from django.core.management import call_command
from accounts.models import Role
from tests.factories import make_moderator, make_user, tokens_for
call_command("migrate", verbosity=0)
call_command("seed_demo", practitioners=30, seed=3, verbosity=0)
client = make_user(email="fuzz-client@example.org", name="Fuzz Client")
pract = make_user(email="fuzz-pract@example.org", name="Fuzz Pract", role=Role.PRACTITIONER)
# Moderators moderate only with two-factor sign-in: theirs is on, and the token says so.
moderator = make_moderator(email="fuzz-mod@example.org", name="Fuzz Mod")
for role, user in [("client", client), ("practitioner", pract), ("moderator", moderator)]:
    print(role, tokens_for(user)["access"])
"""
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(line.split(" ", 1) for line in out.strip().splitlines() if " " in line)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS", 60)))
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="stillpoint-fuzz-"))
    app_port, stripe_port = free_port(), free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATA_DIR": str(workdir),
        "THROTTLE_RATES": "",
        "DEBUG": "false",
        "SECRET_KEY": "fuzz-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "STRIPE_API_BASE": f"http://127.0.0.1:{stripe_port}",
        "LOG_LEVEL": "WARNING",
        # Webhook URLs the fuzzer makes up are then not looked up in DNS; no job consumer
        # runs here, so nothing is ever delivered to them.
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
    }
    processes = []
    try:
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "devtools.localstripe_server",
                    "--port",
                    str(stripe_port),
                    "--data-dir",
                    str(workdir),
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_for(f"http://127.0.0.1:{stripe_port}/v1/customers", "localstripe")
        tokens = prepare(env)
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{app_port}",
                    "--workers",
                    "2",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )
        )
        base = f"http://127.0.0.1:{app_port}"
        wait_for(f"{base}/healthz", "the app")

        failed, cases = [], 0
        for role in ["anonymous", "client", "practitioner", "moderator"]:
            # Deleting the account (DELETE /me/) ends the role's session, so it runs last,
            # on its own, rather than cutting the rest of the run short.
            for selection, seconds in [
                (["--exclude-operation-id", DELETE_ACCOUNT], args.seconds),
                (["--include-operation-id", DELETE_ACCOUNT], 5),
            ]:
                command = [
                    str(BIN / "schemathesis"),
                    "run",
                    f"{base}/api/schema/",
                    "--checks",
                    CHECKS,
                    "--max-time",
                    str(seconds),
                    "--exclude-path",
                    WEBHOOK,
                    *selection,
                    # One worker: concurrent ast.parse inside hypothesis trips a CPython
                    # 3.11 bug ("AST constructor recursion depth mismatch").
                    "--workers",
                    "1",
                    "--suppress-health-check",
                    "all",
                    "--no-color",
                ]
                if role in tokens:
                    command += ["-H", f"Authorization: Bearer {tokens[role]}"]
                print(f"=== schemathesis as {role} ({seconds} s) {selection} ===", flush=True)
                result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
                output = result.stdout + result.stderr
                print(output[-6000:], flush=True)
                found = re.search(r"(\d+) generated", output)
                cases += int(found.group(1)) if found else 0
                if result.returncode != 0:
                    failed.append(role)
        print(f"fuzz: {cases} test cases generated; roles with findings: {failed or 'none'}")
        return 1 if failed else 0
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
