"""Run localstripe on loopback with its state in the project's data directory.

localstripe's own CLI binds every interface and pickles its state to
/tmp/localstripe.pickle; this runs the same aiohttp `server.app` bound to
127.0.0.1 only, with the pickle under `--data-dir`.

    python -m devtools.localstripe_server --port 8420 --data-dir var \\
        --webhook-url http://127.0.0.1:8000/api/v1/payments/stripe/webhook/ \\
        --webhook-secret whsec_localstripe_dev

With `--webhook-url/--webhook-secret` the server registers that endpoint
through its own `/_config/webhooks/{id}` route once it listens (localstripe
keeps webhooks in memory only, so this happens on every start).

Browsers pay with localstripe's Stripe.js stand-in, served at
`/js.stripe.com/v3/`: `stripe.confirmCardPayment(client_secret, ...)` opens a
dialog ("Complete authentication" / "Fail authentication") and posts the choice
to `/v1/payment_intents/{id}/_authenticate`. localstripe accepts that only for an
intent that already has a card and waits for 3-D Secure; ours get their card in
the browser, so here an intent without one is given Stripe's test Visa card
(`pm_card_visa`) first. "Complete authentication" then pays (and the
`payment_intent.succeeded` webhook confirms the booking); "Fail authentication"
leaves the intent waiting for a payment, to be tried again. The card fields the
stand-in shows are not sent anywhere.
"""

import argparse
import asyncio
import contextlib
import logging
import pickle
from pathlib import Path

WEBHOOK_ID = "stillpoint"


def _use_state_file(path: Path) -> None:
    from localstripe import resources

    def try_load_from_disk(self):
        try:
            with path.open("rb") as f:
                old = pickle.load(f)
        except (FileNotFoundError, EOFError, pickle.UnpicklingError):
            return
        self.clear()
        self.update(old)

    def dump_to_disk(self):
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump(dict(self), f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    # Patched on the class: localstripe calls these from Store.__setitem__ and its middleware.
    resources.Store.try_load_from_disk = try_load_from_disk
    resources.Store.dump_to_disk = dump_to_disk


BROWSER_CARD = "pm_card_visa"
AUTHENTICATE_PATH = "/v1/payment_intents/{id}/_authenticate"


def _let_browsers_pay() -> None:
    """Route `_authenticate` through a handler that gives a card-less intent the test card.

    localstripe binds its extra routes from `resources.extra_apis` when `server` is
    imported, so the entry is replaced there, before that import.
    """
    from localstripe import resources

    routes = resources.extra_apis
    route = ("POST", AUTHENTICATE_PATH)
    index = next((i for i, (verb, path, _) in enumerate(routes) if (verb, path) == route), None)
    if index is None:
        raise RuntimeError(f"localstripe has no {AUTHENTICATE_PATH} route to extend")
    method, path, original = routes[index]

    def authenticate(id=None, client_secret=None, **kwargs):
        intent = resources.PaymentIntent._api_retrieve(id) if isinstance(id, str) else None
        if (
            intent is not None
            and client_secret == intent.client_secret
            and intent.status == "requires_payment_method"
        ):
            # As if Stripe.js had attached the card and 3-D Secure were asked for.
            intent.payment_method = BROWSER_CARD
            intent.next_action = {
                "type": "use_stripe_sdk",
                "use_stripe_sdk": {"type": "three_d_secure_redirect", "stripe_js": ""},
            }
        return original(id=id, client_secret=client_secret, **kwargs)

    routes[index] = (method, path, authenticate)


async def _serve(args) -> None:
    import aiohttp
    from aiohttp import web
    from localstripe import server

    logger = logging.getLogger("aiohttp.access")
    logger.setLevel(logging.INFO)
    logger.addHandler(logging.StreamHandler())

    runner = web.AppRunner(server.app, access_log=logger)
    await runner.setup()
    await web.TCPSite(runner, host=args.host, port=args.port).start()
    base = f"http://{args.host}:{args.port}"
    print(f"localstripe listening on {base}", flush=True)
    if args.webhook_url:
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{base}/_config/webhooks/{WEBHOOK_ID}",
                json={"url": args.webhook_url, "secret": args.webhook_secret},
            ) as response,
        ):
            response.raise_for_status()
        print(f"localstripe delivers webhooks to {args.webhook_url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1", "localhost"])
    parser.add_argument("--data-dir", default="var")
    parser.add_argument("--from-scratch", action="store_true", help="ignore saved state")
    parser.add_argument("--webhook-url", help="where to deliver signed events")
    parser.add_argument("--webhook-secret", help="the endpoint's signing secret (whsec_...)")
    args = parser.parse_args(argv)
    if bool(args.webhook_url) != bool(args.webhook_secret):
        parser.error("--webhook-url and --webhook-secret go together")

    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    _use_state_file(data_dir / "localstripe.pickle")
    _let_browsers_pay()

    from localstripe.resources import store

    if not args.from_scratch:
        store.try_load_from_disk()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
