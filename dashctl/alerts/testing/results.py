"""What alert tests report: per test a status, and per rule and time the alerts expected against those that fired."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dashctl.errors import SourceLocation

__all__ = ["EngineResult", "Mismatch", "TestReport", "TestResult", "format_alert", "result_details"]

# The order in which outcomes win when a test ran on several engines.
_SEVERITY = {"passed": 0, "failed": 1, "untestable": 2, "error": 3}


@dataclass(frozen=True)
class Mismatch:
    """What a rule fired at one time, against what the test expected (each alert formatted by format_alert)."""

    rule: str
    at: str
    expected: tuple[str, ...]
    got: tuple[str, ...]


@dataclass(frozen=True)
class EngineResult:
    """The outcome of one engine (promtool or the LogQL evaluator) on one test."""

    status: str  # passed, failed, error, untestable
    mismatches: tuple[Mismatch, ...] = ()
    message: str = ""

    @staticmethod
    def combine(results: Sequence[EngineResult]) -> EngineResult:
        status = max((result.status for result in results), key=_SEVERITY.__getitem__, default="passed")
        return EngineResult(
            status=status,
            mismatches=tuple(m for result in results for m in result.mismatches),
            message="\n".join(result.message for result in results if result.message and result.status != "failed"),
        )


@dataclass(frozen=True, kw_only=True)
class TestResult:
    """One AlertTest in one environment."""

    environment: str
    name: str
    location: SourceLocation
    engines: tuple[str, ...]
    status: str
    mismatches: tuple[Mismatch, ...] = ()
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass(frozen=True, kw_only=True)
class TestReport:
    """Every test result, the rules no test expects anything of (environment, uid, query language), and the
    names of every test that a name filter could have selected."""

    results: tuple[TestResult, ...]
    untested: tuple[tuple[str, str, str], ...] = ()
    names: tuple[str, ...] = ()

    @property
    def failures(self) -> tuple[TestResult, ...]:
        return tuple(result for result in self.results if not result.passed)

    @property
    def passed(self) -> bool:
        return not self.failures


def format_alert(labels: Sequence[tuple[str, str]], annotations: Sequence[tuple[str, str]] = ()) -> str:
    """One alert as test reports show it: `labels {a="b"} annotations {summary="..."}`."""
    text = "labels {" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels)) + "}"
    if annotations:
        text += " annotations {" + ", ".join(f'{k}="{v}"' for k, v in sorted(annotations)) + "}"
    return text


def result_details(result: TestResult) -> list[str]:
    """Why a test did not pass, as indented lines: per rule and time the alerts expected and those that fired."""
    lines = []
    for mismatch in result.mismatches:
        lines.append(f"rule {mismatch.rule} at {mismatch.at}:")
        lines.append("  expected:")
        lines.extend(f"    {alert}" for alert in mismatch.expected or ("(no alert)",))
        lines.append("  got:")
        lines.extend(f"    {alert}" for alert in mismatch.got or ("(no alert)",))
    lines.extend(result.message.splitlines())
    return lines
