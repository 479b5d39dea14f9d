import pytest

from tests.lint.harness import Case, Expect, check_case, dashboard, time_series

RULE = "lint/suppression-reason"
FILE = "dashboards/shop.py"


def suppressed(comment: str) -> str:
    return dashboard(time_series(), editable=None).replace("@dashboard(", f"{comment}\n@dashboard(")


CASES = [
    Case("a suppression with a reason", files={FILE: suppressed(
        "# dashctl-lint: ignore[dashboard/editable] reason: analysts tune this one in the UI")}),
    Case("a suppression without a reason", files={FILE: suppressed("# dashctl-lint: ignore[dashboard/editable]")},
         expect=[Expect(FILE, at="# dashctl-lint:", message="gives no reason, so it suppresses nothing")]),
    Case("an empty reason", files={FILE: suppressed("# dashctl-lint: ignore[dashboard/editable] reason:")},
         expect=[Expect(FILE, at="# dashctl-lint:", message="gives no reason")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
