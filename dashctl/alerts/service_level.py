"""Service level objectives: multi-window multi-burn-rate alerts and an SLO row, from one declaration.

The burn rate is how fast the error budget is spent: an error ratio of `1 - objective` burns at 1×, exactly
using the budget over the SLO period. Following the Google SRE workbook ("Alerting on SLOs", table 5-8), a rule
fires when the burn rate over a long window *and* over a short window both exceed a factor: the long window makes
it significant, the short one makes it stop soon after the problem does.

    page   (critical): 14.4× over 1h and 5m, or 6× over 6h and 30m   (2% / 5% of a 30-day budget)
    ticket (warning):   3× over 1d and 2h, or 1× over 3d and 6h      (10% of the budget)

The SLI is given as queries with a `$window` placeholder for the range: errors/total or good/total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from dashctl.alerts.model import LABEL_NAME, AlertRule, DashboardPanel, Math, PromQL, RuleGroup, raise_problems
from dashctl.definitions import UID_MAX_LENGTH, caller_location, validate_uid
from dashctl.durations import parse_duration
from dashctl.errors import DefinitionError, SourceLocation
from dashctl.queries.text import query_text

__all__ = [
    "BurnRateWindow",
    "PAGE_WINDOWS",
    "SLO",
    "TICKET_WINDOWS",
    "WINDOW",
    "slo_panels",
    "slo_rule_group",
]

WINDOW = "$window"
_SUFFIXES = ("-page", "-ticket")


@dataclass(frozen=True, kw_only=True)
class BurnRateWindow:
    """Fire when the burn rate exceeds `factor` over both the `long` and the `short` window."""

    long: str
    short: str
    factor: float

    def problems(self) -> list[str]:
        found = []
        try:
            if parse_duration(self.short) >= parse_duration(self.long):
                found.append(f"short window {self.short} must be shorter than long window {self.long}")
        except (ValueError, TypeError) as error:
            found.append(f"burn-rate window: {error}")
        if not isinstance(self.factor, (int, float)) or isinstance(self.factor, bool) or self.factor <= 0:
            found.append(f"burn-rate factor {self.factor!r} must be a positive number")
        return found


PAGE_WINDOWS = (BurnRateWindow(long="1h", short="5m", factor=14.4), BurnRateWindow(long="6h", short="30m", factor=6))
TICKET_WINDOWS = (BurnRateWindow(long="1d", short="2h", factor=3), BurnRateWindow(long="3d", short="6h", factor=1))


@dataclass(frozen=True, kw_only=True)
class SLO:
    """A service level objective on an event ratio, e.g. 99.9% of requests answered without a 5xx over 30 days.

    `objective` is a fraction (0.999). The SLI is `errors`/`total` or `good`/`total`: PromQL queries whose range is
    written `$window`, e.g. `sum(rate(http_requests_total{code=~"5.."}[$window]))`. `uid` (≤ 33 characters) names
    the generated rules `<uid>-page` and `<uid>-ticket`; `page` and `ticket` hold their burn-rate windows.
    """

    uid: str
    name: str
    objective: float
    total: str
    errors: str | None = None
    good: str | None = None
    period: str = "30d"
    page: Sequence[BurnRateWindow] = PAGE_WINDOWS
    ticket: Sequence[BurnRateWindow] = TICKET_WINDOWS
    runbook_url: str | None = None
    team: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    datasource: str = "metrics"
    page_for: str = "0s"
    ticket_for: str = "0s"
    dashboard: DashboardPanel | None = None
    location: SourceLocation = field(default_factory=caller_location, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", MappingProxyType(dict(self.labels)))
        object.__setattr__(self, "page", tuple(self.page))
        object.__setattr__(self, "ticket", tuple(self.ticket))
        problems: list[str] = []
        hints: dict[str, str] = {}
        try:
            validate_uid(self.uid, what="SLO", location=self.location)
            if len(self.uid) > UID_MAX_LENGTH - len("-ticket"):
                problems.append(f"SLO uid {self.uid!r} is too long: the rule '{self.uid}-ticket' must fit in "
                                f"{UID_MAX_LENGTH} characters")
        except DefinitionError as error:
            problems.append(error.message)
        if not isinstance(self.name, str) or not self.name.strip():
            problems.append("an SLO needs a name")
        if not isinstance(self.objective, (int, float)) or isinstance(self.objective, bool) \
                or not 0 < self.objective < 1:
            problems.append(f"objective {self.objective!r} must be a fraction between 0 and 1")
            hints[problems[-1]] = "99.9% is objective=0.999"
        if (self.errors is None) == (self.good is None):
            problems.append("give the SLI as errors=... or good=..., with total=...")
        for name in ("total", "errors", "good"):
            query = query_text(getattr(self, name))  # a builder expression reads as its text
            if query is not None:
                object.__setattr__(self, name, query)
            if getattr(self, name) is not None and (query is None or WINDOW not in query):
                problems.append(f"{name} must be a PromQL query with {WINDOW} as its range")
                hints[problems[-1]] = 'sum(rate(http_requests_total{code=~"5.."}[$window]))'
        for name in ("period", "page_for", "ticket_for"):
            try:
                parse_duration(getattr(self, name))
            except (ValueError, TypeError) as error:
                problems.append(f"{name}: {error}")
        if not self.page and not self.ticket:
            problems.append("an SLO needs page or ticket burn-rate windows")
        for window in (*self.page, *self.ticket):
            problems.extend(window.problems() if isinstance(window, BurnRateWindow)
                            else [f"windows hold BurnRateWindow(...), not {window!r}"])
        for label in self.labels:
            if not LABEL_NAME.match(label):
                problems.append(f"label name {label!r} is not valid")
        raise_problems([DefinitionError(message, location=self.location, definition=f"SLO {self.uid!r}",
                                        hint=hints.get(message)) for message in problems])

    @property
    def error_budget(self) -> float:
        """The allowed error ratio, `1 - objective`, rounded so 0.999 gives 0.001 and not 0.0010000000000000009."""
        return round(1 - self.objective, 12)

    def error_ratio(self, window: str) -> str:
        """The PromQL error ratio over `window`."""
        total = self.total.replace(WINDOW, window)
        if self.errors is not None:
            return f"({self.errors.replace(WINDOW, window)}) / ({total})"
        return f"1 - (({self.good.replace(WINDOW, window)}) / ({total}))"  # type: ignore[union-attr]

    def burn_rate(self, window: str) -> str:
        """The PromQL burn rate over `window`: the error ratio in units of the error budget."""
        return f"({self.error_ratio(window)}) / {_number(self.error_budget)}"

    def rules(self) -> list[AlertRule]:
        """The page and ticket rules (only those with windows)."""
        rules = []
        for kind, windows, severity, pending in (("page", self.page, "critical", self.page_for),
                                                 ("ticket", self.ticket, "warning", self.ticket_for)):
            if windows:
                rules.append(self._rule(kind, windows, severity, pending))
        return rules

    def _rule(self, kind: str, windows: Sequence[BurnRateWindow], severity: str, pending: str) -> AlertRule:
        queries = []
        clauses = []
        ref = iter("ABCDEFGHIJKLMNOPQRSTUVWXY")
        for window in windows:
            long_ref, short_ref = next(ref), next(ref)
            queries.append(PromQL(expr=self.burn_rate(window.long), ref_id=long_ref, datasource=self.datasource,
                                  location=self.location))
            queries.append(PromQL(expr=self.burn_rate(window.short), ref_id=short_ref, datasource=self.datasource,
                                  location=self.location))
            factor = _number(window.factor)
            clauses.append(f"(${long_ref} > {factor} && ${short_ref} > {factor})")
        described = "; ".join(f"{_number(w.factor)}× over {w.long} and {w.short}" for w in windows)
        speed = "fast" if kind == "page" else "slow"
        return AlertRule(
            uid=f"{self.uid}-{kind}",
            title=f"{self.name}: {'fast' if kind == 'page' else 'slow'} burn",
            queries=queries,
            condition=Math(expression=" || ".join(clauses), location=self.location),
            severity=severity,
            for_=pending,
            no_data_state="OK",
            exec_err_state="Error",
            summary=f"{self.name} is spending its error budget {speed}",
            description=(
                f"The {self.name} SLO ({_percent(self.objective)} over {self.period}) burns its "
                f"error budget faster than allowed: {described} (burn rate 1× uses exactly the budget)."
            ),
            runbook_url=self.runbook_url,
            team=self.team,
            labels={**self.labels, "slo": self.uid},
            dashboard=self.dashboard,
            location=self.location,
        )


def slo_rule_group(slo: SLO, *, folder: str, group: str | None, interval: str) -> RuleGroup:
    """The rule group holding an SLO's burn-rate rules."""
    return RuleGroup(name=group or slo.uid, folder=folder, interval=interval, rules=slo.rules(), team=slo.team,
                     location=slo.location)


