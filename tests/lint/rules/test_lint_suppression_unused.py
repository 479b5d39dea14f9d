import pytest

from tests.lint.harness import Case, Expect, check_case, dashboard, time_series

RULE = "lint/suppression-unused"
FILE = "dashboards/shop.py"


def suppressed(comment: str, *, editable: bool | None = None) -> str:
    return dashboard(time_series(), editable=editable).replace("@dashboard(", f"{comment}\n@dashboard(")


CASES = [
    Case("a suppression that silences a finding", files={FILE: suppressed(
        "# dashctl-lint: ignore[dashboard/editable] reason: analysts tune this one in the UI")}),
    Case("a suppression with nothing to silence", files={FILE: suppressed(
        "# dashctl-lint: ignore[dashboard/editable] reason: analysts tune this one in the UI", editable=False)},
         expect=[Expect(FILE, at="# dashctl-lint:", message="silences no finding here")]),
    Case("a rule that does not exist", files={FILE: suppressed(
        "# dashctl-lint: ignore[dashboard/editable, panel/unit] reason: typo")},
         expect=[Expect(FILE, at="# dashctl-lint:", message="names panel/unit, which is not a lint rule")]),
    Case("a comment that is not a suppression", files={FILE: suppressed("# dashctl-lint: disable=dashboard/editable")},
         expect=[Expect(FILE, at="# dashctl-lint:", message="suppression comment not understood")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    check_case(make_project, RULE, case)
