"""GrafanaClient against the Grafana emulator over loopback: results, typed errors, retries and counting."""

from __future__ import annotations

import base64
import email.utils
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from dashctl.errors import (
    GrafanaAuthError,
    GrafanaConflictError,
    GrafanaError,
    GrafanaNotFoundError,
    GrafanaUnavailableError,
    UsageError,
)
from dashctl.grafana import GrafanaClient, RequestCounts, RetryPolicy, RetryWait
from tests.grafana_emulator import Fault, GrafanaEmulator, Identity
from tests.grafana_emulator.fixtures import grafana_emulator  # noqa: F401 - the fixture

VIEWER_TOKEN = "glsa_ViewerToken0123456789abcdefghijkl_00aa11bb"


class Waits(list):
    """The waits a client asked for between retries, recorded instead of waited; `now` is a clock they advance."""

    def __init__(self) -> None:
        super().__init__()
        self.time = 0.0

    def append(self, seconds: float) -> None:
        super().append(round(seconds, 6))
        self.time += seconds

    def now(self) -> float:
        return self.time


# The default policy without jitter, so that waits are exact.
STEADY = RetryPolicy(jitter=0)


@pytest.fixture
def sleeps() -> Waits:
    return Waits()


def waiting(sleeps: Waits, *, retry: RetryPolicy = STEADY) -> dict[str, Any]:
    """Client options that record waits in `sleeps` instead of waiting."""
    return {"sleep": sleeps.append, "clock": sleeps.now, "retry": retry}


@pytest.fixture
def grafana(grafana_emulator: GrafanaEmulator) -> GrafanaEmulator:  # noqa: F811 - the fixture
    grafana_emulator.add_datasource(uid="prom", name="Prometheus", type="prometheus", is_default=True)
    grafana_emulator.add_datasource(uid="logs", name="Loki", type="loki", secure_fields=["password"])
    grafana_emulator.add_folder("ops", "Ops")
    grafana_emulator.add_token(VIEWER_TOKEN, Identity(login="sa-viewer", role="Viewer"))
    return grafana_emulator


@pytest.fixture
def client(grafana: GrafanaEmulator, sleeps: list[float]) -> Iterator[GrafanaClient]:
    with GrafanaClient(grafana.url, token=grafana.token, timeout=5, **waiting(sleeps)) as client:
        yield client


def dashboard(uid: str, title: str = "CPU", **fields: Any) -> dict[str, Any]:
    return {"uid": uid, "title": title, "id": None, "schemaVersion": 39, "panels": [], **fields}


def rule(uid: str, *, paused: bool = True, title: str | None = None) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title or f"rule {uid}",
        "condition": "B",
        "data": [
            {
                "refId": "A",
                "relativeTimeRange": {"from": 600, "to": 0},
                "datasourceUid": "prom",
                "model": {"expr": "up == 0", "refId": "A"},
            },
            {
                "refId": "B",
                "datasourceUid": "__expr__",
                "model": {"type": "threshold", "expression": "A", "refId": "B"},
            },
        ],
        "noDataState": "NoData",
        "execErrState": "Error",
        "for": "300s",
        "labels": {"severity": "page"},
        "isPaused": paused,
    }


# Health and authentication


def test_health_reports_the_grafana_version(client: GrafanaClient) -> None:
    health = client.health()
    assert (health.database, health.version) == ("ok", "12.0.1")


def test_health_with_a_failing_database_is_unavailable_after_retries(
    grafana: GrafanaEmulator, client: GrafanaClient, sleeps: list[float]
) -> None:
    grafana.state.settings.database_ok = False
    with pytest.raises(GrafanaUnavailableError) as caught:
        client.health()
    assert caught.value.status == 503
    # 0.5 + 1 + 2 + 4 + 8 + 10 + 10 + 10 + 10 = 55.5 s of the 60 s budget; one more 10 s wait would exceed it.
    assert sleeps == [0.5, 1, 2, 4, 8, 10, 10, 10, 10]
    assert "gave up after 10 attempts" in caught.value.message


def test_get_org_identifies_the_organisation(client: GrafanaClient) -> None:
    org = client.get_org()
    assert (org.id, org.name) == (1, "Main Org.")


