"""A folder's rules are split between ConfigMaps only between groups, and the parts say exactly what one file would."""

from __future__ import annotations

import yaml

from dashctl.alerts import packaging
from dashctl.encoding import dump_yaml


class Group:
    def __init__(self, name: str, rules: int) -> None:
        self.name, self.rules, self.location, self.definition = name, rules, None, f"group {name}"

    def to_provisioning(self):
        return {"orgId": 1, "name": self.name, "folder": "Shop", "interval": "1m",
                "rules": [{"uid": f"{self.name}-{i}", "title": f"rule {i}\nsecond line"} for i in range(self.rules)]}


def test_one_part_is_byte_identical_to_dumping_the_whole_file():
    groups = [Group("a", 3), Group("b", 2)]
    (part,) = packaging._parts(groups, "Shop")
    assert part == dump_yaml({"apiVersion": 1, "groups": [g.to_provisioning() for g in groups]})


def test_parts_split_between_groups_within_the_limit(monkeypatch):
    groups = [Group(f"g{i}", 4) for i in range(6)]
    one_group = len(dump_yaml([groups[0].to_provisioning()]).encode())
    monkeypatch.setattr(packaging, "_PART_BYTES", 2 * one_group + 40)
    parts = packaging._parts(groups, "Shop")
    assert len(parts) == 3
    names = []
    for part in parts:
        assert len(part.encode()) <= packaging._PART_BYTES
        document = yaml.safe_load(part)
        assert document["apiVersion"] == 1
        names.extend(group["name"] for group in document["groups"])
    assert names == [f"g{i}" for i in range(6)]


def test_a_group_larger_than_a_config_map_is_an_error(monkeypatch):
    import pytest

    from dashctl.errors import DefinitionError

    monkeypatch.setattr(packaging, "_PART_BYTES", 100)
    with pytest.raises(DefinitionError, match="more than one ConfigMap holds"):
        packaging._parts([Group("big", 10)], "Shop")
