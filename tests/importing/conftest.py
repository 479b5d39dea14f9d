"""A fresh dashctl project (two logical datasources, as `dashctl init` makes) for each import test."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFIG = """\
roots = ["dashboards"]
output = "deploy"

[environments.dev]
namespace = "dev"

[environments.dev.datasources]
metrics = { uid = "prom-dev", type = "prometheus" }
logs = { uid = "loki-dev", type = "loki" }
"""


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "dashboards").mkdir(parents=True)
    (root / "dashctl.toml").write_text(CONFIG)
    return root
