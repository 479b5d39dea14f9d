"""Preview at scale (issue 13): a re-run over 200 unchanged dashboards against a Grafana that answers every request
50 ms late, compared with the floor of reading them one after another.

Runs the Grafana API emulator of the test suite on loopback (so run it from a checkout with the test extras), pushes
the preview once, then times a re-run and counts its requests. Prints one line per measure; exits 1 when the re-run
takes more than 2 s or writes anything.

    python benchmarks/preview.py [--dashboards 200] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from dashctl.grafana import GrafanaClient  # noqa: E402
from dashctl.preview.plan import plan_preview  # noqa: E402
from dashctl.preview.push import push_preview  # noqa: E402
from tests.grafana_emulator import Fault, GrafanaEmulator  # noqa: E402
from tests.preview.test_reliability import SYNTHETIC, build  # noqa: E402

TARGET_SECONDS = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboards", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "dashctl.toml").write_text(
            'roots = ["dashboards"]\noutput = "deploy"\n[environments.dev]\nnamespace = "dev"\n'
            '[environments.dev.datasources]\nmetrics = { uid = "prometheus", type = "prometheus" }\n'
            'logs = { uid = "loki", type = "loki" }\n'
        )
        (root / "dashboards").mkdir()
        (root / "dashboards" / "synthetic.py").write_text(
            SYNTHETIC.replace("range(200)", f"range({args.dashboards})"))
        plan = plan_preview(build(root), "bench")
        with GrafanaEmulator() as grafana:
            for uid, kind in (("prometheus", "prometheus"), ("loki", "loki")):
                grafana.add_datasource(uid=uid, name=uid, type=kind)
            with GrafanaClient(grafana.url, token=grafana.token) as client:
                push_preview(client, plan)
                grafana.inject(Fault.slow(args.latency), times=None)
                before = client.counts
                started = time.perf_counter()
                push_preview(client, plan)
                seconds = time.perf_counter() - started
                counts = client.counts - before
    floor = args.dashboards * args.latency
    print(f"re-run over {args.dashboards} unchanged dashboards at {args.latency * 1000:.0f} ms a request: "
          f"{seconds:.2f} s (target ≤ {TARGET_SECONDS:.1f} s), {counts.requests} requests ({counts.writes} writes); "
          f"sequential reads alone would take {floor:.1f} s ({seconds / floor:.2f}× that)")
    return 0 if seconds <= TARGET_SECONDS and counts.writes == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
