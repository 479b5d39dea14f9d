"""Data sources, read side (spec §5): the list sorted by name and the per-uid DTO without secrets."""

from __future__ import annotations

from typing import Any

from .bodies import Reply, legacy
from .call import Call
from .state import DatasourceRecord, OrgStore

_TYPE_NAMES = {"prometheus": "Prometheus", "loki": "Loki", "tempo": "Tempo", "alertmanager": "Alertmanager"}


def list_item(org: OrgStore, record: DatasourceRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "uid": record.uid,
        "orgId": org.id,
        "name": record.name,
        "type": record.type,
        "typeName": _TYPE_NAMES.get(record.type, record.type.title()),
        "typeLogoUrl": f"public/app/plugins/datasource/{record.type}/img/{record.type}_logo.svg",
        "access": record.access,
        "url": record.url,
        "user": record.user,
        "database": record.database,
        "basicAuth": record.basic_auth,
        "isDefault": record.is_default,
        "jsonData": dict(record.json_data),
        "readOnly": record.read_only,
    }


def detail(org: OrgStore, record: DatasourceRecord) -> dict[str, Any]:
    body = list_item(org, record)
    del body["typeName"], body["typeLogoUrl"]
    body.update(
        basicAuthUser=record.basic_auth_user,
        withCredentials=record.with_credentials,
        secureJsonFields={name: True for name in record.secure_fields},
        version=record.version,
        accessControl={},
    )
    return body


def list_datasources(call: Call) -> Reply:
    org = call.store
    records = sorted(org.datasources.values(), key=lambda record: record.name.lower())
    return Reply(body=[list_item(org, record) for record in records])


def get_by_uid(call: Call) -> Reply:
    record = call.store.datasources.get(call.params["uid"])
    if record is None:
        raise legacy(404, "Data source not found", trace=False)
    return Reply(body=detail(call.store, record))


def get_by_name(call: Call) -> Reply:
    record = next((r for r in call.store.datasources.values() if r.name == call.params["name"]), None)
    if record is None:
        raise legacy(404, "Data source not found", trace=False)
    return Reply(body=detail(call.store, record))
