"""The emulator answers like Grafana (spec `reference/grafana-api.md`), checked over raw HTTP on loopback."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from .faults import Fault
from .fixtures import grafana_emulator  # noqa: F401 - the fixture
from .formats import format_prometheus_duration, parse_prometheus_duration, slugify
from .server import GrafanaEmulator
from .state import Identity, Settings

Json = dict[str, Any]


class Api:
    """Raw HTTP to the emulator with fixed headers; answers are `requests.Response`s."""

    def __init__(self, url: str, headers: dict[str, str]):
        self.url = url
        self.session = requests.Session()
        self.session.headers.update(headers)

    def __call__(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.url + path, timeout=5, **kwargs)

    def save(self, dashboard: Json, **fields: Any) -> requests.Response:
        return self("POST", "/api/dashboards/db", json={"dashboard": dashboard, **fields})


@pytest.fixture
def emulator(grafana_emulator: GrafanaEmulator) -> GrafanaEmulator:  # noqa: F811 - the fixture
    grafana_emulator.add_folder("ops", "Ops")
    return grafana_emulator


@pytest.fixture
def api(emulator: GrafanaEmulator) -> Iterator[Api]:
    api = Api(emulator.url, {"Authorization": f"Bearer {emulator.token}"})
    yield api
    api.session.close()


def anonymous(emulator: GrafanaEmulator, **headers: str) -> Api:
    return Api(emulator.url, headers)


def rule(uid: str = "", **fields: Any) -> Json:
    body: Json = {
        "uid": uid,
        "title": f"rule {uid}",
        "condition": "A",
        "data": [{"refId": "A", "relativeTimeRange": {"from": 600, "to": 0}, "datasourceUid": "prom", "model": {}}],
        "noDataState": "NoData",
        "execErrState": "Error",
        "for": "5m",
    }
    body.update(fields)
    return body


# Lifecycle


def test_serves_on_an_ephemeral_loopback_port_and_leaves_no_thread_behind() -> None:
    before = set(threading.enumerate())
    with GrafanaEmulator() as emulator:
        assert emulator.url.startswith("http://127.0.0.1:") and not emulator.url.endswith(":0")
        with requests.Session() as session:  # keeps a connection (and its handler thread) open
            assert session.get(emulator.url + "/api/health", timeout=5).status_code == 200
            assert len(emulator.threads()) == 2
        emulator.stop()  # stopping while a kept-alive connection may still be open
        assert emulator.threads() == []
    assert set(threading.enumerate()) == before
    with pytest.raises(RuntimeError):
        emulator.url  # noqa: B018


# Health and auth


def test_health_needs_no_credentials_and_is_pretty_printed(emulator: GrafanaEmulator) -> None:
    answer = anonymous(emulator)("GET", "/api/health")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert answer.json() == {"database": "ok", "version": "12.0.1", "commit": "emulator"}
    assert answer.text.startswith('{\n  "database": "ok"')
    assert anonymous(emulator)("HEAD", "/api/health").status_code == 200
    assert anonymous(emulator)("GET", "/healthz").text == "Ok"
    emulator.state.settings.database_ok = False
    assert anonymous(emulator)("GET", "/api/health").json()["database"] == "failing"


def test_no_credentials_get_the_authn_401_body(emulator: GrafanaEmulator) -> None:
    answer = anonymous(emulator)("GET", "/api/org")
    assert answer.status_code == 401
    assert answer.text == (
        '{"extra":null,"message":"Unauthorized","messageId":"auth.unauthorized","statusCode":401,"traceID":""}'
    )


@pytest.mark.parametrize(
    ("state", "message_id", "message"),
    [
        (None, "api-key.invalid", "Invalid API key"),
        ("expired", "api-key.expired", "Expired API key"),
        ("revoked", "api-key.revoked", "Revoked API key"),
    ],
)
def test_bad_tokens_get_their_own_401(
    emulator: GrafanaEmulator, state: str | None, message_id: str, message: str
) -> None:
    token = "glsa_SomeOtherToken0123456789abcdefghij_12345678"
    if state:
        emulator.add_token(token, Identity(login="sa-old", token_state=state))
    answer = anonymous(emulator, Authorization=f"Bearer {token}")("GET", "/api/org")
    assert answer.status_code == 401
    assert (answer.json()["messageId"], answer.json()["message"]) == (message_id, message)


def test_basic_auth_and_the_api_key_pseudo_user(emulator: GrafanaEmulator) -> None:
    def basic(user: str, password: str) -> int:
        encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
        return anonymous(emulator, Authorization=f"Basic {encoded}")("GET", "/api/org").status_code

    assert basic("admin", "admin") == 200
    assert basic("api_key", emulator.token) == 200
    assert basic("admin", "wrong") == 401


def test_org_selection_query_wins_and_tokens_are_org_scoped(emulator: GrafanaEmulator) -> None:
    emulator.add_org(2, "Second")
    emulator.add_user("multi", "pw", Identity(login="multi", other_orgs=frozenset({2})))
    user = Api(emulator.url, {"Authorization": "Basic " + base64.b64encode(b"multi:pw").decode()})
    assert user("GET", "/api/org", headers={"X-Grafana-Org-Id": "2"}).json()["name"] == "Second"
    assert user("GET", "/api/org?targetOrgId=1", headers={"X-Grafana-Org-Id": "2"}).json()["name"] == "Main Org."
    token = anonymous(emulator, Authorization=f"Bearer {emulator.token}")
    answer = token("GET", "/api/org", headers={"X-Grafana-Org-Id": "2"})
    assert (answer.status_code, answer.json()["messageId"]) == (401, "api-key.organization-mismatch")


def test_a_role_too_low_gets_the_rbac_403(emulator: GrafanaEmulator) -> None:
    emulator.add_token("viewer", Identity(login="sa-viewer", role="Viewer"))
    viewer = anonymous(emulator, Authorization="Bearer viewer")
    assert viewer("GET", "/api/search").status_code == 200
    answer = viewer("POST", "/api/folders", json={"title": "X"})
    assert answer.status_code == 403
    body = answer.json()
    assert set(body) == {"title", "message", "accessErrorId"} and body["title"] == "Access denied"
    assert body["message"].endswith("Permissions needed: folders:create")
    assert body["accessErrorId"].startswith("ACE") and len(body["accessErrorId"]) == 13


def test_unknown_routes_and_bad_json(api: Api) -> None:
    unknown = api("GET", "/api/nothing")
    assert (unknown.status_code, unknown.json()) == (404, {"message": "Not found"})
    answer = api("POST", "/api/dashboards/db", data=b"{not json")
    assert (answer.status_code, answer.json()) == (400, {"message": "bad request data", "traceID": ""})
    assert api("POST", "/api/dashboards/db", json={"folderUid": ""}).status_code == 400  # dashboard is required


# Dashboards: the save algorithm of spec §3.2


def test_save_creates_version_1_and_writes_id_uid_version_title_into_the_model(api: Api) -> None:
    answer = api.save({"uid": " cpu ", "title": "  CPU / Usage ", "id": None, "version": 7}, folderUid="ops")
    assert answer.status_code == 200
    body = answer.json()
    assert body == {
        "status": "success", "id": body["id"], "uid": "cpu", "url": "/d/cpu/cpu-2f-usage", "slug": "cpu-2f-usage",
        "version": 1, "folderUid": "ops",
    }  # fmt: skip
    stored = api("GET", "/api/dashboards/uid/cpu").json()
    assert {k: stored["dashboard"][k] for k in ("id", "uid", "version", "title")} == {
        "id": body["id"], "uid": "cpu", "version": 1, "title": "CPU / Usage",
    }  # fmt: skip
    meta = stored["meta"]
    assert (meta["folderUid"], meta["folderTitle"], meta["version"], meta["type"]) == ("ops", "Ops", 1, "db")


def test_version_is_only_read_when_id_or_uid_is_present(api: Api) -> None:
    first = api.save({"title": "No identity", "version": 5}).json()
    second = api.save({"title": "No identity", "version": 5}).json()
    assert first["uid"] != second["uid"]  # no uid: a new dashboard each time, no title uniqueness since 11.3
    assert (first["version"], second["version"]) == (1, 1)
    assert first["uid"][0] in "abcdef"
    assert api.save({"uid": "x", "title": "X"}).json()["version"] == 1
    answer = api.save({"uid": "x", "title": "X"})  # uid present, version missing: 0 against stored 1
    assert (answer.status_code, answer.json()["status"]) == (412, "version-mismatch")


@pytest.mark.parametrize(
    ("dashboard", "extra", "status", "body"),
    [
        ({"uid": "a", "title": "  "}, {}, 400, {"status": "empty-name", "message": "Dashboard title cannot be empty"}),
        ({"uid": "a", "title": "x" * 5001}, {}, 400,
         {"status": "title-too-long", "message": "Dashboard title cannot contain more than 5 000 characters"}),
        ({"uid": "a", "title": "T"}, {"message": "m" * 501}, 400, {"message": "message too long, max 500 characters"}),
        ({"uid": "a b", "title": "T"}, {}, 400, {"message": "uid contains illegal characters"}),
        ({"uid": "a" * 41, "title": "T"}, {}, 400, {"message": "uid too long, max 40 characters"}),
        ({"uid": "a", "title": "T"}, {"folderUid": "nope"}, 400, {"message": "folder not found"}),
        ({"id": 999, "title": "T"}, {}, 404, {"status": "not-found", "message": "Dashboard not found"}),
        ({"uid": "ops", "title": "T"}, {}, 400, {"message": "Dashboard cannot be changed to a folder"}),
        ({"uid": "a", "title": "T"}, {"isFolder": True}, 400, {"message": "Use folders endpoint for saving folders."}),
    ],
)  # fmt: skip
def test_save_rejections(api: Api, dashboard: Json, extra: Json, status: int, body: Json) -> None:
    answer = api.save(dashboard, **extra)
    assert (answer.status_code, answer.json()) == (status, body)


def test_version_mismatch_and_overwrite(api: Api, emulator: GrafanaEmulator) -> None:
    api.save({"uid": "cpu", "title": "CPU"})
    emulator.add_dashboard({"uid": "cpu", "title": "CPU edited"})  # now version 2
    stale = api.save({"uid": "cpu", "title": "CPU", "version": 1})
    assert (stale.status_code, stale.json()) == (
        412, {"status": "version-mismatch", "message": "The dashboard has been changed by someone else"},
    )  # fmt: skip
    assert api.save({"uid": "cpu", "title": "CPU", "version": 1}, overwrite=True).json()["version"] == 3
    assert api.save({"uid": "cpu", "title": "CPU", "version": 3}).json()["version"] == 4


def test_save_by_id_and_uid_conflicts(api: Api) -> None:
    a = api.save({"uid": "a", "title": "A"}).json()
    api.save({"uid": "b", "title": "B"})
    clash = api.save({"id": a["id"], "uid": "b", "title": "A", "version": 1})
    assert (clash.status_code, clash.json()) == (400, {"message": "A dashboard with the same uid already exists"})
    by_id = api.save({"id": a["id"], "title": "A by id", "version": 1}).json()  # uid adopted from the row
    assert (by_id["uid"], by_id["version"]) == ("a", 2)


def test_plugin_and_provisioned_dashboards(api: Api, emulator: GrafanaEmulator) -> None:
    emulator.add_dashboard({"uid": "plug", "title": "Plugin"}, plugin_id="some-app")
    answer = api.save({"uid": "plug", "title": "Plugin", "version": 1})
    assert answer.json() == {"status": "plugin-dashboard", "message": "The dashboard belongs to plugin some-app."}
    emulator.add_dashboard({"uid": "prov", "title": "Provisioned"}, provisioned=True)
    answer = api.save({"uid": "prov", "title": "Provisioned"}, overwrite=True)
    assert (answer.status_code, answer.json()) == (400, {"message": "Cannot save provisioned dashboard"})
    answer = api("DELETE", "/api/dashboards/uid/prov")
    assert (answer.status_code, answer.json()) == (400, {"message": "provisioned dashboard cannot be deleted"})


@pytest.mark.parametrize(
    ("refresh", "stored"), [("1s", "5s"), ("nonsense", "5s"), ("10s", "10s"), ("1m", "1m"), ("auto", "auto"), ("", "")]
)
def test_refresh_below_the_minimum_is_raised(api: Api, refresh: str, stored: str) -> None:
    api.save({"uid": "r", "title": "R", "refresh": refresh})
    assert api("GET", "/api/dashboards/uid/r").json()["dashboard"]["refresh"] == stored


def test_every_save_appends_a_version_even_when_identical(api: Api, emulator: GrafanaEmulator) -> None:
    for _ in range(3):
        api.save({"uid": "v", "title": "V"}, overwrite=True, message="same")
    versions = api("GET", "/api/dashboards/uid/v/versions").json()["versions"]
    assert [(v["version"], v["parentVersion"]) for v in versions] == [(3, 2), (2, 1), (1, 0)]
    emulator.state.settings.version = "11.6.0"
    assert isinstance(api("GET", "/api/dashboards/uid/v/versions").json(), list)  # [11] answers an array


def test_grafana_11_2_refuses_a_second_dashboard_with_the_same_name() -> None:
    with GrafanaEmulator(Settings(version="11.2.0")) as emulator:
        api = Api(emulator.url, {"Authorization": f"Bearer {emulator.token}"})
        first = api.save({"uid": "one", "title": "Same"}).json()
        clash = api.save({"uid": "two", "title": "Same"})
        assert (clash.status_code, clash.json()["status"]) == (412, "name-exists")
        taken_over = api.save({"uid": "two", "title": "Same"}, overwrite=True).json()
        assert (taken_over["uid"], taken_over["id"], taken_over["version"]) == ("one", first["id"], 2)
        api.session.close()


def test_get_and_delete_dashboard_bodies(api: Api) -> None:
    missing = api("GET", "/api/dashboards/uid/nope")
    assert (missing.status_code, missing.json()) == (404, {"message": "Dashboard not found", "traceID": ""})
    api.save({"uid": "cpu", "title": "CPU"})
    assert api("GET", "/api/dashboards/uid/cpu").json()["meta"]["folderTitle"] == "General"
    answer = api("DELETE", "/api/dashboards/uid/cpu")
    assert answer.json() == {"title": "CPU", "message": "Dashboard CPU deleted", "uid": "cpu"}
    assert api("DELETE", "/api/dashboards/uid/cpu").status_code == 404
    assert api("DELETE", "/api/dashboards/uid/ops").json() == {"message": "Use folders endpoint for deleting folders."}


def test_search_filters_orders_and_pages(api: Api, emulator: GrafanaEmulator) -> None:
    emulator.add_folder("zed", "Zed")
    api.save({"uid": "b", "title": "beta", "tags": ["prod", "x"]}, folderUid="ops")
    api.save({"uid": "a", "title": "Alpha", "tags": ["prod"]})

    def uids(query: str) -> list[str]:
        return [hit["uid"] for hit in api("GET", "/api/search" + query).json()]

    assert uids("") == ["ops", "zed", "a", "b"]  # folders first, then titles case-insensitively
    assert uids("?type=dash-db&tag=prod&tag=x") == ["b"]
    assert uids("?folderUIDs=general") == ["ops", "zed", "a"]
    assert uids("?folderUIDs=ops") == ["b"]
    assert uids("?query=ALP") == ["a"]
    assert uids("?dashboardUIDs=b&dashboardUIDs=a&type=dash-db") == ["a", "b"]
    assert uids("?limit=1&page=3") == ["a"]
    hit = api("GET", "/api/search?query=beta").json()[0]
    assert (hit["uri"], hit["folderUid"], hit["folderTitle"], hit["tags"]) == ("db/beta", "ops", "Ops", ["prod", "x"])
    root_hit = api("GET", "/api/search?query=alpha").json()[0]
    assert "folderUid" not in root_hit
    assert api("GET", "/api/search?limit=5001").status_code == 422


# Folders


def test_folder_errors(api: Api) -> None:
    def create(**body: Any) -> tuple[int, Json]:
        answer = api("POST", "/api/folders", json=body)
        return answer.status_code, answer.json()

    assert create(uid="ops", title="Again") == (
        409, {"message": "a folder/dashboard with the same uid already exists", "traceID": ""},
    )  # fmt: skip
    assert create(title="") == (400, {"message": "folder title cannot be empty"})
    assert create(title="general") == (400, {"message": "A folder with that name already exists"})
    assert create(uid="bad uid", title="X") == (400, {"message": "uid contains illegal characters"})
    assert create(title="X", parentUid="nope") == (404, {"status": "not-found", "message": "folder not found"})
    assert create(title="Ops")[0] == 200  # duplicate titles are allowed since 11.3
    missing = api("GET", "/api/folders/nope")
    assert (missing.status_code, missing.json()) == (404, {"status": "not-found", "message": "folder not found"})


def test_folder_nesting_stops_at_four_ancestors(api: Api) -> None:
    parent = "ops"
    for depth in range(1, 5):
        answer = api("POST", "/api/folders", json={"uid": f"f{depth}", "title": f"F{depth}", "parentUid": parent})
        assert answer.status_code == 200
        parent = f"f{depth}"
    assert [p["uid"] for p in answer.json()["parents"]] == ["ops", "f1", "f2", "f3"]
    too_deep = api("POST", "/api/folders", json={"title": "F5", "parentUid": "f4"})
    assert (too_deep.status_code, too_deep.json()["message"]) == (
        400, "[folder.maximum-depth-reached] Maximum nested folder depth reached",
    )  # fmt: skip


def test_folder_update_checks_the_version(api: Api) -> None:
    stale = api("PUT", "/api/folders/ops", json={"title": "Operations", "version": 7})
    assert (stale.status_code, stale.json()) == (
        412, {"status": "version-mismatch", "message": "the folder has been changed by someone else"},
    )  # fmt: skip
    updated = api("PUT", "/api/folders/ops", json={"title": "Operations", "version": 1}).json()
    assert (updated["title"], updated["version"]) == ("Operations", 2)
    assert api("PUT", "/api/folders/ops", json={"title": "Ops", "overwrite": True}).json()["version"] == 3


def test_folder_delete_cascades_and_guards_alert_rules(api: Api, emulator: GrafanaEmulator) -> None:
    emulator.add_folder("child", "Child", parent_uid="ops")
    api.save({"uid": "inner", "title": "Inner"}, folderUid="child")
    emulator.add_rule_group("child", "g", rules=[rule("r1")])
    refused = api("DELETE", "/api/folders/ops")
    assert (refused.status_code, refused.json()) == (400, {"message": "folder contains alert rules"})
    answer = api("DELETE", "/api/folders/ops?forceDeleteRules=true")
    assert (answer.status_code, answer.json()) == (200, {"message": "Folder deleted"})
    assert api("GET", "/api/folders/child").status_code == 404
    assert api("GET", "/api/dashboards/uid/inner").status_code == 404
    assert api("GET", "/api/v1/provisioning/alert-rules/r1").status_code == 404


def test_grafana_11_2_refuses_a_second_folder_with_the_same_title() -> None:
    with GrafanaEmulator(Settings(version="11.2.0")) as emulator:
        api = Api(emulator.url, {"Authorization": f"Bearer {emulator.token}"})
        assert api("POST", "/api/folders", json={"title": "Same"}).status_code == 200
        assert api("POST", "/api/folders", json={"title": "Same"}).status_code == 409
        api.session.close()


# Data sources


def test_datasources_list_and_detail(api: Api, emulator: GrafanaEmulator) -> None:
    emulator.add_datasource(uid="prom", name="prometheus", type="prometheus", url="http://prom:9090", is_default=True)
    emulator.add_datasource(uid="loki", name="Loki", type="loki", secure_fields=["basicAuthPassword"])
    listed = api("GET", "/api/datasources").json()
    assert [(d["uid"], d["typeName"]) for d in listed] == [("loki", "Loki"), ("prom", "Prometheus")]
    detail = api("GET", "/api/datasources/uid/loki").json()
    assert detail["secureJsonFields"] == {"basicAuthPassword": True} and detail["version"] == 1
    assert api("GET", "/api/datasources/name/prometheus").json()["url"] == "http://prom:9090"
    missing = api("GET", "/api/datasources/uid/nope")
    assert (missing.status_code, missing.json()) == (404, {"message": "Data source not found"})


# Alerting provisioning

GROUP = "/api/v1/provisioning/folder/ops/rule-groups/latency"


def test_rule_group_put_echoes_the_request_and_get_shows_the_normalised_rules(api: Api) -> None:
    sent = rule("", title="new one", **{"for": "300s"})
    answer = api("PUT", GROUP, json={"interval": 60, "rules": [rule("r1", isPaused=True), sent]})
    assert answer.status_code == 200
    echo = answer.json()
    assert (echo["title"], echo["folderUid"], echo["interval"]) == ("latency", "ops", 60)
    assert (echo["rules"][1]["uid"], echo["rules"][1]["id"], echo["rules"][1]["for"]) == ("", 0, "5m")

    group = api("GET", GROUP).json()
    assert (group["title"], group["folderUid"], group["interval"]) == ("latency", "ops", 60)
    first, second = group["rules"]
    assert first["uid"] == "r1" and first["isPaused"] is True and second["uid"] not in ("", "r1")
    assert second["for"] == "5m" and second["keep_firing_for"] == "0s"
    assert (second["notification_settings"], second["record"], second["isPaused"]) == (None, None, False)
    assert (second["folderUID"], second["ruleGroup"], second["orgID"]) == ("ops", "latency", 1)
    query = second["data"][0]
    assert query["model"] == {"intervalMs": 1000, "maxDataPoints": 43200}
    assert query["relativeTimeRange"] == {"from": 600, "to": 0}
    assert "labels" not in second and "annotations" not in second and "provenance" not in second


def test_rule_group_replace_deletes_absent_rules_and_keeps_ids(api: Api) -> None:
    api("PUT", GROUP, json={"interval": 60, "rules": [rule("r1"), rule("r2")]})
    ids = {r["uid"]: r["id"] for r in api("GET", GROUP).json()["rules"]}
    api("PUT", GROUP, json={"interval": 60, "rules": [rule("r2", title="renamed")]})
    rules = api("GET", GROUP).json()["rules"]
    assert [(r["uid"], r["id"], r["title"]) for r in rules] == [("r2", ids["r2"], "renamed")]
    assert api("GET", "/api/v1/provisioning/alert-rules/r1").status_code == 404
    api("PUT", GROUP, json={"interval": 120})  # no "rules" key: only the interval changes
    assert api("GET", GROUP).json()["interval"] == 120 and len(api("GET", GROUP).json()["rules"]) == 1
    api("PUT", GROUP, json={"interval": 120, "rules": []})
    assert api("GET", GROUP).status_code == 404


def test_rule_group_put_rewrites_rules_even_when_unchanged(api: Api) -> None:
    api("PUT", GROUP, json={"interval": 60, "rules": [rule("r1")]})
    before = api("GET", GROUP).json()["rules"][0]["updated"]
    api("PUT", GROUP, json={"interval": 60, "rules": [rule("r1")]})
    assert api("GET", GROUP).json()["rules"][0]["updated"] > before


def test_rule_group_errors(api: Api) -> None:
    def put(body: Json, path: str = GROUP) -> tuple[int, str]:
        answer = api("PUT", path, json=body)
        return answer.status_code, answer.json()["message"]

    assert put({"interval": 0, "rules": [rule("r1")]}) == (
        400, "invalid alert rule: interval (0s) should be non-zero and divided exactly by scheduler interval: 10",
    )  # fmt: skip
    assert put({"interval": 95, "rules": []})[1].startswith("invalid alert rule: interval (1m35s)")
    assert put({"interval": 60, "rules": [rule("r1", title="")]}) == (400, "invalid alert rule: title is empty")
    assert put({"interval": 60, "rules": [rule("r1", data=[])]}) == (
        400, "invalid alert rule: no queries or expressions are found",
    )  # fmt: skip
    assert put({"interval": 60, "rules": [rule("r1", noDataState="Maybe")]}) == (
        400, "invalid alert rule: unknown NoData state option Maybe",
    )  # fmt: skip
    assert put({"interval": 60, "rules": [rule("r 1")]})[1].startswith(
        "invalid alert rule\ncannot create rule with UID 'r 1': invalid format of UID."
    )
    bad_range = rule("r1", data=[{"refId": "A", "relativeTimeRange": {"from": 0, "to": 0}, "datasourceUid": "p"}])
    assert put({"interval": 60, "rules": [bad_range]}) == (
        400, "invalid alert query A: invalid relative time range: {From:0s To:0s}",
    )  # fmt: skip
    assert put({"interval": 60, "rules": [rule("r1", **{"for": "soon"})]}) == (400, "bad request data")
    assert put({"interval": 60, "rules": [rule("r1")]}, "/api/v1/provisioning/folder/nope/rule-groups/g") == (
        400, "invalid alert rule: folder does not exist",
    )  # fmt: skip


def test_rule_group_get_and_delete_of_a_missing_group(api: Api) -> None:
    for method in ("GET", "DELETE"):
        answer = api(method, GROUP)
        assert (answer.status_code, answer.json()["messageId"]) == (404, "alerting.alert-rule.notFound")
    api("PUT", GROUP, json={"interval": 60, "rules": [rule("r1")]})
    answer = api("DELETE", GROUP)
    assert (answer.status_code, answer.content) == (204, b"")


def test_provenance_follows_the_disable_header(api: Api) -> None:
    api("PUT", GROUP, json={"interval": 60, "rules": [rule("r1")]})
    assert api("GET", "/api/v1/provisioning/alert-rules/r1").json()["provenance"] == "api"
    api("PUT", GROUP, json={"interval": 60, "rules": [rule("r1")]}, headers={"X-Disable-Provenance": "true"})
    assert "provenance" not in api("GET", "/api/v1/provisioning/alert-rules/r1").json()
    assert "provenance" not in api("GET", "/api/v1/provisioning/alert-rules").json()[0]


def test_single_rule_404_has_an_empty_body_and_delete_is_idempotent(api: Api) -> None:
    answer = api("GET", "/api/v1/provisioning/alert-rules/missing")
    assert (answer.status_code, answer.content) == (404, b"")
    assert api("DELETE", "/api/v1/provisioning/alert-rules/missing").status_code == 204


def test_grafana_11_refuses_duplicate_rule_titles_in_a_folder() -> None:
    with GrafanaEmulator(Settings(version="11.6.0")) as emulator:
        emulator.add_folder("ops", "Ops")
        api = Api(emulator.url, {"Authorization": f"Bearer {emulator.token}"})
        api("PUT", GROUP, json={"interval": 60, "rules": [rule("r1", title="Same")]})
        other_group = GROUP.replace("latency", "other")
        answer = api("PUT", other_group, json={"interval": 60, "rules": [rule("r2", title="Same")]})
        assert answer.status_code == 400 and "[alerting.alert-rule.conflict]" in answer.json()["message"]
        api.session.close()


def test_alert_rules_need_an_admin(emulator: GrafanaEmulator) -> None:
    emulator.add_token("editor", Identity(login="sa-editor", role="Editor"))
    answer = anonymous(emulator, Authorization="Bearer editor")("GET", GROUP)
    assert answer.status_code == 403 and answer.json()["message"].endswith("alert.provisioning:read")


# Fault injection and the request log


def test_faults_for_the_next_n_requests(api: Api, emulator: GrafanaEmulator) -> None:
    emulator.inject(Fault.respond(503, retry_after=3), times=2)
    first, second, third = (api("GET", "/api/org") for _ in range(3))
    assert (first.status_code, first.headers["Retry-After"]) == (503, "3")
    assert (second.status_code, third.status_code) == (503, 200)
    assert "text/html" in first.headers["Content-Type"]


def test_faults_by_method_and_path(api: Api, emulator: GrafanaEmulator) -> None:
    emulator.inject(Fault.respond(429), method="POST", path="/api/dashboards/*", times=None)
    assert api("GET", "/api/org").status_code == 200
    assert api.save({"uid": "x", "title": "X"}).status_code == 429
    assert api.save({"uid": "x", "title": "X"}).status_code == 429
    assert api("POST", "/api/folders", json={"title": "Y"}).status_code == 200
    assert emulator.state.orgs[1].dashboards == {}  # answered before handling: nothing stored


def test_a_dropped_connection_gets_no_answer(api: Api, emulator: GrafanaEmulator) -> None:
    emulator.inject(Fault.drop_connection(), times=1)
    with pytest.raises(requests.ConnectionError):
        api("GET", "/api/org")
    assert api("GET", "/api/org").status_code == 200
    assert [(r.status, r.fault) for r in emulator.requests] == [(None, "drop"), (200, None)]


def test_after_handling_the_write_takes_effect_but_the_answer_is_lost(api: Api, emulator: GrafanaEmulator) -> None:
    emulator.inject(Fault.drop_connection(after_handling=True), method="POST", times=1)
    with pytest.raises(requests.ConnectionError):
        api.save({"uid": "x", "title": "X"})
    assert "x" in emulator.state.orgs[1].dashboards
    assert emulator.requests[-1].handled is True


def test_slow_answers(api: Api, emulator: GrafanaEmulator) -> None:
    emulator.inject(Fault.slow(0.5), times=1)
    with pytest.raises(requests.Timeout):
        api.session.get(emulator.url + "/api/org", timeout=0.1)
    assert api("GET", "/api/org").status_code == 200


def test_random_faults_are_reproducible_with_a_seed(emulator: GrafanaEmulator) -> None:
    def statuses(seed: int) -> list[int]:
        emulator.faults.clear()
        emulator.inject(Fault.respond(503), Fault.respond(502), rate=0.2, seed=seed, times=None)
        api = anonymous(emulator)
        codes = [api("GET", "/api/health").status_code for _ in range(50)]
        api.session.close()
        return codes

    first = statuses(seed=1)
    assert first == statuses(seed=1)
    assert first != statuses(seed=2)
    assert 3 <= sum(code != 200 for code in first) <= 20 and {502, 503} <= set(first)


def test_the_request_log_marks_writes(api: Api, emulator: GrafanaEmulator) -> None:
    api("GET", "/api/search?query=x")
    api.save({"uid": "x", "title": "X"})
    api("DELETE", "/api/dashboards/uid/x")
    assert [(r.method, r.path, r.query, r.write) for r in emulator.requests] == [
        ("GET", "/api/search", "query=x", False),
        ("POST", "/api/dashboards/db", "", True),
        ("DELETE", "/api/dashboards/uid/x", "", True),
    ]
    assert len(emulator.writes) == 2
    emulator.clear_requests()
    assert emulator.requests == ()


# Formats


@pytest.mark.parametrize(
    ("title", "slug"),
    [("CPU Overview", "cpu-overview"), ("a  b", "a--b"), ("Rock & Roll", "rock-and-roll"), ("Grüße", "gruesse"),
     ("what? (x).", "what-x"), ("a/b", "a2fb")],
)  # fmt: skip
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slugify_falls_back_to_a_uuid_for_long_or_empty_slugs() -> None:
    assert len(slugify("x" * 51)) == 36 and len(slugify("???")) == 36


@pytest.mark.parametrize(
    ("text", "canonical"), [("300s", "5m"), ("90m", "1h30m"), ("0s", "0s"), ("14d", "2w"), ("1d", "1d")]
)
def test_prometheus_durations_render_canonically(text: str, canonical: str) -> None:
    assert format_prometheus_duration(parse_prometheus_duration(text)) == canonical
