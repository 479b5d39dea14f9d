"""Diff polish: one section for a change that is the same in several environments, and a picture of a changed
dashboard's grid with added, changed and moved panels marked."""

from __future__ import annotations

from dashctl.diff.changes import ADDED, CHANGED, MOVED, REMOVED, ObjectChange, PanelBox, group_changes
from dashctl.diff.render.layout import layout_picture
from tests.diff.test_dashboards import AFTER, BEFORE

RULE = '''
from dashctl.alerts import AlertRule, PromQL, Threshold, rule_group


@rule_group(name="shop", folder="Shop", team="shop")
def shop(env):
    return [
        AlertRule(
            uid="shop-errors",
            title="Shop errors",
            query=PromQL(expr='sum(rate(http_requests_total{code=~"5.."}[@WINDOW@]))'),
            condition=Threshold(above=env.value("error_ratio") * @FACTOR@),
            for_="5m",
            severity="warning",
            summary="Shop fails",
            runbook_url="https://runbooks.example.com/shop",
        ),
    ]
'''


def rule(window: str = "5m", factor: str = "1") -> str:
    return RULE.replace("@WINDOW@", window).replace("@FACTOR@", factor)


def test_a_change_alike_in_both_environments_is_shown_once(make_repository):
    repository = make_repository({"dashboards/shop.py": BEFORE})
    repository.write("dashboards/shop.py", AFTER)
    markdown = repository.run("diff", "--format", "markdown").stdout
    assert markdown.count("<summary>") == 1
    assert "<summary>dev, prod · dashboard <code>shop-api</code>" in markdown
    # the summary table still counts each environment
    assert "| dev | dashboard | 0 | 1 | 0 |" in markdown and "| prod | dashboard | 0 | 1 | 0 |" in markdown
    text = repository.run("diff").stdout
    assert '~ dev,prod dashboard shop-api "Shop API": changed' in text


def test_values_that_differ_keep_one_section_per_environment(make_repository):
    repository = make_repository({"alerts/shop.py": rule()})
    repository.write("alerts/shop.py", rule(window="10m", factor="2"))
    markdown = repository.run("diff", "--format", "markdown").stdout
    # the window changed alike; the threshold is 0.05 → 0.1 in dev and 0.02 → 0.04 in prod
    assert "<summary>dev · alert rule <code>shop-errors</code>" in markdown
    assert "<summary>prod · alert rule <code>shop-errors</code>" in markdown
    assert "dev, prod · alert rule" not in markdown


def test_a_changed_dashboard_has_a_picture_of_its_grid(make_repository):
    repository = make_repository({"dashboards/shop.py": BEFORE})
    repository.write("dashboards/shop.py", AFTER)
    markdown = repository.run("diff", "--env", "dev", "--format", "markdown").stdout
    picture = markdown[markdown.index("```text\n") + 8:markdown.index("\n```\n")]
    lines = picture.splitlines()
    assert lines[0] == "#" + "=" * 35 + "#" + "=" * 35 + "#"  # Latency (added) and Requests (moved), side by side
    assert lines[1].startswith("# A Latency") and "# M Requests" in lines[1]
    assert any(line.startswith("# C Errors") for line in lines)
    assert "(24-column grid; A added, C changed, M moved)" in lines
    assert "removed: Saturation (was at x=0 y=18 w=6 h=4)" in lines


def test_group_changes_needs_every_field_equal():
    def change(environment: str, threshold: str) -> ObjectChange:
        from dashctl.diff.changes import FieldChange

        return ObjectChange(environment=environment, kind="alert rule", key="x", title="X", status=CHANGED,
                            fields=(FieldChange(field="threshold", change=CHANGED, before="1", after=threshold),))

    grouped = group_changes([change("dev", "2"), change("prod", "2"), change("staging", "3")])
    assert [(environments, item.environment) for environments, item in grouped] == [
        (("dev", "prod"), "dev"), (("staging",), "staging")]


def test_layout_picture_of_boxes():
    boxes = (PanelBox(title="Row", grid=(0, 0, 24, 1), row=True),
             PanelBox(title="Kept", grid=(0, 1, 12, 4)),
             PanelBox(title="New", grid=(12, 1, 12, 4), change=ADDED),
             PanelBox(title="Gone", grid=(0, 5, 24, 4), change=REMOVED))
    assert layout_picture(boxes) == [
        "─ Row " + "─" * 67,
        "+-----------------------------------#===================================#",
        "| Kept                              # A New                             #",
        "|                                   #                                   #",
        "+-----------------------------------#===================================#",
        "(24-column grid; A added)",
        "removed: Gone (was at x=0 y=5 w=24 h=4)",
    ]
    assert layout_picture((PanelBox(title="Gone", grid=(0, 0, 1, 1), change=REMOVED),)) == []
    assert MOVED == "moved"
