"""Progress of `dashctl preview` reaches stderr as it happens (issue 9, item 11), not all at the end: a real
subprocess against the emulator with slow answers, its stderr lines stamped as they arrive."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.grafana_emulator import Fault
from tests.grafana_emulator.fixtures import grafana_emulator  # noqa: F401 - the fixture
from tests.preview.test_preview import NAME, SECOND_DASHBOARD, grafana, project  # noqa: F401 - fixtures

DASHCTL = Path(sys.executable).parent / "dashctl"


def run_stamped(project_root: Path, grafana, *args: str) -> tuple[int, float, list[tuple[float, str]]]:
    env = {**os.environ, "GRAFANA_TOKEN": grafana.token, "NO_COLOR": "1"}
    env.pop("GRAFANA_USER", None), env.pop("GRAFANA_PASSWORD", None)
    started = time.monotonic()
    process = subprocess.Popen(
        [str(DASHCTL), "preview", "--env", "dev", "--grafana-url", grafana.url, "--name", NAME, *args],
        cwd=project_root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    lines: list[tuple[float, str]] = []

    def read() -> None:
        for line in process.stderr:
            lines.append((time.monotonic() - started, line.rstrip("\n")))

    reader = threading.Thread(target=read)
    reader.start()
    code = process.wait(timeout=120)
    reader.join(timeout=10)
    return code, time.monotonic() - started, lines


def test_progress_lines_arrive_while_the_preview_runs(project, grafana):  # noqa: F811
    for index in range(6):
        project.write(f"dashboards/extra_{index}.py", SECOND_DASHBOARD.replace("shop-db", f"extra-{index}")
                      .replace("Shop DB", f"Extra {index}").replace("def shop_db", f"def extra_{index}"))
    # The writes are slow (two at a time, 8 dashboards: four rounds); reads are concurrent and would not spread the
    # lines out. Timed from the writes alone, so that a slow start on a loaded machine cannot decide the test.
    grafana.inject(Fault.slow(0.3), method="POST", path="/api/dashboards/db", times=None)
    code, duration, lines = run_stamped(project.root, grafana)
    assert code == 0, "\n".join(line for _, line in lines)
    created = [at for at, line in lines if line.startswith("created dashboard")]
    assert len(created) == 8, lines
    end = lines[-1][0]
    assert end - created[0] > 0.6, f"the first write was reported only at the end: {lines}"
    assert created[-1] - created[0] > 0.6, f"progress came in one burst: {lines}"


def test_a_retry_wait_is_announced_while_waiting(project, grafana):  # noqa: F811
    grafana.inject(Fault.respond(503, retry_after=1), path="/api/folders/*", times=2)
    code, duration, lines = run_stamped(project.root, grafana)
    assert code == 0, "\n".join(line for _, line in lines)
    waits = [(at, line) for at, line in lines if line.startswith("waiting")]
    assert waits, lines
    assert waits[0][0] < duration - 0.9, f"the wait was announced only after it: {lines}"