def test_basic_auth_in_the_url_is_used_and_kept_out_of_repr(grafana: GrafanaEmulator) -> None:
    host = grafana.url.removeprefix("http://")
    with GrafanaClient(f"http://{grafana.user}:{grafana.password}@{host}") as client:
        assert client.get_org().id == 1
        assert client.url == grafana.url
        assert grafana.password not in repr(client)


def test_wrong_token_is_an_auth_error_without_the_token(grafana: GrafanaEmulator, sleeps: list[float]) -> None:
    token = "glsa_WrongWrongWrongWrongWrongWrongWron_deadbeef"
    with GrafanaClient(grafana.url, token=token, **waiting(sleeps)) as client:
        with pytest.raises(GrafanaAuthError) as caught:
            client.get_org()
        assert client.counts.attempts == 1
    error = caught.value
    assert error.status == 401
    assert "Invalid API key" in error.message
    assert error.url == f"{grafana.url}/api/org"
    assert token not in str(error) and token not in repr(error) and token not in repr(client)
    assert sleeps == []


def test_wrong_basic_password_is_an_auth_error_without_the_password(grafana: GrafanaEmulator) -> None:
    with GrafanaClient(grafana.url, basic_auth=("admin", "s3cret-guess")) as client:
        with pytest.raises(GrafanaAuthError) as caught:
            client.get_org()
    assert "Unauthorized" in str(caught.value)
    assert "s3cret-guess" not in str(caught.value)


def test_missing_credentials_are_an_auth_error(grafana: GrafanaEmulator) -> None:
    with GrafanaClient(grafana.url) as client, pytest.raises(GrafanaAuthError) as caught:
        client.list_datasources()
    assert caught.value.status == 401


def test_a_viewer_saving_a_dashboard_is_denied_with_grafanas_reason(grafana: GrafanaEmulator) -> None:
    with GrafanaClient(grafana.url, token=VIEWER_TOKEN) as client:
        with pytest.raises(GrafanaAuthError) as caught:
            client.save_dashboard(dashboard("cpu"), overwrite=True)
    assert caught.value.status == 403
    assert "Access denied" in caught.value.message and "dashboards:create" in caught.value.message


def test_a_token_used_in_another_org_is_an_auth_error(grafana: GrafanaEmulator) -> None:
    grafana.add_org(2, "Other")
    with GrafanaClient(grafana.url, token=grafana.token, org_id=2) as client:
        with pytest.raises(GrafanaAuthError, match="does not belong to the requested organization"):
            client.get_org()


def test_credentials_stay_out_of_logs(grafana: GrafanaEmulator, caplog: pytest.LogCaptureFixture) -> None:
    grafana.inject(Fault.respond(503), times=1)
    caplog.set_level(logging.DEBUG)
    with GrafanaClient(grafana.url, token=grafana.token, **waiting(Waits())) as client:
        client.get_org()
    assert caplog.records, "the client logs its requests at debug level"
    assert grafana.token not in caplog.text


def test_a_message_that_echoes_the_token_is_scrubbed(grafana: GrafanaEmulator) -> None:
    grafana.inject(Fault.respond(400, body=f"bad header: Bearer {grafana.token}".encode()), times=1)
    with GrafanaClient(grafana.url, token=grafana.token) as client, pytest.raises(GrafanaError) as caught:
        client.get_org()
    assert caught.value.message == "check the credentials: bad header: Bearer ***"


def straddling(secret: str) -> bytes:
    """A one-line plain-text body in which `secret` starts a few characters before the 200th."""
    return ("x" * 192 + secret + " and more text after it").encode()


def assert_no_part_of(secret: str, text: str) -> None:
    for start in range(len(secret) - 5):
        assert secret[start : start + 6] not in text, f"{secret[start:start + 6]!r} of the secret leaked: {text!r}"


def test_a_token_straddling_the_cut_is_masked_whole(grafana: GrafanaEmulator) -> None:
    grafana.inject(Fault.respond(400, body=straddling(grafana.token)), times=1)
    with GrafanaClient(grafana.url, token=grafana.token) as client, pytest.raises(GrafanaError) as caught:
        client.get_org()
    assert_no_part_of(grafana.token.removeprefix("glsa_"), str(caught.value))
    assert "***" in caught.value.message and len(caught.value.message) < 260


