"""Two runs on one preview at once (issue 9, item 10), as real processes against the emulator, with slow answers
to widen the window: the loser says so and exits non-zero, nothing is written twice, and a push never exits 0
with URLs of dashboards that are gone."""

from __future__ import annotations

import re
import threading
import time

import pytest

from tests.grafana_emulator import Fault
from tests.grafana_emulator.fixtures import grafana_emulator  # noqa: F401 - the fixture
from tests.preview.test_preview import SECOND_DASHBOARD, grafana, project, stored  # noqa: F401 - fixtures
from tests.preview.test_progress_timing import run_stamped

RUNS = range(4)


def together(*calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


def slow_grafana(grafana, run):
    grafana.faults.clear()
    grafana.inject(Fault.slow(0.05), Fault.slow(0.2), rate=0.5, seed=700 + run, times=None)


@pytest.mark.parametrize("run", RUNS)
def test_two_pushes_at_once_one_wins_and_nothing_is_written_twice(project, grafana, run):  # noqa: F811
    slow_grafana(grafana, run)
    first, second = together(lambda: run_stamped(project.root, grafana), lambda: run_stamped(project.root, grafana))
    codes = sorted([first[0], second[0]])
    text = "\n".join(line for result in (first, second) for _, line in result[2])
    assert codes[0] == 0, f"seed {700 + run}: neither push succeeded:\n{text}"
    if codes[1] != 0:
        assert "another" in text or "someone else" in text or "meanwhile" in text, f"seed {700 + run}:\n{text}"
    saves = [r for r in grafana.writes if r.method == "POST" and r.path == "/api/dashboards/db" and r.status == 200]
    assert len(saves) == len(stored(grafana)), f"seed {700 + run}: a dashboard was written twice:\n{text}"


@pytest.mark.parametrize("run", RUNS)
def test_a_push_and_a_delete_at_once_never_report_what_is_gone(project, grafana, run):  # noqa: F811
    assert run_stamped(project.root, grafana)[0] == 0  # the preview exists; the push below changes it
    project.write("dashboards/shop_db.py", SECOND_DASHBOARD.replace("MongoDB up.", f"MongoDB up, run {run}."))
    slow_grafana(grafana, run)
    ended: dict[str, float] = {}

    def timed(name, *args):
        result = run_stamped(project.root, grafana, *args)
        ended[name] = time.monotonic()  # the process has exited
        return result

    push, delete = together(lambda: timed("push"), lambda: timed("delete", "--delete"))
    text = "\n".join(line for result in (push, delete) for _, line in result[2])
    if push[0] == 0 and len(stored(grafana)) != 2:
        # Legitimate only as "the push, then the delete": Grafana acted on no deletion before the push had exited
        # (so the push's last check saw its dashboards). A deletion acted on earlier is the race the push must see.
        deletions = [request.acted_at for request in grafana.writes
                     if request.method == "DELETE" and request.acted_at is not None]
        assert delete[0] == 0 and deletions and min(deletions) > ended["push"], (
            f"seed {700 + run}: the push exited 0 but its dashboards are gone:\n{text}"
        )
    else:
        assert re.search(r"another|someone else|meanwhile|deleted", text), f"seed {700 + run}:\n{text}"
