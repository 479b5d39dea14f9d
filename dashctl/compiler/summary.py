"""What a build wrote, per environment, as a JSON document for programs (`dashctl build --format json`).

    {
      "output": "deploy",
      "check": false,
      "environments": {
        "dev": {
          "dashboards": [{"uid": "shop-api", "title": "Shop API", "folder": "Shop"}],
          "datasources": 2,
          "counts": {"alert rules": 3, ...},
          "files": ["dev/alerting.yaml", ...],
          "changes": [{"path": "dev/dashboard-shop-api.yaml", "change": "updated" | "created" | "removed"}]
        }
      },
      "argocd": {"files": [...], "changes": [...]} | null,
      "changed": 1
    }

With `--check`, `changes` lists what is out of date (`stale`, `missing`, `extra`) and nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from dashctl.compiler.output import OutputDifference
from dashctl.compiler.pipeline import ARGOCD_DIR, BuildOutput

__all__ = ["render_build_json"]

_WRITTEN = {"stale": "updated", "missing": "created", "extra": "removed"}


def render_build_json(result: BuildOutput, changes: Sequence[OutputDifference], *, output: str,
                      check: bool) -> str:
    """The document above; `changes` are what write_output did (or, with `check`, what compare_output found)."""
    def in_directory(prefix: str) -> dict[str, Any]:
        return {
            "files": sorted(path for path in result.files if path.startswith(prefix + "/")),
            "changes": [{"path": change.path, "change": change.state if check else _WRITTEN[change.state]}
                        for change in changes if change.path.startswith(prefix + "/")],
        }

    environments = {}
    for build in result.environments:
        name = build.environment.name
        environments[name] = {
            "dashboards": [{"uid": dashboard.uid, "title": dashboard.title, "folder": dashboard.folder}
                           for dashboard in build.dashboards],
            "datasources": len(build.datasources),
            "counts": dict(build.extras.get("counts", {})),
            **in_directory(name),
        }
    document = {
        "output": output,
        "check": check,
        "environments": environments,
        "argocd": in_directory(ARGOCD_DIR) if ARGOCD_DIR in result.owned_dirs else None,
        "changed": len(changes),
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