def slo_panels(slo: SLO) -> list[Any]:
    """An SLO row for the service's dashboard (grafanalib panels): availability and error budget remaining over
    the SLO period, and the burn rate over the page windows with the page thresholds drawn as lines."""
    from grafanalib.core import GridPos, RowPanel, Stat, Target, TimeSeries

    # Stats as tall as the burn-rate graph, so the row is one even band (the layout fills in x and y).
    stat_size = GridPos(h=8, w=6, x=0, y=0)

    period = slo.period
    availability = f"1 - ({slo.error_ratio(period)})"
    remaining = f"1 - (({slo.error_ratio(period)}) / {_number(slo.error_budget)})"
    windows = list(dict.fromkeys(window.long for window in slo.page)) or ["1h"]
    factors = sorted({window.factor for window in slo.page})
    steps = [{"color": "green", "value": None}]
    colors = ["orange", "red"]
    steps.extend({"color": colors[min(i, 1)], "value": factor} for i, factor in enumerate(factors))
    return [
        RowPanel(title=f"SLO: {slo.name} ({_percent(slo.objective)} over {period})"),
        Stat(
            title="Availability",
            description=f"Share of good events over the last {period}; the objective is {_percent(slo.objective)}.",
            dataSource=slo.datasource,
            targets=[Target(expr=availability, refId="A", instant=True)],
            format="percentunit",
            gridPos=stat_size,
            decimals=3,
            reduceCalc="lastNotNull",
            thresholds=[{"color": "red", "value": None}, {"color": "green", "value": slo.objective}],
        ),
        Stat(
            title="Error budget remaining",
            description=f"Share of the {period} error budget ({_percent(slo.error_budget)} of events) not yet spent.",
            dataSource=slo.datasource,
            targets=[Target(expr=remaining, refId="A", instant=True)],
            format="percentunit",
            gridPos=stat_size,
            decimals=1,
            reduceCalc="lastNotNull",
            thresholds=[{"color": "red", "value": None}, {"color": "orange", "value": 0.25},
                        {"color": "green", "value": 0.5}],
        ),
        TimeSeries(
            title="Burn rate",
            description="How fast the error budget is spent (1× uses it exactly over the period); the lines are "
            "the paging thresholds.",
            dataSource=slo.datasource,
            unit="none",
            targets=[Target(expr=slo.burn_rate(window), legendFormat=window, refId=chr(ord("A") + index))
                     for index, window in enumerate(windows)],
            thresholds=steps,
            thresholdsStyleMode="line",
        ),
    ]


def _number(value: float) -> str:
    text = f"{value:.12g}"
    return text


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.12g}%"
