import json
from pathlib import Path

import pytest

from dashctl.credentials import string_leaves
from dashctl.errors import SourceLocation
from dashctl.lint.registry import get_rule
from dashctl.lint.walk import SettingsContext
from dashctl.project.environment import Environment
from tests.lint.harness import Case, Expect, check_case, dashboard, time_series

RULE = "secret/literal-value"
TOKEN = "Zq8vK2mN4pR7sT1wX5yB9cD3"


def datasources(json_data: str) -> str:
    return f'''
from dashctl.datasources import Loki, env_secret
from dashctl.definitions import datasources


@datasources
def stack(env):
    return [
        Loki(name="Loki", uid="loki-x", url="http://loki:3100",
             json_data={json_data},
             secure_json_data={{"httpHeaderValue1": env_secret("TENANT")}}),
    ]
'''


def contact_points(slack: str) -> str:
    return f'''
from dashctl.alerts import ContactPoint, Slack, contact_points, env_secret


@contact_points
def points(env):
    return [ContactPoint(name="chat", integrations=[
        {slack},
    ])]
'''


DASHBOARD_LINK = f'''
from grafanalib.core import Dashboard, DashboardLink

from dashctl.definitions import dashboard


@dashboard(uid="shop", folder="Shop")
def shop(env):
    return Dashboard(title="Shop", editable=False, panels=[],
                     links=[DashboardLink(title="Kibana", type="link", uri="https://k/app?api_key={TOKEN}")])
'''
LINKED_PANEL = time_series(
    extra=f'\n    links=[{{"title": "Logs", "url": "https://logs.example.com/?access_token={TOKEN}"}}],')

CASES = [
    Case("references and plain settings", files={
        "datasources/stack.py": datasources('{"httpHeaderName1": "X-Scope-OrgID", "maxLines": 1000}'),
        "alerts/points.py": contact_points('Slack(url=env_secret("SLACK_URL"), username="grafana-bot")'),
        "dashboards/shop.py": dashboard(time_series(extra='\n    links=[{"title": "Runbook", '
                                                          '"url": "https://runbooks.example.com/shop?tab=2"}],')),
    }),
    Case("a token-looking value in a datasource's json_data", files={
        "datasources/stack.py": datasources(f'{{"httpHeaderName1": "X-Scope-OrgID", "tenant": "{TOKEN}"}}'),
    }, expect=[Expect("datasources/stack.py", at="json_data=", message="jsonData.tenant looks like a generated token")]),
    Case("a token-looking value in a contact point's plain setting", files={
        "alerts/points.py": contact_points(f'Slack(url=env_secret("SLACK_URL"), username="{TOKEN}")'),
    }, expect=[Expect("alerts/points.py", at="ContactPoint(", message="slack.username looks like a generated")]),
    Case("an API key in a dashboard link", files={"dashboards/shop.py": DASHBOARD_LINK},
         expect=[Expect("dashboards/shop.py", at="@dashboard", message="query parameter 'api_key'")]),
    Case("an access token in a panel link", files={"dashboards/shop.py": dashboard(LINKED_PANEL)},
         expect=[Expect("dashboards/shop.py", at='title="Requests"',
                        message="links[0].url is a URL where its query parameter 'access_token'")]),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(make_project, case):
    found = check_case(make_project, RULE, case)
    assert all(TOKEN[:6] not in finding.message for finding in found)


CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "dashboards"


def corpus_links(model):
    """Every link string of a dashboard: its own links, and its panels' links and data links."""
    def panels(items):
        for panel in items or []:
            yield panel
            yield from panels(panel.get("panels"))

    found = dict(string_leaves(model.get("links", []), "links"))
    for number, panel in enumerate(panels(model.get("panels"))):
        found.update(string_leaves(panel.get("links", []), f"panels[{number}].links"))
        defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
        found.update(string_leaves(defaults.get("links", []), f"panels[{number}].fieldConfig.defaults.links"))
    return found


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/dashboards is absent")
def test_real_dashboards_links_raise_no_false_alarm():
    """The links of public dashboards (runbooks, Explore, other dashboards) are not credentials."""
    check = get_rule(RULE)
    environment = Environment(name="dev", namespace="dev")
    count = 0
    for path in sorted(CORPUS.glob("*.json")):
        model = json.loads(path.read_text(encoding="utf-8"))
        values = corpus_links(model.get("dashboard", model))
        count += len(values)
        context = SettingsContext(environment=environment, kind="dashboard", name=path.stem, values=values,
                                  location=SourceLocation(file=path.name))
        assert check.run(context) == [], path.name
    assert count >= 20
