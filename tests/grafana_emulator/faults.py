"""Test-only misbehaviour: error statuses, slow answers and dropped connections, planned per test.

A `FaultRule` says which requests are hit (method, a glob over the path), how many times (`times`, None for
no limit) and how likely (`rate`). When a rule holds several faults it picks one each time, in proportion to
`weights` when given. Each draw comes from an RNG seeded with the rule's seed, the request's method and path and
how many times the rule has seen that method and path before, so a run is reproducible from the seed even when a
client sends requests from several threads in varying order. Rules are tried in the order they were added; the
first that fires wins. A fault with `after_handling` lets the request take effect first and then spoils the
answer, which is how a write whose answer was lost looks to a client.

`transient_faults` is the harsh mix the reliability tests use (issue 9.9): 20% of requests answered 429, 500, 502,
503 or 504, 3% of connections dropped before and 3% after the server acted, and some answers slow.
"""

from __future__ import annotations

import fnmatch
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from http import HTTPStatus

from .bodies import Reply

__all__ = ["Fault", "FaultPlan", "FaultRule", "transient_faults"]


@dataclass(frozen=True, kw_only=True)
class Fault:
    """One way to misbehave. Build with `Fault.respond`, `Fault.drop_connection` or `Fault.slow`."""

    status: int | None = None
    retry_after: str | None = None
    body: bytes | None = None
    delay: float = 0.0
    drop: bool = False
    after_handling: bool = False
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def respond(
        cls,
        status: int,
        *,
        retry_after: float | str | None = None,
        body: bytes | None = None,
        after_handling: bool = False,
        headers: dict[str, str] | None = None,
    ) -> Fault:
        """Answer `status` instead of the real answer, optionally with a `Retry-After` header and other headers
        (a `Set-Cookie`, say)."""
        return cls(
            status=status,
            retry_after=None if retry_after is None else str(retry_after),
            body=body,
            after_handling=after_handling,
            headers=tuple((headers or {}).items()),
        )

    @classmethod
    def drop_connection(cls, *, after_handling: bool = False) -> Fault:
        """Close the socket without answering (before handling, or after the request took effect)."""
        return cls(drop=True, after_handling=after_handling)

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Answer normally, `seconds` late."""
        return cls(delay=seconds)

    def reply(self) -> Reply:
        """The answer a status fault sends: what a proxy or Grafana would send for that status."""
        assert self.status is not None
        headers = dict(self.headers)
        if self.retry_after is not None:
            headers["Retry-After"] = self.retry_after
        if self.body is not None:
            return Reply(status=self.status, raw=self.body, content_type="text/plain", headers=headers)
        phrase = HTTPStatus(self.status).phrase
        if self.status in (502, 503, 504):  # what nginx or a load balancer in front of Grafana sends
            page = f"<html><head><title>{self.status} {phrase}</title></head><body>{phrase}</body></html>"
            return Reply(status=self.status, raw=page.encode(), content_type="text/html", headers=headers)
        return Reply(status=self.status, body={"message": phrase}, headers=headers)

    def __str__(self) -> str:
        when = " after handling" if self.after_handling else ""
        if self.drop:
            return f"drop{when}"
        if self.status is not None:
            return f"{self.status}{when}"
        return f"delay {self.delay}s"


@dataclass(kw_only=True)
class FaultRule:
    faults: tuple[Fault, ...]
    method: str | None = None
    path: str | None = None
    times: int | None = 1
    rate: float = 1.0
    seed: int = 0
    weights: tuple[float, ...] | None = None
    fired: int = 0
    _seen: Counter[tuple[str, str]] = field(init=False, repr=False, default_factory=Counter)

    def __post_init__(self) -> None:
        if not self.faults:
            raise ValueError("a fault rule needs at least one fault")
        if self.weights is not None and len(self.weights) != len(self.faults):
            raise ValueError("a fault rule needs one weight per fault")

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.fired >= self.times:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path is None or fnmatch.fnmatchcase(path, self.path)

    def draw(self, method: str = "", path: str = "") -> Fault | None:
        occurrence = self._seen[(method, path)]
        self._seen[(method, path)] += 1
        rng = random.Random(f"{self.seed}:{method}:{path}:{occurrence}")
        if self.rate < 1.0 and rng.random() >= self.rate:
            return None
        self.fired += 1
        return self.faults[0] if len(self.faults) == 1 else rng.choices(self.faults, weights=self.weights)[0]


class FaultPlan:
    """The rules of one emulator; safe to change while requests are served."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def pick(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    fault = rule.draw(method, path)
                    if fault is not None:
                        return fault
        return None


def transient_faults(seed: int, *, slow: float = 0.005) -> tuple[FaultRule, FaultRule]:
    """The harsh mix of issue 9.9 as two rules, to add in this order: statuses and dropped connections on 26% of
    requests, then `slow`-second delays (up to four times that) on 10% of the rest."""
    statuses = [Fault.respond(429, retry_after=0), Fault.respond(500), Fault.respond(502),
                Fault.respond(503, retry_after=0), Fault.respond(504)]  # fmt: skip
    drops = [Fault.drop_connection(), Fault.drop_connection(after_handling=True)]
    errors = FaultRule(
        faults=(*statuses, *drops), weights=(4, 4, 4, 4, 4, 3, 3), rate=0.26, seed=seed, times=None
    )
    delays = FaultRule(
        faults=tuple(Fault.slow(slow * factor) for factor in (1, 2, 4)), rate=0.1, seed=seed + 1, times=None
    )
    return errors, delays
