"""Dashboards compiled and packaged in worker processes: definitions are independent, so a large build spreads
them over the machine's cores.

The workers are forked, never spawned: they inherit the definitions the parent imported, so no definition file is
imported twice (its import side effects happen once, in the parent) and no user code needs pickling; only
(environment, index) pairs go out and packaged bytes come back. The sections of an environment (alerting) go to
the workers too, first, so that both cores stay busy through the whole build while the parent only places what
comes back. The output is the same as a serial build's: results are placed by definition, not by arrival. A
dashboard or section that meets any problem is built again by the parent, which reports it exactly as a serial
build does; but one whose definition ran out of time comes back as the problems the worker met (`TimedOut`),
reported as they are: running it again would make the user wait for the time limit twice. What the workers'
definitions import or open is recorded there and merged into the parent's build cache recorder.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from dashctl.definitions import Definition
from dashctl.project.config import Project
from dashctl.project.discovery import Discovery
from dashctl.project.environment import Environment

__all__ = ["MIN_TASKS", "Workers", "available_cores", "start_workers"]

# Below this many dashboards (× environments) forking costs more than it saves.
MIN_TASKS = 40
_STATE: tuple[Project, Discovery, Mapping[str, Environment], bool, Any, Mapping[str, bytes]] | None = None


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Workers:
    """Dashboards being packaged by a pool of forked processes; `result` waits for the one asked for."""

    def __init__(self, pool: Any, results: Iterator[Any]) -> None:
        self._pool = pool
        self._results = results
        self._done: dict[tuple[str, int | str], Any] = {}

    def result(self, environment: str, index: int) -> Any:
        """The PackagedDashboard of discovery.definitions[index] in `environment`, TimedOut (report its problems) or
        None (build it here)."""
        return self._wait((environment, index))

    def section(self, environment: str, name: str) -> Any:
        """The PackagedSection `name` of `environment`, TimedOut (report its problems) or None (not given to the
        workers, or it met a problem: build it here)."""
        return self._wait((environment, name))

    def _wait(self, key: tuple[str, int | str]) -> Any:
        from dashctl.compiler.cache import merge_recorded

        while key not in self._done:
            try:
                packaged, edges = next(self._results)
            except StopIteration:
                return None
            merge_recorded(edges)
            self._done.update(packaged)
        return self._done.pop(key)

    def close(self) -> None:
        global _STATE
        self._pool.terminate()
        self._pool.join()
        _STATE = None
        gc.unfreeze()  # what start_workers froze is the collector's again (a long-lived process builds again)


def start_workers(
    project: Project,
    discovery: Discovery,
    environments: tuple[Environment, ...],
    *,
    validate_queries: bool,
    jobs: int,
    skip: Callable[[Definition, str], bool] | None = None,
    sink: Any = None,
    sections: Callable[[str], tuple[str, ...]] | None = None,
    previous: Mapping[str, bytes] | None = None,
) -> Workers | None:
    """Start packaging every dashboard of `environments` (but those `skip` names) in `jobs` processes (0: one per
    core); None when a serial build is as fast (one job, few dashboards, or no fork on this platform). With a
    streaming `sink` (`dashctl.compiler.sink`), each worker adds its files to it and sends back only what it staged,
    so that packaged bytes neither cross the pipe nor wait in the parent's memory.

    `sections(environment)` names the sections the workers build too (first: they take longest), from the output
    as it is (`previous`).
    """
    global _STATE
    # A definition's environments side by side, so that one worker builds them all: the queries they share are
    # validated once, as in a serial build (each process memoises its own).
    tasks: list[tuple[str, int | str]] = [
        (environment.name, index)
        for index, definition in enumerate(discovery.definitions)
        for environment in environments
        if definition.kind == "dashboard" and definition.applies_to(environment.name)
        and not (skip is not None and skip(definition, environment.name))
    ]
    jobs = jobs or available_cores()
    if jobs < 2 or len(tasks) < MIN_TASKS:
        return None
    import multiprocessing  # only now: a rebuild of a few dashboards runs none (and the import costs 5 ms)

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    _STATE = (project, discovery, {environment.name: environment for environment in environments}, validate_queries,
              sink, previous or {})
    # Every object the parent holds now (definitions, modules) moves out of the collector's reach: a worker's
    # collections would otherwise write to each of them, copying every page it shares with the parent.
    gc.freeze()
    pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_ignore_interrupts)
    # The sections first (they take longest), every environment's in one chunk, for the same reason.
    section_tasks = [(environment.name, name) for environment in environments
                     for name in (sections or _none)(environment.name)]
    chunks: list[list[tuple[str, int | str]]] = [section_tasks] if section_tasks else []
    chunks += _guided(tasks, jobs, group=len(environments))
    return Workers(pool, pool.imap(_package_chunk, chunks))


def _guided(tasks: list[Any], jobs: int, *, group: int) -> list[list[Any]]:
    """`tasks` in chunks that shrink as they go (a share of what is left, at least a few each): large ones cost
    the fewest round trips, and the last, small ones let the workers finish together (with equal chunks of 1/16th
    one worker went on alone for up to one more chunk). Sizes are multiples of `group` (the environments), so that
    a definition's environments, side by side in `tasks`, stay in one chunk."""
    chunks, start = [], 0
    while start < len(tasks):
        size = max(4, (len(tasks) - start) // (jobs * 4))
        size += -size % max(group, 1)
        chunks.append(tasks[start : start + size])
        start += size
    return chunks


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group: the parent reports it (naming the definition it was running) and
    # terminates the pool; a worker's own KeyboardInterrupt would only add a traceback per worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _picklable(value: Any) -> bool:
    """Whether `value` can go back to the parent (a problem may hold the user's bad value, which need not pickle)."""
    try:
        pickle.dumps(value)
    except Exception:  # noqa: BLE001 - whatever pickling raises, the parent builds it again instead
        return False
    return True


def _none(environment: str) -> tuple[str, ...]:
    return ()


def _package_chunk(
    tasks: list[tuple[str, int | str]],
) -> tuple[dict[tuple[str, int | str], Any], dict[str, list[str]]]:
    from dashctl.compiler.cache import recorded
    from dashctl.compiler.pipeline import TimedOut, package_in_worker, section_in_worker
    from dashctl.errors import DefinitionErrors
    from dashctl.queries.promql.dialect import experimental_functions

    assert _STATE is not None
    project, discovery, environments, validate_queries, sink, previous = _STATE
    packaged: dict[tuple[str, int | str], Any] = {}
    for environment, item in tasks:
        # As the parent builds each environment: PromQL validated for that environment's Prometheus.
        with experimental_functions(enabled=environments[environment].promql_experimental_functions):
            try:
                if isinstance(item, str):  # a section's name
                    packaged[(environment, item)] = section_in_worker(
                        project, discovery, environments[environment], previous, item,
                        validate_queries=validate_queries, sink=sink,
                    )
                else:
                    packaged[(environment, item)] = package_in_worker(
                        project, discovery.definitions[item], environments[environment],
                        validate_queries=validate_queries, sink=sink,
                    )
            except DefinitionErrors as errors:  # a definition ran out of time
                packaged[(environment, item)] = TimedOut(errors=tuple(errors.errors)) if _picklable(errors) else None
            except Exception:  # noqa: BLE001 - the parent builds it again and reports what went wrong
                packaged[(environment, item)] = None
    return packaged, recorded(clear=True)