@pytest.mark.parametrize(
    "echo",
    [
        lambda user, password: password,
        lambda user, password: f"{user}:{password}",
        lambda user, password: "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode(),
        lambda user, password: base64.b64encode(f"{user}:{password}".encode()).decode(),
    ],
    ids=["password", "user:password", "authorization header", "base64"],
)
def test_basic_auth_credentials_straddling_the_cut_are_masked_in_every_form(grafana: GrafanaEmulator, echo) -> None:
    password = "Tr0ub4dor-and-3-more-words"
    grafana.add_user("deployer", password, Identity(login="deployer", role="Admin"))
    secret = echo("deployer", password)
    grafana.inject(Fault.respond(400, body=straddling(secret)), times=1)
    with GrafanaClient(grafana.url, basic_auth=("deployer", password)) as client, pytest.raises(GrafanaError) as caught:
        client.get_org()
    assert_no_part_of(password, str(caught.value))
    assert_no_part_of(base64.b64encode(f"deployer:{password}".encode()).decode(), str(caught.value))


def test_a_session_cookie_echoed_in_an_error_is_masked(grafana: GrafanaEmulator) -> None:
    session = "6f1c0e8b9a7d4c3b2a1f0e9d8c7b6a59"
    grafana.inject(Fault.respond(503, headers={"Set-Cookie": f"grafana_session={session}; Path=/"}), times=1)
    grafana.inject(Fault.respond(400, body=straddling(session)), times=1)
    with GrafanaClient(grafana.url, token=grafana.token, **waiting(Waits())) as client:
        with pytest.raises(GrafanaError) as caught:
            client.get_org()
    assert_no_part_of(session, str(caught.value))


def test_credential_shapes_are_masked_whoever_they_belong_to() -> None:
    from dashctl.grafana.redaction import Redactor

    redact = Redactor()
    text = redact(
        "Authorization: Bearer abcdef123456\nCookie: grafana_session=zzzzzzzz; x=1\n"
        "seen glsa_0123456789abcdef0123456789abcdef_0a1b2c3d at https://bob:hunter22@grafana.example/api"
    )
    for leaked in ("abcdef123456", "zzzzzzzz", "glsa_0123", "hunter22"):
        assert leaked not in text


# Plain http


@pytest.mark.parametrize("url", ["http://grafana.example:3000", "http://10.0.0.7", "http://[2001:db8::1]:3000"])
def test_credentials_over_plain_http_to_a_remote_host_are_refused(url: str) -> None:
    with pytest.raises(UsageError, match="unencrypted.*--allow-http"):
        GrafanaClient(url, token="glsa_x")
    with pytest.raises(UsageError, match="unencrypted"):
        GrafanaClient(url, basic_auth=("admin", "admin"))
    GrafanaClient(url, token="glsa_x", allow_http=True).close()
    GrafanaClient(url).close()  # no credentials, nothing to protect
    GrafanaClient(url.replace("http://", "https://"), token="glsa_x").close()


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "localhost", "[::1]", "grafana.localhost"])
def test_credentials_over_plain_http_to_loopback_are_allowed(host: str) -> None:
    GrafanaClient(f"http://{host}:3000", token="glsa_x").close()


def test_a_plain_text_error_body_is_quoted_by_its_first_line(grafana: GrafanaEmulator, client: GrafanaClient) -> None:
    grafana.inject(Fault.respond(413, body=b"request entity too large\nmore detail"), times=1)
    with pytest.raises(GrafanaError) as caught:
        client.save_dashboard(dashboard("big"), overwrite=True)
    assert caught.value.message == "save dashboard 'big': request entity too large"
    assert caught.value.status == 413


def test_a_token_with_a_trailing_newline_works(grafana: GrafanaEmulator) -> None:
    with GrafanaClient(grafana.url, token=grafana.token + "\n") as client:
        assert client.get_org().id == 1


@pytest.mark.parametrize("token", ["glsa_broken\ntoken", "glsa broken", "   "])
def test_a_token_that_cannot_be_sent_is_a_usage_error_without_the_token(token: str) -> None:
    with pytest.raises(UsageError) as caught:
        GrafanaClient("http://127.0.0.1:1", token=token)
    assert "glsa" not in str(caught.value)


