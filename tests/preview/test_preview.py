"""`dashctl preview` against the Grafana API emulator over loopback: what lands in Grafana, and how many writes."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from tests.grafana_emulator import Fault, GrafanaEmulator
from tests.grafana_emulator.fixtures import grafana_emulator  # noqa: F401 - the fixture

from dashctl.preview.naming import preview_folder_uid, preview_uid

NAME = "feature/checkout"
FOLDER = preview_folder_uid(NAME)

SECOND_DASHBOARD = '''
from grafanalib.core import Dashboard, DashboardLink, Target, TimeSeries

from dashctl.definitions import dashboard


@dashboard(uid="shop-db", folder="Shop")
def shop_db(env):
    return Dashboard(
        title="Shop DB",
        links=[DashboardLink(title="API", uri="/d/shop-api/shop-api", type="link")],
        panels=[TimeSeries(title="Up", description="MongoDB up.", dataSource="metrics",
                           targets=[Target(expr="mongodb_up", refId="A")])],
    )
'''


@pytest.fixture
def grafana(grafana_emulator):  # noqa: F811
    grafana_emulator.add_datasource(uid="prom-dev", name="Prometheus", type="prometheus", is_default=True)
    grafana_emulator.add_datasource(uid="loki-dev", name="Loki", type="loki")
    return grafana_emulator


@pytest.fixture
def project(make_project):
    return make_project({"dashboards/shop_db.py": SECOND_DASHBOARD})


def preview(project, grafana, *args, token=None):
    env = {"GRAFANA_TOKEN": token or grafana.token, "GRAFANA_USER": None, "GRAFANA_PASSWORD": None}
    from dashctl.cli.main import cli

    before = os.getcwd()
    os.chdir(project.root)
    try:
        result = CliRunner(env=env).invoke(
            cli, ["preview", "--env", "dev", "--grafana-url", grafana.url, "--name", NAME, *args]
        )
    finally:
        os.chdir(before)
    return result


def stored(grafana):
    return grafana.state.org(1).dashboards


def test_first_push_creates_the_folder_and_previews(project, grafana):
    result = preview(project, grafana)
    assert result.exit_code == 0, result.stderr
    dashboards = stored(grafana)
    api, db = preview_uid(NAME, "shop-api"), preview_uid(NAME, "shop-db")
    assert set(dashboards) == {api, db}
    assert all(record.folder_uid == FOLDER for record in dashboards.values())
    assert dashboards[api].title == f"[{NAME}] Shop API"
    assert "dashctl-preview" in dashboards[api].tags
    assert grafana.state.org(1).folders[FOLDER].title == f"Preview: {NAME}"
    # Links between previewed dashboards point at the preview copies.
    assert dashboards[db].data["links"][0]["url"] == f"/d/{api}/shop-api"
    assert f"{grafana.url}/d/{api}" in result.stdout
    assert f"{grafana.url}/d/{db}" in result.stdout
    assert grafana.token not in result.stdout + result.stderr


def test_second_run_sends_no_write(project, grafana):
    assert preview(project, grafana).exit_code == 0
    grafana.clear_requests()
    result = preview(project, grafana, "--output", "json")
    assert result.exit_code == 0, result.stderr
    assert grafana.writes == ()
    report = json.loads(result.stdout)
    assert report["writes"] == 0
    assert report["summary"]["unchanged"] == 3  # the folder and two dashboards


def test_one_changed_dashboard_is_one_write_after_claiming_the_folder(project, grafana):
    preview(project, grafana)
    project.write("dashboards/shop_db.py", SECOND_DASHBOARD.replace('"Up"', '"Up (MongoDB)"'))
    grafana.clear_requests()
    result = preview(project, grafana)
    assert result.exit_code == 0, result.stderr
    # The folder update claims the preview for this run (a run at the same time would get 412), then one save.
    assert [(r.method, r.path) for r in grafana.writes] == [("PUT", f"/api/folders/{FOLDER}"), ("POST", "/api/dashboards/db")]
    record = stored(grafana)[preview_uid(NAME, "shop-db")]
    assert record.data["panels"][0]["title"] == "Up (MongoDB)"
    assert record.version == 2


def test_dashboard_removed_from_definitions_disappears_from_the_preview(project, grafana):
    preview(project, grafana)
    (project.root / "dashboards/shop_db.py").unlink()
    result = preview(project, grafana)
    assert result.exit_code == 0, result.stderr
    assert set(stored(grafana)) == {preview_uid(NAME, "shop-api")}


def test_delete_removes_the_preview_and_only_it(project, grafana):
    grafana.add_folder("shop", "Shop")
    deployed = grafana.add_dashboard({"uid": "shop-api", "title": "Shop API", "panels": []}, folder_uid="shop")
    preview(project, grafana)
    result = preview(project, grafana, "--delete")
    assert result.exit_code == 0, result.stderr
    assert set(stored(grafana)) == {"shop-api"}
    assert FOLDER not in grafana.state.org(1).folders
    assert stored(grafana)["shop-api"].version == deployed["version"]
    again = preview(project, grafana, "--delete")
    assert again.exit_code == 0


def test_deployed_dashboard_with_the_same_title_is_untouched(project, grafana):
    grafana.add_folder("shop", "Shop")
    grafana.add_dashboard({"uid": "shop-api", "title": "Shop API", "panels": []}, folder_uid="shop")
    before = json.dumps(stored(grafana)["shop-api"].data, sort_keys=True)
    assert preview(project, grafana).exit_code == 0
    assert preview(project, grafana).exit_code == 0
    record = stored(grafana)["shop-api"]
    assert json.dumps(record.data, sort_keys=True) == before
    assert record.folder_uid == "shop" and record.version == 1
    written = {r.path for r in grafana.writes}
    assert not any("shop-api" in path and "pv-" not in path for path in written)


def test_wrong_token_is_exit_4_with_status_and_no_token(project, grafana):
    result = preview(project, grafana, token="glsa_wrongwrongwrongwrongwrongwrong_12345678")
    assert result.exit_code == 4
    assert "401" in result.stderr
    assert "glsa_wrong" not in result.stderr + result.stdout
    assert stored(grafana) == {}


def test_missing_datasource_is_reported_before_any_write(project, grafana_emulator):  # noqa: F811
    grafana_emulator.add_datasource(uid="prom-dev", name="Prometheus", type="prometheus")
    result = preview(project, grafana_emulator)
    assert result.exit_code == 4
    assert "'loki-dev'" in result.stderr and "shop-api" in result.stderr
    assert grafana_emulator.writes == ()


def test_transient_failures_still_leave_every_object_correct_once(project, grafana):
    for index in range(8):
        project.write(f"dashboards/extra_{index}.py", SECOND_DASHBOARD.replace("shop-db", f"extra-{index}")
                      .replace("Shop DB", f"Extra {index}").replace("def shop_db", f"def extra_{index}"))
    grafana.inject(Fault.respond(503, retry_after=0), Fault.respond(502), Fault.drop_connection(), Fault.respond(429),
                   rate=0.2, seed=11, times=None)
    result = preview(project, grafana)
    assert result.exit_code == 0, result.stderr
    assert any(r.fault for r in grafana.requests), "the fault plan never fired"
    grafana.faults.clear()
    expected = {preview_uid(NAME, uid) for uid in ["shop-api", "shop-db", *[f"extra-{i}" for i in range(8)]]}
    assert set(stored(grafana)) == expected
    titles = [record.title for record in stored(grafana).values()]
    assert len(titles) == len(set(titles))
    grafana.clear_requests()
    assert preview(project, grafana).exit_code == 0
    assert grafana.writes == ()


def test_dry_run_writes_nothing_and_says_what_would_change(project, grafana):
    result = preview(project, grafana, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert grafana.writes == ()
    assert "would have created dashboard" in result.stderr


def test_missing_credentials_is_a_usage_error(project, grafana):
    from dashctl.cli.main import cli

    before = os.getcwd()
    os.chdir(project.root)
    try:
        result = CliRunner(env={"GRAFANA_TOKEN": None, "GRAFANA_USER": None}).invoke(
            cli, ["preview", "--env", "dev", "--grafana-url", grafana.url, "--name", "x"]
        )
    finally:
        os.chdir(before)
    assert result.exit_code == 2
    assert "GRAFANA_TOKEN" in result.stderr


def test_unreachable_grafana_is_exit_4(project):
    with GrafanaEmulator() as grafana:
        url, token = grafana.url, grafana.token
    env = {"GRAFANA_TOKEN": token}
    from dashctl.cli.main import cli

    before = os.getcwd()
    os.chdir(project.root)
    try:
        result = CliRunner(env=env).invoke(
            cli, ["preview", "--env", "dev", "--grafana-url", url, "--name", "x", "--retry-budget", "0.5"]
        )
    finally:
        os.chdir(before)
    assert result.exit_code == 4
    assert url.split("//")[1] in result.stderr


def with_rules(make_project):
    from tests.alerts.sources import RULES

    return make_project({"dashboards/shop_db.py": SECOND_DASHBOARD, "alerts/shop.py": RULES})


def test_rule_groups_go_in_paused_in_the_preview_folder_and_are_not_resent(make_project, grafana):
    project = with_rules(make_project)
    result = preview(project, grafana)
    assert result.exit_code == 0, result.stderr
    org = grafana.state.org(1)
    groups = {title for (folder, title) in org.groups if folder == FOLDER}
    assert groups == {"Shop - shop-http", "Shop - shop-logs"}
    assert all(folder == FOLDER for (folder, _) in org.groups)
    rule = org.rules[preview_uid(NAME, "shop-5xx-ratio")]
    assert rule["isPaused"] is True
    assert rule["title"] == f"[{NAME}] Shop 5xx ratio high"
    assert rule["annotations"]["__dashboardUid__"] == preview_uid(NAME, "shop-api")
    assert not rule.get("notification_settings")
    put = [r for r in grafana.requests if r.method == "PUT" and "rule-groups" in r.path]
    assert len(put) == 2
    grafana.clear_requests()
    again = preview(project, grafana)
    assert again.exit_code == 0, again.stderr
    assert grafana.writes == (), [(r.method, r.path) for r in grafana.writes]


def test_a_removed_rule_group_is_deleted_and_delete_removes_the_rest(make_project, grafana):
    project = with_rules(make_project)
    preview(project, grafana)
    text = (project.root / "alerts/shop.py").read_text()
    project.write("alerts/shop.py", text[: text.index('@rule_group(name="shop-logs"')])
    assert preview(project, grafana).exit_code == 0
    org = grafana.state.org(1)
    assert {title for (_, title) in org.groups} == {"Shop - shop-http"}
    assert preview(project, grafana, "--delete").exit_code == 0
    assert org.groups == {} and org.rules == {}
    assert FOLDER not in org.folders


def test_watch_yields_the_files_changed_between_polls(make_project):
    from dashctl.preview.session import watch_changes
    from dashctl.project.config import load_project

    project = make_project()
    shop = project.root / "dashboards/shop.py"
    stack = project.root / "datasources/stack.py"
    polls = []

    def edit_shop():
        shop.write_text(shop.read_text() + "\n# edit\n")
        os.utime(shop, ns=(10**18, 10**18))  # a distinct mtime even on a coarse clock

    edits = iter([lambda: None, edit_shop, stack.unlink])

    def sleep(_seconds):
        polls.append(1)
        next(edits)()

    changes = watch_changes(load_project(project.root), interval=0, sleep=sleep)
    assert next(changes) == [shop]
    assert len(polls) == 2, "a poll without a change yields nothing"
    assert next(changes) == [stack]


def test_insecure_and_ca_cert_contradict(project, grafana, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate")
    result = preview(project, grafana, "--insecure", "--ca-cert", str(bundle))
    assert result.exit_code == 2
    assert "contradict" in result.stderr


def test_insecure_warns(project, grafana):
    result = preview(project, grafana, "--insecure")
    assert result.exit_code == 0, result.stderr
    assert "not verified" in result.stderr


def test_a_folder_created_meanwhile_by_another_run_is_reported_and_nothing_written(project, grafana):
    # Another run created the folder between this run's read and its create: this run's create answers 409.
    grafana.inject(Fault.respond(409, after_handling=True), method="POST", path="/api/folders", times=1)
    result = preview(project, grafana)
    assert result.exit_code == 4
    assert "changed by someone else while this run ran" in result.stderr and "wrote nothing" in result.stderr
    assert stored(grafana) == {}
    assert preview(project, grafana).exit_code == 0


def test_a_folder_changed_meanwhile_is_reported_and_nothing_written(project, grafana):
    preview(project, grafana)
    project.write("dashboards/shop_db.py", SECOND_DASHBOARD.replace('"Up"', '"Up (MongoDB)"'))
    grafana.inject(Fault.respond(412), method="PUT", path=f"/api/folders/{FOLDER}", times=1)
    grafana.clear_requests()
    result = preview(project, grafana)
    assert result.exit_code == 4 and "wrote nothing" in result.stderr
    assert [r.method for r in grafana.writes] == ["PUT"]


def test_tag_based_links_list_only_the_preview_copies(make_project):
    from dashctl.compiler.pipeline import build_project
    from dashctl.preview.plan import plan_preview, preview_tag
    from dashctl.project.config import load_project

    project = make_project({"dashboards/shop_db.py": SECOND_DASHBOARD.replace(
        'links=[DashboardLink(title="API", uri="/d/shop-api/shop-api", type="link")]',
        'links=[DashboardLink(title="API", uri="/d/shop-api/shop-api", type="link"), '
        'DashboardLink(title="Shop", type="dashboards", tags=["shop"])], tags=["shop"]')})
    build = build_project(load_project(project.root), ["dev"]).environments[0]
    plan = plan_preview(build, NAME)
    (db,) = [d for d in plan.dashboards if d.original_uid == "shop-db"]
    link_tags = [link.get("tags") for link in db.model["links"] if link["type"] == "dashboards"]
    assert link_tags == [sorted(["shop", preview_tag(NAME)])]
    assert preview_tag(NAME) in db.model["tags"] and "shop" in db.model["tags"]
    assert [link["url"] for link in db.model["links"] if link["type"] == "link"] == [f"/d/{preview_uid(NAME, 'shop-api')}/shop-api"]
