"""A circuit breaker whose state lives in Django's cache, so every worker shares it.

After `failure_threshold` failures within `window_seconds` the circuit opens: calls are
refused at once (`CircuitOpen`, with the seconds left) for `cooldown_seconds`. Then it
is half-open: one caller at a time, across all processes that share the cache, makes a
trial call; success closes the circuit, failure opens it for another cool-down.

Shared because with several gunicorn workers (and servers) a per-process breaker lets
each of them tie up its threads on the same dead provider before learning; with the
default local-memory cache the state is per process, with `CACHE_URL=redis://...` or
`db://...` it is shared. Why not `pybreaker`: it holds one lock across the protected
call, which would run a process's calls one at a time under threaded workers, and it
counts consecutive failures, not failures within a window.

A failing cache must not stop the calls the breaker protects: cache errors are logged
and the circuit is then treated as closed.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger("stillpoint.circuit")

# Open state outlives any cool-down: it ends with a successful trial, not with the cache.
_OPEN_STATE_TTL = 24 * 60 * 60


class CircuitOpen(Exception):
    """The circuit refuses calls now; `retry_after` is a whole number of seconds (>= 1)."""

    def __init__(self, name: str, retry_after: float):
        self.name = name
        self.retry_after = _whole_seconds(retry_after)
        super().__init__(f"circuit {name!r} is open; retry in {self.retry_after} s")


def _whole_seconds(seconds: float) -> int:
    return max(1, math.ceil(seconds))


@dataclass(frozen=True, slots=True)
class CircuitBreaker:
    name: str
    failure_threshold: int  # 0 disables the breaker
    window_seconds: float
    cooldown_seconds: float
    # How long one trial call may take before another caller may try instead.
    trial_timeout_seconds: float

    def _key(self, part: str) -> str:
        return f"circuit:{self.name}:{part}"

    # --- the call ------------------------------------------------------------------

    @contextlib.contextmanager
    def call(self, *, failures: tuple[type[BaseException], ...]) -> Iterator[None]:
        """Guard the block: refuse it when open; count the `failures` it raises.

        Any other outcome (a return, or another exception: the service answered) is a
        success, which closes a half-open circuit.
        """
        if self.failure_threshold <= 0:
            yield
            return
        trial = self._admit()
        try:
            yield
        except failures:
            self._safely(self._record_failure, trial=trial)
            raise
        except BaseException:
            if trial:
                self._safely(self._close)
            raise
        if trial:
            self._safely(self._close)

    def refusing_for(self) -> int | None:
        """Whole seconds (>= 1) until a call could be let through, or None if one would be now.

        Does not claim the half-open trial: for a cheap check before work that would
        end in the protected call.
        """
        if self.failure_threshold <= 0:
            return None
        try:
            open_until = cache.get(self._key("open_until"))
            if open_until is None:
                return None
            left = open_until - time.time()
            if left > 0:
                return _whole_seconds(left)
            if cache.get(self._key("trial")) is not None:
                return _whole_seconds(min(self.cooldown_seconds, self.trial_timeout_seconds))
        except Exception:
            logger.warning("circuit %s: cache unavailable, treated as closed", self.name)
        return None

    # --- state -----------------------------------------------------------------------

    def _admit(self) -> bool:
        """Whether this call is the half-open trial; raises CircuitOpen when refused."""
        try:
            open_until = cache.get(self._key("open_until"))
            if open_until is None:
                return False
            left = open_until - time.time()
            if left <= 0 and cache.add(self._key("trial"), 1, self.trial_timeout_seconds):
                logger.info("circuit %s: half-open, trying one call", self.name)
                return True
        except Exception:
            logger.warning("circuit %s: cache unavailable, treated as closed", self.name)
            return False
        if left > 0:
            raise CircuitOpen(self.name, left)
        # Another caller is making the trial call.
        raise CircuitOpen(self.name, min(self.cooldown_seconds, self.trial_timeout_seconds))

    def _record_failure(self, *, trial: bool) -> None:
        if trial:
            self._open(reopen=True)
            return
        # The window starts with its first failure; its counter is named after it, so the
        # count ends with the window even on caches whose incr() resets expiry (db cache).
        window_key = self._key("window")
        fresh = uuid.uuid4().hex
        cache.add(window_key, fresh, self.window_seconds)
        window = cache.get(window_key) or fresh  # None: expired in between
        counter_key = self._key(f"failures:{window}")
        cache.add(counter_key, 0, self.window_seconds)
        try:
            failures = cache.incr(counter_key)
        except ValueError:  # expired in between
            failures = 1
            cache.add(counter_key, failures, self.window_seconds)
        if failures >= self.failure_threshold:
            self._open(reopen=False)

    def _open(self, *, reopen: bool) -> None:
        open_until = time.time() + self.cooldown_seconds
        if reopen:
            cache.set(self._key("open_until"), open_until, _OPEN_STATE_TTL)
            cache.delete(self._key("trial"))
            logger.warning(
                "circuit %s: trial failed, open for %s s", self.name, self.cooldown_seconds
            )
        elif cache.add(self._key("open_until"), open_until, _OPEN_STATE_TTL):
            # Only the caller that tripped it sets the cool-down; late failures of calls
            # already under way do not extend it.
            logger.warning(
                "circuit %s: %s failures within %s s, open for %s s",
                self.name,
                self.failure_threshold,
                self.window_seconds,
                self.cooldown_seconds,
            )
        cache.delete(self._key("window"))

    def _close(self) -> None:
        cache.delete_many([self._key("open_until"), self._key("trial"), self._key("window")])
        logger.info("circuit %s: closed", self.name)

    def _safely(self, operation, **kwargs) -> None:
        try:
            operation(**kwargs)
        except Exception:
            logger.warning("circuit %s: cache unavailable, state not recorded", self.name)