def test_a_password_basic_auth_cannot_carry_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as caught:
        GrafanaClient("http://127.0.0.1:1", basic_auth=("admin", "p\u2603ss"))
    assert "\u2603" not in str(caught.value)


def test_a_redirect_is_an_error_not_followed(grafana: GrafanaEmulator, client: GrafanaClient) -> None:
    grafana.inject(Fault.respond(301), times=1)
    with pytest.raises(GrafanaError, match="redirects to") as caught:
        client.save_dashboard(dashboard("cpu"), overwrite=True)
    assert caught.value.status == 301 and len(grafana.writes) == 1


def test_url_without_scheme_or_two_kinds_of_credentials_are_usage_errors() -> None:
    with pytest.raises(UsageError):
        GrafanaClient("grafana.example:3000")
    with pytest.raises(UsageError):
        GrafanaClient("http://grafana", token="t", basic_auth=("u", "p"))


# Folders


def test_folder_create_get_list_update_delete(client: GrafanaClient) -> None:
    created = client.create_folder(uid="preview-x", title="Preview x", parent_uid="ops")
    assert (created.uid, created.title, created.parent_uid, created.version) == ("preview-x", "Preview x", "ops", 1)
    assert client.get_folder("preview-x") == created
    assert [folder.uid for folder in client.list_folders(parent_uid="ops")] == ["preview-x"]
    assert [folder.uid for folder in client.list_folders()] == ["ops"]

    renamed = client.update_folder("preview-x", title="Preview y", version=created.version)
    assert (renamed.title, renamed.version) == ("Preview y", 2)
    assert client.update_folder("preview-x", title="Preview z").version == 3  # no version: overwrite

    client.delete_folder("preview-x")
    assert client.find_folder("preview-x") is None
    with pytest.raises(GrafanaNotFoundError) as caught:
        client.get_folder("preview-x")
    assert caught.value.status == 404 and "folder not found" in caught.value.message


def test_creating_a_folder_whose_uid_exists_is_a_conflict(client: GrafanaClient) -> None:
    with pytest.raises(GrafanaConflictError) as caught:
        client.create_folder(uid="ops", title="Another")
    assert caught.value.status == 409


def test_updating_a_folder_with_a_stale_version_is_a_conflict(client: GrafanaClient) -> None:
    client.update_folder("ops", title="Operations")
    with pytest.raises(GrafanaConflictError) as caught:
        client.update_folder("ops", title="Ops again", version=1)
    assert caught.value.status == 412
    assert "changed by someone else" in caught.value.message


def test_deleting_a_folder_deletes_its_dashboards(client: GrafanaClient) -> None:
    client.save_dashboard(dashboard("inside"), folder_uid="ops", overwrite=True)
    client.delete_folder("ops")
    assert client.find_dashboard("inside") is None


# Dashboards


def test_dashboard_create_get_update_delete(client: GrafanaClient) -> None:
    saved = client.save_dashboard(dashboard("cpu", tags=["team-a"]), folder_uid="ops", message="first")
    assert (saved.uid, saved.version, saved.folder_uid, saved.url) == ("cpu", 1, "ops", "/d/cpu/cpu")

    stored = client.get_dashboard("cpu")
    assert (stored.uid, stored.version, stored.folder_uid) == ("cpu", 1, "ops")
    assert stored.model["id"] == saved.id and stored.model["version"] == 1 and stored.model["tags"] == ["team-a"]

    updated = client.save_dashboard({**stored.model, "title": "CPU usage"}, folder_uid="ops")
    assert updated.version == 2
    assert client.get_dashboard("cpu").model["title"] == "CPU usage"

    client.delete_dashboard("cpu")
    assert client.find_dashboard("cpu") is None
    with pytest.raises(GrafanaNotFoundError):
        client.delete_dashboard("cpu")


def test_saving_with_a_stale_version_is_a_conflict(grafana: GrafanaEmulator, client: GrafanaClient) -> None:
    client.save_dashboard(dashboard("cpu"), overwrite=True)
    mine = client.get_dashboard("cpu").model
    grafana.add_dashboard({**mine, "title": "edited in the UI"})  # someone else saves in between
    with pytest.raises(GrafanaConflictError) as caught:
        client.save_dashboard(mine)
    assert caught.value.status == 412
    assert "version-mismatch" in caught.value.message
    assert client.save_dashboard(mine, overwrite=True).version == 3


