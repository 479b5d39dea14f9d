"""Test-only misbehaviour: error statuses, slow answers and dropped connections, planned per test.

A `FaultRule` says which requests are hit (method, a glob over the path), how many times (`times`, None for
no limit) and how likely (`rate`, drawn from its own seeded RNG so a run is reproducible). When a rule holds
several faults, its RNG picks one each time. Rules are tried in the order they were added; the first that fires
wins. A fault with `after_handling` lets the request take effect first and then spoils the answer, which is how
a write whose answer was lost looks to a client.
"""

from __future__ import annotations

import fnmatch
import random
import threading
from dataclasses import dataclass, field
from http import HTTPStatus

from .bodies import Reply

__all__ = ["Fault", "FaultPlan", "FaultRule"]


@dataclass(frozen=True, kw_only=True)
class Fault:
    """One way to misbehave. Build with `Fault.respond`, `Fault.drop_connection` or `Fault.slow`."""

    status: int | None = None
    retry_after: str | None = None
    body: bytes | None = None
    delay: float = 0.0
    drop: bool = False
    after_handling: bool = False

    @classmethod
    def respond(
        cls,
        status: int,
        *,
        retry_after: float | str | None = None,
        body: bytes | None = None,
        after_handling: bool = False,
    ) -> Fault:
        """Answer `status` instead of the real answer, optionally with a `Retry-After` header."""
        return cls(
            status=status,
            retry_after=None if retry_after is None else str(retry_after),
            body=body,
            after_handling=after_handling,
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
        headers = {"Retry-After": self.retry_after} if self.retry_after is not None else {}
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
    fired: int = 0
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.faults:
            raise ValueError("a fault rule needs at least one fault")
        self._rng = random.Random(self.seed)

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.fired >= self.times:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path is None or fnmatch.fnmatchcase(path, self.path)

    def draw(self) -> Fault | None:
        if self.rate < 1.0 and self._rng.random() >= self.rate:
            return None
        self.fired += 1
        return self.faults[0] if len(self.faults) == 1 else self._rng.choice(self.faults)


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
                    fault = rule.draw()
                    if fault is not None:
                        return fault
        return None
