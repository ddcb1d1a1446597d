"""Run localstripe on loopback with its state in the project's data directory.

localstripe's own CLI binds every interface and pickles its state to
/tmp/localstripe.pickle; this runs the same aiohttp `server.app` bound to
127.0.0.1 only, with the pickle under `--data-dir`.

    python -m payments.localstripe_server --port 8420 --data-dir var
"""

import argparse
import logging
import pickle
from pathlib import Path


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

    # Patched on the class: localstripe calls these from Store.__setitem__ etc.
    resources.Store.try_load_from_disk = try_load_from_disk
    resources.Store.dump_to_disk = dump_to_disk


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1", "localhost"])
    parser.add_argument("--data-dir", default="var")
    parser.add_argument("--from-scratch", action="store_true", help="ignore saved state")
    args = parser.parse_args(argv)

    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    _use_state_file(data_dir / "localstripe.pickle")

    from aiohttp import web
    from localstripe import server
    from localstripe.resources import store

    if not args.from_scratch:
        store.try_load_from_disk()

    logger = logging.getLogger("aiohttp.access")
    logger.setLevel(logging.INFO)
    logger.addHandler(logging.StreamHandler())
    print(f"localstripe listening on http://{args.host}:{args.port}", flush=True)
    web.run_app(server.app, host=args.host, port=args.port, access_log=logger, print=None)


if __name__ == "__main__":
    main()