def test_saving_into_a_missing_folder_is_a_plain_grafana_error(client: GrafanaClient) -> None:
    with pytest.raises(GrafanaError) as caught:
        client.save_dashboard(dashboard("cpu"), folder_uid="nope", overwrite=True)
    assert type(caught.value) is GrafanaError
    assert (caught.value.status, "folder not found" in caught.value.message) == (400, True)


def test_getting_a_missing_dashboard_is_not_found(client: GrafanaClient) -> None:
    with pytest.raises(GrafanaNotFoundError) as caught:
        client.get_dashboard("missing")
    assert "Dashboard not found" in str(caught.value) and "(HTTP 404)" in str(caught.value)


def test_search_by_folder_and_by_tags(client: GrafanaClient) -> None:
    client.save_dashboard(dashboard("a", "Alpha", tags=["prod", "team-a"]), folder_uid="ops", overwrite=True)
    client.save_dashboard(dashboard("b", "Beta", tags=["prod"]), overwrite=True)
    assert [hit.uid for hit in client.search_dashboards(folder_uids=["ops"])] == ["a"]
    assert [hit.uid for hit in client.search_dashboards(folder_uids=["general"])] == ["b"]
    assert [hit.uid for hit in client.search_dashboards(tags=["prod"])] == ["a", "b"]
    assert [hit.uid for hit in client.search_dashboards(tags=["prod", "team-a"])] == ["a"]
    hit = client.search_dashboards(query="alp")[0]
    assert (hit.type, hit.folder_uid, hit.tags) == ("dash-db", "ops", ("prod", "team-a"))


# Data sources


def test_datasources_list_and_get(client: GrafanaClient) -> None:
    assert [ds.uid for ds in client.list_datasources()] == ["logs", "prom"]  # sorted by name
    prom = client.get_datasource("prom")
    assert (prom.name, prom.type, prom.is_default) == ("Prometheus", "prometheus", True)
    assert client.get_datasource("logs").secure_json_fields == ("password",)
    assert client.find_datasource("nope") is None


# Alerting


def test_rule_group_put_get_delete_keeps_the_paused_flag(grafana: GrafanaEmulator, client: GrafanaClient) -> None:
    client.put_rule_group("ops", "backend / latency", interval=60, rules=[rule("r1"), rule("r2", paused=False)])
    group = client.get_rule_group("ops", "backend / latency")
    assert (group.folder_uid, group.title, group.interval) == ("ops", "backend / latency", 60)
    assert [(r["uid"], r["isPaused"], r["for"]) for r in group.rules] == [("r1", True, "5m"), ("r2", False, "5m")]
    assert all("provenance" not in r for r in client.list_alert_rules())  # sent with X-Disable-Provenance

    client.put_rule_group("ops", "backend / latency", interval=120, rules=[rule("r2")])
    group = client.get_rule_group("ops", "backend / latency")
    assert [r["uid"] for r in group.rules] == ["r2"] and group.interval == 120
    assert [r["uid"] for r in client.list_alert_rules()] == ["r2"]

    client.delete_rule_group("ops", "backend / latency")
    assert client.find_rule_group("ops", "backend / latency") is None
    with pytest.raises(GrafanaNotFoundError):
        client.delete_rule_group("ops", "backend / latency")


def test_rule_group_with_a_bad_interval_is_refused_with_grafanas_message(client: GrafanaClient) -> None:
    with pytest.raises(GrafanaError) as caught:
        client.put_rule_group("ops", "g", interval=15, rules=[rule("r1")])
    assert caught.value.status == 400
    assert "divided exactly by scheduler interval: 10" in caught.value.message


def test_a_missing_alert_rule_is_not_found_despite_the_empty_body(client: GrafanaClient) -> None:
    with pytest.raises(GrafanaNotFoundError) as caught:
        client.get_alert_rule("missing")
    assert caught.value.message == "get alert rule 'missing': Not Found"


# Retries


