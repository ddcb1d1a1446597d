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

    from localstripe.resources import store

    if not args.from_scratch:
        store.try_load_from_disk()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
