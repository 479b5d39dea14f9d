"""The panel-authoring trade-off of docs/authoring.md ("grafana-foundation-sdk"), measured in one run.

    python benchmarks/panels.py [--panels 2000]

For each way to write a time series panel with one PromQL query (grafanalib's TimeSeries, dashctl.panels'
typed factory via the presets' time_series and the generic gauge, grafana-foundation-sdk's builder): the
time to build the panel and encode it as JSON, and the import time of the modules a definition needs, each in a
fresh interpreter. Prints microseconds per panel and milliseconds per import, and the ratios to grafanalib.
Nothing here is a target: the figures back the comparison in the docs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

IMPORTS = {
    "grafanalib": "import grafanalib.core",
    "dashctl.panels": "import dashctl.panels",
    "foundation-sdk": "import grafana_foundation_sdk.builders.dashboard, grafana_foundation_sdk.builders.timeseries,"
                      " grafana_foundation_sdk.builders.prometheus, grafana_foundation_sdk.cog.encoder",
}

BUILDS = {
    "grafanalib": """
from grafanalib.core import Target, TimeSeries
from grafanalib._gen import DashboardEncoder
def make(i):
    panel = TimeSeries(title=f"p{i}", description="d", dataSource="metrics", unit="reqps",
                       targets=[Target(expr="sum(rate(x[5m]))", legendFormat="{{route}}", refId="A")])
    return json.dumps(panel.to_json_data(), cls=DashboardEncoder)
""",
    "dashctl.panels": """
from dashctl.panels import Query, gauge
def make(i):
    panel = gauge(title=f"p{i}", description="d", datasource="metrics", unit="reqps",
                  queries=[Query(expr="sum(rate(x[5m]))", legend="{{route}}")])
    return json.dumps(panel.to_json_data())
""",
    "foundation-sdk": """
from grafana_foundation_sdk.builders import prometheus, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
def make(i):
    panel = (timeseries.Panel().title(f"p{i}").description("d").unit("reqps")
             .with_target(prometheus.Dataquery().expr("sum(rate(x[5m]))").legend_format("{{route}}")))
    return json.dumps(panel.build(), cls=JSONEncoder)
""",
}


def _run(code: str) -> float | None:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return float(result.stdout) if result.returncode == 0 else None


def measure_import(statement: str) -> float | None:
    """Milliseconds for the import statement, best of three fresh interpreters."""
    code = f"import time\nt = time.perf_counter()\n{statement}\nprint((time.perf_counter() - t) * 1000)"
    times = [value for value in (_run(code) for _ in range(3)) if value is not None]
    return min(times) if times else None


def measure_build(source: str, panels: int) -> float | None:
    """Microseconds to build and encode one panel, best of three loops of `panels`."""
    code = f"import json, time\n{source}\nmake(0)\nbest = None\nfor _ in range(3):\n" \
           f"    t = time.perf_counter()\n    for i in range({panels}): make(i)\n" \
           f"    took = (time.perf_counter() - t) / {panels} * 1e6\n    best = took if best is None else min(best, took)\n" \
           "print(best)"
    return _run(code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panels", type=int, default=2000)
    arguments = parser.parse_args()
    results = {name: {"import_ms": measure_import(IMPORTS[name]), "build_us": measure_build(BUILDS[name],
                                                                                            arguments.panels)}
               for name in IMPORTS}
    base = results["grafanalib"]
    for name, result in results.items():
        if result["import_ms"] is None or result["build_us"] is None:
            print(f"{name:<15} not installed")
            continue
        print(f"{name:<15} import {result['import_ms']:6.1f} ms ({result['import_ms'] / base['import_ms']:.2f}x)  "
              f"build+JSON {result['build_us']:6.1f} us/panel ({result['build_us'] / base['build_us']:.2f}x)")
    print(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()