def test_get_retries_503_twice_then_succeeds(
    grafana: GrafanaEmulator, client: GrafanaClient, sleeps: list[float]
) -> None:
    grafana.inject(Fault.respond(503), times=2)
    assert client.get_folder("ops").uid == "ops"
    assert sleeps == [0.5, 1.0]
    assert [r.status for r in grafana.requests] == [503, 503, 200]
    assert client.counts == RequestCounts(requests=1, writes=0, attempts=3)


def test_retry_after_is_honoured(grafana: GrafanaEmulator, client: GrafanaClient, sleeps: list[float]) -> None:
    grafana.inject(Fault.respond(429, retry_after=7), times=1)
    grafana.inject(Fault.respond(503, retry_after="0"), times=1)
    client.list_datasources()
    assert sleeps == [7.0, 1.0]  # never shorter than asked, never shorter than the backoff


def test_retry_after_as_an_http_date_is_honoured(
    grafana: GrafanaEmulator, client: GrafanaClient, sleeps: list[float]
) -> None:
    when = email.utils.format_datetime(datetime.now(timezone.utc) + timedelta(seconds=10), usegmt=True)
    grafana.inject(Fault.respond(503, retry_after=when), times=1)
    client.list_datasources()
    assert len(sleeps) == 1 and 8 <= sleeps[0] <= 10


def test_a_retry_after_beyond_the_budget_gives_up_at_once_saying_so(grafana: GrafanaEmulator, sleeps: Waits) -> None:
    grafana.inject(Fault.respond(503, retry_after=3600), times=1)
    with GrafanaClient(grafana.url, token=grafana.token, **waiting(sleeps)) as client:
        with pytest.raises(GrafanaUnavailableError, match="retry after 3600s, beyond the retry budget"):
            client.list_datasources()
    assert sleeps == []


def test_every_wait_is_reported_before_it_starts(grafana: GrafanaEmulator, sleeps: Waits) -> None:
    heard: list[tuple[RetryWait, int]] = []
    grafana.inject(Fault.respond(503), Fault.respond(500), times=2)
    with GrafanaClient(grafana.url, token=grafana.token, **waiting(sleeps)) as client:
        client.on_wait = lambda wait: heard.append((wait, len(sleeps)))
        client.get_folder("ops")
    assert [(wait.attempt, wait.delay, slept) for wait, slept in heard] == [(1, 0.5, 0), (2, 1.0, 1)]
    assert str(heard[0][0]).startswith("get folder 'ops': HTTP 5")
    assert "retrying in 0.5s (attempt 2)" in str(heard[0][0])


def test_the_default_policy_jitters_within_bounds_and_doubles_to_its_cap() -> None:
    policy = RetryPolicy()
    assert (policy.budget, policy.backoff, policy.max_delay, policy.jitter) == (60.0, 0.5, 10.0, 0.5)
    lowest = [policy.delay(retry, draw=lambda: 0.999999) for retry in range(1, 8)]
    highest = [policy.delay(retry, draw=lambda: 0.0) for retry in range(1, 8)]
    assert highest == [0.5, 1, 2, 4, 8, 10, 10]
    assert [round(wait, 3) for wait in lowest] == [0.25, 0.5, 1, 2, 4, 5, 5]
    assert policy.delay(1, retry_after=7, draw=lambda: 0.5) == 7  # never shorter than Grafana asked


def test_the_default_policy_keeps_retrying_a_long_outage_for_its_budget(grafana: GrafanaEmulator, sleeps: Waits) -> None:
    grafana.inject(Fault.respond(502), times=None)
    with GrafanaClient(grafana.url, token=grafana.token, sleep=sleeps.append, clock=sleeps.now) as client:
        with pytest.raises(GrafanaUnavailableError):
            client.get_org()
        attempts = client.counts.attempts
    assert 50 <= sum(sleeps) <= 60
    assert 10 <= attempts <= 20  # jittered waits: more attempts than without jitter, never unbounded
    assert len(set(sleeps)) == len(sleeps), "jitter: no two waits alike"


