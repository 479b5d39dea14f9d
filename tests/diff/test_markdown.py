"""The pull-request comment: under GitHub's 65,536 characters, cut with a note; markup in values is inert."""

from __future__ import annotations

import re

from dashctl.diff import compare_snapshots, extract_snapshot, render_markdown
from dashctl.diff.changes import Diff, FieldChange, ObjectChange
from dashctl.diff.render.markdown import COMMENT_LIMIT, SECTION_LIMIT
from dashctl.encoding import dump_yaml
from tests.diff.conftest import alerts

MANY_RULES = '''
from dashctl.alerts import AlertRule, PromQL, Threshold, rule_group


@rule_group(name="many", folder="Many", team="load")
def many(env):
    return [
        AlertRule(
            uid=f"rule-{index:04d}",
            title=f"Rule {index} error ratio",
            query=PromQL(expr=f'sum(rate(http_requests_total{{job="svc-{index}",code=~"5.."}}[@WINDOW@]))'),
            condition=Threshold(above=@THRESHOLD@),
            for_="5m",
            severity="warning",
            summary=f"Service {index} fails",
        )
        for index in range(300)
    ]
'''


def test_a_huge_diff_is_cut_under_the_comment_limit_with_a_note(make_repository):
    repository = make_repository({"alerts/many.py": MANY_RULES.replace("@WINDOW@", "5m").replace("@THRESHOLD@", "1")})
    repository.write("alerts/many.py", MANY_RULES.replace("@WINDOW@", "10m").replace("@THRESHOLD@", "2"))

    result = repository.run("diff", "--format", "markdown", "--exit-code")

    assert result.exit_code == 1
    comment = result.stdout
    assert len(comment) <= COMMENT_LIMIT
    shown = comment.count("<details")
    assert 0 < shown < 300
    # each rule changes alike in dev and prod: one section names both environments
    assert comment.count("<summary>dev, prod · alert rule") == shown
    assert f"> **Truncated:** {600 - 2 * shown} more changed objects are not shown" in comment
    assert comment.endswith("run `dashctl diff` for the rest.\n")
    # The table still counts everything.
    assert "| dev | alert rule | 0 | 300 | 0 |" in comment and "| prod | alert rule | 0 | 300 | 0 |" in comment
    # Sections are whole: every one that was started is closed.
    assert comment.count("</details>") == shown


def test_a_small_diff_is_not_cut():
    diff = Diff(base_ref="main", base_commit="", environments=("dev",), changes=(
        ObjectChange(environment="dev", kind="alert rule", key="a", title="A", status="changed",
                     fields=(FieldChange(field="for", change="changed", before="5m", after="10m"),)),
    ))
    comment = render_markdown(diff)
    assert "Truncated" not in comment
    assert "- **for**: `5m` → `10m`\n" in comment


def test_one_huge_object_is_cut_inside_its_section():
    fields = tuple(FieldChange(field=f"panel {index}", change="added", after="x" * 200) for index in range(400))
    diff = Diff(base_ref="main", base_commit="", environments=("dev",), changes=(
        ObjectChange(environment="dev", kind="dashboard", key="big", title="Big", status="changed", fields=fields),
        ObjectChange(environment="dev", kind="dashboard", key="small", title="Small", status="added"),
    ))
    comment = render_markdown(diff)
    big = comment[comment.index("<code>big</code>"):comment.index("<code>small</code>")]
    assert len(big) <= SECTION_LIMIT
    assert re.search(r"- … \d+ more fields not shown\n", big)
    assert "<code>small</code>" in comment and "Truncated" not in comment


def test_markup_in_values_and_titles_is_inert():
    diff = Diff(base_ref="main", base_commit="", environments=("dev",), changes=(
        ObjectChange(environment="dev", kind="alert rule", key="a", title="<b>*bold*</b> & co", status="changed",
                     fields=(
                         FieldChange(field="label my_label*", change="changed", before="`tick`", after="a|b"),
                         FieldChange(field="query A", change="changed", before="x", after="y", words=(
                             *_segments("rate(a_b[$__rate_interval]) * $x <html>"),
                         )),
                     )),
    ))
    comment = render_markdown(diff)
    assert "<summary>dev · alert rule <code>a</code> · &lt;b&gt;*bold*&lt;/b&gt; &amp; co · <b>changed</b>" in comment
    assert "- **label my\\_label\\***: `` `tick` `` → `a|b`\n" in comment
    # `_` inside a word cannot be emphasis and stays as it is; at a word's edge it is an entity.
    assert ("<code>rate(a_b&#91;&#36;&#95;&#95;rate_interval&#93;) &#42; &#36;x &#60;html&#62;</code>"
            in comment)


def _segments(text: str):
    from dashctl.diff.changes import Segment

    return (Segment(op="equal", text=text),)


def test_an_alert_template_change_is_a_line_diff():
    def files(template: str) -> dict[str, bytes]:
        alerting = dump_yaml({"apiVersion": 1, "templates": [{"orgId": 1, "name": "t", "template": template}]})
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"},
                "data": {"alerting.dev.yaml": alerting}}
        return {"dev/alerting.yaml": dump_yaml(body).encode()}

    before = extract_snapshot(files('{{ define "t" }}\n[{{ .Status }}]\n{{ end }}'), ["dev"], origin="base")
    after = extract_snapshot(files('{{ define "t" }}\n[{{ .Status | toUpper }}]\n{{ end }}'), ["dev"], origin="wt")

    comment = render_markdown(compare_snapshots(before, after, base_ref="main"))

    assert "- **template**:\n\n  ```diff\n   {{ define \"t\" }}\n  -[{{ .Status }}]\n  +[{{ .Status | toUpper }}]\n" \
        in comment


def test_alerts_fixture_renders_every_kind_when_added(make_repository):
    repository = make_repository({"alerts/checkout.py": alerts()}, build=False)
    repository.commit("nothing built yet")

    comment = repository.run("diff", "--env", "dev", "--format", "markdown").stdout

    assert "<code>sre-pagerduty</code> · pagerduty · <b>added</b>" in comment
    assert "- **pagerduty sre-pagerduty-pagerduty**: `pagerduty`" in comment
    assert "- **route root › severity=\"critical\"**: `→ sre-pagerduty`" in comment
