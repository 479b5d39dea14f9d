import pytest

from tests.lint.harness import Case, Expect, check_case, dashboard

RULE = "panel/unvalidated-query"
FILE = "dashboards/shop.py"
GENERIC = "from dashctl.dashboards.generic import Target as Query\n"


def panel(first: str, second: str) -> str:
    return (f'TimeSeries(title="Requests", description="Requests.", unit="reqps", dataSource="metrics",\n'
            f'           targets=[{first},\n'
            f'                    {second}])')


VALID = 'Target(expr="sum(rate(a_total[$__rate_interval]))", refId="A")'
MARKED = ('Query(ref_id="B", expr="sum(rate(b_total{%(matchers)s}[$__rate_interval]))",\n'
          '                          unvalidated="an unexpanded jsonnet %(matchers)s")')

CASES = [
    Case("two validated queries", files={FILE: dashboard(panel(VALID, VALID.replace('"A"', '"B"')), extra=GENERIC)}),
    Case("a query marked unvalidated", files={FILE: dashboard(panel(VALID, MARKED), extra=GENERIC)},
         expect=[Expect(FILE, at='expr="sum(rate(b_total',
                        message="query B is not validated: an unexpanded jsonnet %(matchers)s")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)


def test_no_query_rule_reports_the_unvalidated_query(make_project):
    """The mark hides the query from the PromQL rules (promql/syntax would be an error): only this rule speaks."""
    from tests.lint.harness import lint_files

    _, report = lint_files(make_project, CASES[1].files)
    about_b = [finding for finding in report.findings if "query B" in finding.message or "b_total" in finding.message]
    assert [finding.rule for finding in about_b] == [RULE]