def test_a_folder_create_refused_with_429_or_503_is_sent_again(grafana: GrafanaEmulator, client: GrafanaClient) -> None:
    grafana.inject(Fault.respond(429), Fault.respond(503), method="POST", times=2)
    assert client.create_folder(uid="new", title="New").version == 1
    assert [r.status for r in grafana.writes] in ([429, 503, 200], [503, 429, 200], [429, 429, 200], [503, 503, 200])


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_folder_create_answered_with_an_error_before_acting_is_settled_then_sent_again(
    grafana: GrafanaEmulator, client: GrafanaClient, status: int
) -> None:
    grafana.inject(Fault.respond(status), method="POST", times=1)
    assert client.create_folder(uid="new", title="New").title == "New"
    assert [r.status for r in grafana.writes] == [status, 200]
    assert [r.path for r in grafana.requests] == ["/api/folders", "/api/folders/new", "/api/folders"]


@pytest.mark.parametrize("fault", [Fault.respond(500, after_handling=True), Fault.drop_connection(after_handling=True)])
def test_a_folder_create_that_took_but_lost_its_answer_is_settled_by_re_reading(
    grafana: GrafanaEmulator, client: GrafanaClient, fault: Fault
) -> None:
    grafana.inject(fault, method="POST", times=1)
    folder = client.create_folder(uid="new", title="New")
    assert (folder.uid, folder.title, folder.version) == ("new", "New", 1)
    assert len(grafana.writes) == 1  # never sent twice


def test_a_folder_update_with_a_version_whose_answer_was_lost_is_settled_not_resent(
    grafana: GrafanaEmulator, client: GrafanaClient
) -> None:
    grafana.inject(Fault.respond(500, after_handling=True), method="PUT", times=1)
    assert client.update_folder("ops", title="Operations", version=1).version == 2
    assert len(grafana.writes) == 1  # a replay would have failed the version check the first attempt passed


def test_a_dashboard_save_whose_answer_was_lost_is_saved_once(grafana: GrafanaEmulator, client: GrafanaClient) -> None:
    grafana.inject(Fault.drop_connection(after_handling=True), method="POST", times=1)
    saved = client.save_dashboard(dashboard("cpu"), folder_uid="ops")
    assert (saved.uid, saved.version) == ("cpu", 1)
    assert len(grafana.writes) == 1
    assert len(grafana.state.org(1).dashboards["cpu"].versions) == 1


def test_a_dashboard_save_refused_is_settled_and_sent_again(
    grafana: GrafanaEmulator, client: GrafanaClient, sleeps: Waits
) -> None:
    grafana.inject(Fault.respond(502), times=1)
    assert client.save_dashboard(dashboard("cpu"), overwrite=True).version == 1
    assert sleeps == [0.5] and len(grafana.writes) == 2


def test_a_dashboard_save_without_uid_is_never_repeated(grafana: GrafanaEmulator, client: GrafanaClient) -> None:
    grafana.inject(Fault.drop_connection(after_handling=True), method="POST", times=1)
    model = dashboard("")
    del model["uid"]
    with pytest.raises(GrafanaUnavailableError, match="may have been applied"):
        client.save_dashboard(model)
    assert len(grafana.writes) == 1


def test_a_rule_group_put_answered_500_after_acting_is_settled(grafana: GrafanaEmulator, client: GrafanaClient) -> None:
    grafana.inject(Fault.respond(500, after_handling=True), method="PUT", times=1)
    client.put_rule_group("ops", "g", interval=60, rules=[rule("r1")])
    assert len(grafana.writes) == 1
    assert client.get_rule_group("ops", "g").rules[0]["uid"] == "r1"


def test_a_dropped_connection_on_get_is_retried(grafana: GrafanaEmulator, client: GrafanaClient) -> None:
    grafana.inject(Fault.drop_connection(), method="GET", path="/api/folders/*", times=1)
    assert client.get_folder("ops").title == "Ops"
    assert [(r.status, r.handled) for r in grafana.requests] == [(None, False), (200, True)]


def test_a_delete_whose_answer_was_lost_is_settled_by_re_reading(grafana: GrafanaEmulator, client: GrafanaClient) -> None:
    client.save_dashboard(dashboard("cpu"), overwrite=True)
    grafana.inject(Fault.drop_connection(after_handling=True), method="DELETE", times=1)
    client.delete_dashboard("cpu")
    assert [r.status for r in grafana.writes[-1:]] == [None]
    assert client.find_dashboard("cpu") is None


