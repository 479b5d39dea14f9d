"""Import: bring a team's existing Grafana dashboards and alert rules into dashctl as definitions (docs/import.md).

- `sources`: files, directories, envelopes, ConfigMaps, a running Grafana; rule documents recognised.
- `migration`: legacy JSON upgraded as Grafana upgrades it on load.
- `datasources`: references become the project's logical names.
- `codegen`: one readable definition file per dashboard.
- `roundtrip`: does the build give back the dashboard?
- `report`: what the import did.
- `importer`: the pipeline that ties them together.
- `alerts` (with `grafana_rules`, `prometheus_rules`, `rule_draft`, `rule_code`): alert rules into `AlertRule` code.
"""

from dashctl.importing.importer import (
    GeneratedFile,
    ImportOptions,
    ImportResult,
    check_generated,
    default_directory,
    import_sources,
    verify_import,
    write_definitions,
    write_import,
)
from dashctl.importing.report import ReportEntry
from dashctl.importing.roundtrip import Difference, compare_dashboards
from dashctl.importing.sources import read_grafana, read_paths

__all__ = [
    "Difference",
    "GeneratedFile",
    "ImportOptions",
    "ImportResult",
    "ReportEntry",
    "check_generated",
    "compare_dashboards",
    "default_directory",
    "import_sources",
    "read_grafana",
    "read_paths",
    "verify_import",
    "write_definitions",
    "write_import",
]
