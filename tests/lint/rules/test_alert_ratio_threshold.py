import pytest

from tests.conftest import BASIC_CONFIG
from tests.lint.harness import Case, Expect, alert_rule, alert_rules, check_case

RULE = "alert/ratio-threshold"
ALERTS = "alerts/shop.py"
RATIO = 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))'
LOG_RATIO = ('sum(count_over_time({app="shop"} | json | status >= 500 [5m])) '
             '/ sum(count_over_time({app="shop"} [5m]))')


def log_rule(threshold: str) -> str:
    return ('AlertRule(uid="shop-log-errors", title="Shop log errors", severity="warning",\n'
            f'          query=LogQL(expr={LOG_RATIO!r}),\n'
            f'          condition={threshold}, for_="5m", summary="Errors", description="Errors.")')


CASES = [
    Case("a ratio compared with a fraction", files={ALERTS: alert_rules(alert_rule(
        expr=RATIO, condition="Threshold(above=0.05)"))}),
    Case("an average (sum / count of another series) is not a ratio", files={ALERTS: alert_rules(alert_rule(
        expr="sum(rate(latency_seconds_sum[5m])) / sum(rate(latency_seconds_count[5m]))",
        condition="Threshold(above=2)"))}),
    Case("a unit conversion is not a ratio", files={ALERTS: alert_rules(alert_rule(
        expr="sum(process_resident_memory_bytes) / 1048576", condition="Threshold(above=512)"))}),
    Case("a percentage (100 * a / b) is not a ratio", files={ALERTS: alert_rules(alert_rule(
        expr=f"100 * {RATIO}", condition="Threshold(above=5)"))}),
    Case("a ratio compared with a percentage", files={ALERTS: alert_rules(alert_rule(
        expr=RATIO, condition="Threshold(above=5)"))},
         expect=[Expect(ALERTS, at="condition=Threshold(above=5)", message="query A is a ratio")]),
    Case("a LogQL ratio compared with a percentage", files={ALERTS: alert_rules(log_rule("Threshold(above=5)"))},
         expect=[Expect(ALERTS, at="condition=Threshold(above=5)", message="it never fires")]),
    Case("a percentage written in the configuration is reported at its line there", files={
        ALERTS: alert_rules(alert_rule(expr=RATIO, condition='Threshold(above=env.value("error_ratio"))'))},
         config=BASIC_CONFIG.replace("error_ratio = 0.02", "error_ratio = 2"),
         expect=[Expect("dashctl.toml", at="error_ratio = 2", environments=("prod",),
                        message="(error_ratio under [environments.prod.values], read at alerts/shop.py:")]),
    Case("a range outside 0-1", files={ALERTS: alert_rules(alert_rule(
        expr=f"({RATIO})", condition="Threshold(outside=(0.5, 2))"))},
         expect=[Expect(ALERTS, at="condition=Threshold(outside", message="the threshold is 0.5 and 2")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