def test_a_delete_of_a_missing_dashboard_after_a_refused_attempt_is_still_not_found(
    grafana: GrafanaEmulator, client: GrafanaClient
) -> None:
    grafana.inject(Fault.respond(503), method="DELETE", times=1)  # refused: the first attempt deleted nothing
    with pytest.raises(GrafanaNotFoundError):
        client.delete_dashboard("never-existed")


def test_a_slow_answer_times_out_and_is_retried(grafana: GrafanaEmulator, sleeps: Waits) -> None:
    grafana.inject(Fault.slow(1.0), method="GET", times=1)
    with GrafanaClient(grafana.url, token=grafana.token, timeout=0.2, **waiting(sleeps)) as client:
        assert client.get_org().id == 1
    assert sleeps == [0.5]


def test_gives_up_when_the_budget_is_spent(grafana: GrafanaEmulator, sleeps: Waits) -> None:
    grafana.inject(Fault.respond(503), times=None)
    policy = RetryPolicy(budget=3, jitter=0)
    with GrafanaClient(grafana.url, token=grafana.token, **waiting(sleeps, retry=policy)) as client:
        with pytest.raises(GrafanaUnavailableError) as caught:
            client.get_dashboard("cpu")
        assert client.counts.attempts == 3
    assert caught.value.status == 503
    assert "gave up after 3 attempts" in caught.value.message
    assert grafana.token not in str(caught.value)
    assert sleeps == [0.5, 1.0]  # a third wait of 2 s would end past the 3 s budget


def test_a_read_answered_500_is_retried(grafana: GrafanaEmulator, client: GrafanaClient) -> None:
    grafana.inject(Fault.respond(500), times=2)
    assert client.get_folder("ops").uid == "ops"
    assert [r.status for r in grafana.requests] == [500, 500, 200]


def test_an_unreachable_grafana_is_unavailable_even_for_a_post(sleeps: Waits) -> None:
    with GrafanaEmulator() as stopped:
        url, token = stopped.url, stopped.token
    policy = RetryPolicy(jitter=0, max_attempts=2)
    with GrafanaClient(url, token=token, **waiting(sleeps, retry=policy)) as client:
        with pytest.raises(GrafanaUnavailableError, match="cannot connect") as caught:
            client.create_folder(uid="x", title="X")
    assert caught.value.status is None and caught.value.url == f"{url}/api/folders"
    assert "may have been applied" not in caught.value.message
    assert sleeps == [0.5]  # nothing reached the server, so even a POST may be repeated


def test_random_transient_failures_still_store_every_dashboard_once(grafana: GrafanaEmulator, sleeps: Waits) -> None:
    faults = (
        Fault.respond(503, retry_after=1),
        Fault.respond(500),
        Fault.respond(502),
        Fault.respond(429),
        Fault.drop_connection(),
        Fault.drop_connection(after_handling=True),
    )
    rule_ = grafana.inject(*faults, rate=0.3, seed=20, times=None)
    with GrafanaClient(grafana.url, token=grafana.token, **waiting(sleeps)) as client:
        for index in range(30):
            client.save_dashboard(dashboard(f"d{index:02}", f"Dashboard {index}"), folder_uid="ops")
        assert client.counts.writes == 30
        hits = client.search_dashboards(folder_uids=["ops"])
    assert sorted(hit.uid for hit in hits) == [f"d{index:02}" for index in range(30)]
    assert len(grafana.state.orgs[1].dashboards) == 30
    assert all(len(record.versions) == 1 for record in grafana.state.orgs[1].dashboards.values())
    assert rule_.fired >= 3 and any(r.fault == "drop after handling" for r in grafana.requests)


# Counting


def test_counts_separate_calls_writes_and_attempts(grafana: GrafanaEmulator, client: GrafanaClient) -> None:
    before = client.counts
    client.save_dashboard(dashboard("cpu"), overwrite=True)
    client.get_dashboard("cpu")
    grafana.inject(Fault.respond(503), times=1)
    client.put_rule_group("ops", "g", interval=60, rules=[rule("r1")])
    assert client.counts - before == RequestCounts(requests=3, writes=2, attempts=4)
    assert len(grafana.writes) == 3
