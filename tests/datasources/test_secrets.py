"""Literal secrets in datasources are refused wherever they are written (URL query strings, jsonData keys Grafana
keeps in secureJsonData, secret-looking values), with the value never echoed, not even in part; a build stops
with exit 3 and deploy/ untouched."""

from __future__ import annotations

import pytest

from dashctl.datasources import Datasource, Loki, Prometheus, env_secret
from dashctl.errors import DashctlError

TOKEN = "Zq8vK2mN4pR7sT1wX5yB9cD3"  # token-like: 24 letters and digits


def refusal(build) -> str:
    with pytest.raises(DashctlError) as raised:
        build()
    assert raised.value.exit_code == 3
    text = str(raised.value)
    for length in (4, 6):  # not even a part of it
        assert all(TOKEN[start:start + length] not in text for start in range(len(TOKEN) - length + 1)), text
    return text


@pytest.mark.parametrize("query", ["token", "api_key", "access_token", "apikey", "X-Auth-Key", "sig", "password"])
def test_credential_in_a_url_query_string_is_refused(query):
    text = refusal(lambda: Prometheus(name="P", uid="p", url=f"https://prom.example.com/api?{query}={TOKEN}"))
    assert f"query parameter {query!r}" in text and "httpHeaderValue1" in text


def test_token_like_value_in_an_innocent_parameter_and_path_are_refused():
    assert "looks like a token" in refusal(lambda: Prometheus(name="P", uid="p", url=f"https://p/x?q={TOKEN}"))
    assert "path segment 2 looks like a token" in refusal(
        lambda: Prometheus(name="P", uid="p", url=f"https://p/api/{TOKEN}/v1"))


@pytest.mark.parametrize("key", ["httpHeaderValue1", "httpHeaderValue12", "tlsClientKey", "tlsClientCert",
                                 "basicAuthPassword", "sigV4SecretKey", "authHeader", "azureClientSecret",
                                 "password", "secureSocksProxyPassword"])
@pytest.mark.parametrize("value", [TOKEN, env_secret("X")], ids=["literal", "reference"])
def test_secure_json_data_keys_in_json_data_are_refused_even_as_references(key, value):
    text = refusal(lambda: Datasource(name="D", type="prometheus", uid="d", json_data={key: value}))
    assert f"json_data[{key!r}]" in text and "secure_json_data" in text


def test_nested_json_data_is_searched():
    text = refusal(lambda: Loki(name="L", uid="l", url="http://loki:3100", json_data={
        "derivedFields": [{"name": "t", "url": f"https://tempo/?access_token={TOKEN}"}]}))
    assert "json_data['derivedFields'][0]['url']" in text


def test_well_known_credential_formats_in_plain_fields_are_refused():
    slack = "xoxb-" + "1234567890-" + TOKEN
    text = refusal(lambda: Datasource(name="D", type="x", uid="d", user=slack))
    assert "a Slack token" in text and "xoxb" not in text
    text = refusal(lambda: Datasource(name=slack, type="x", uid="d"))
    assert "name contains a Slack token" in text and "xoxb" not in text


def test_every_problem_of_a_datasource_is_reported_at_once():
    with pytest.raises(DashctlError) as raised:
        Datasource(name="D", type="x", uid="d", url=f"http://x/?token={TOKEN}",
                   json_data={"tlsClientKey": "k"}, secure_json_data={"password": "literal"})
    assert len(raised.value.errors) == 3


def test_references_and_harmless_settings_are_accepted():
    loki = Loki(name="L", uid="l", url="http://loki:3100/?direction=backward",
                json_data={"httpHeaderName1": "X-Scope-OrgID", "timeout": 60, "tlsAuth": True},
                secure_json_data={"httpHeaderValue1": env_secret("TENANT")})
    assert loki.carries_secret


def test_build_refuses_a_url_token_with_exit_3_and_leaves_deploy(make_project):
    project = make_project()
    assert project.run("build").exit_code == 0
    before = project.snapshot()
    project.write("datasources/extra.py", f'''
        from dashctl.datasources import Prometheus
        from dashctl.definitions import datasources


        @datasources
        def extra(env):
            return [Prometheus(name="Extra", uid="extra", url="https://prom/?api_key={TOKEN}")]
        ''')
    result = project.run("build")
    assert result.exit_code == 3, result.stderr
    assert "datasources/extra.py:7" in result.stderr and "query parameter 'api_key'" in result.stderr
    assert TOKEN[:6] not in result.stderr + result.stdout
    assert project.snapshot() == before
