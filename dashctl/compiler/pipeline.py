"""The build pipeline: discover definitions, build each for every environment, compile, check relations, package.

Every problem found on the way is collected and raised together as DefinitionErrors, so the author sees all of
them in one run; nothing is written by this module (see `dashctl.compiler.output`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from dashctl.compiler.garbage import fewer_collections
from dashctl.definitions import Definition, relative_location
from dashctl.encoding import dump_json, dump_yaml
from dashctl.errors import DefinitionError, DefinitionErrors, DefinitionTimeoutError, SourceLocation, report_once
from dashctl.k8s import argocd
from dashctl.k8s.manifests import Manifest, config_map, kustomization, object_name, secret
from dashctl.project.config import Project, at_config_line
from dashctl.project.discovery import Discovery, discover_definitions, error_from_exception
from dashctl.project.environment import Environment

if TYPE_CHECKING:
    from dashctl.compiler.cache import BuildCache
    from dashctl.compiler.sink import OutputSink, StagedFile
    from dashctl.compiler.workers import Workers

__all__ = [
    "ARGOCD_DIR", "BuildOutput", "EnvironmentBuild", "PackagedDashboard", "PackagedSection", "TimedOut",
    "build_project", "package_in_worker", "section_in_worker",
]

ARGOCD_DIR = "argocd"


@dataclass(frozen=True, kw_only=True)
class EnvironmentBuild:
    """What one environment compiled to, before packaging: kept for preview and diff, which need the objects."""

    environment: Environment
    dashboards: tuple[Any, ...] = ()
    datasources: tuple[Any, ...] = ()
    extras: Mapping[str, Any] = field(default_factory=dict)
    # Objects by kind ("dashboards", "datasources") that are counted but not held in the tuples above: taken from
    # the build cache, packaged by a worker process, or not kept (`build_project(keep_compiled=False)`).
    reused: Mapping[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> int:
        """How many dashboards or datasources the environment has, held above or only counted."""
        return len(getattr(self, kind)) + self.reused.get(kind, 0)


@dataclass(frozen=True, kw_only=True)
class PackagedDashboard:
    """A dashboard packaged outside the environment's build (by a worker process, or an earlier build: the cache),
    with what the pipeline's checks need of it."""

    uid: str
    title: str
    folder: str | None
    definition: str
    location: SourceLocation
    file_name: str
    data: bytes
    # Set when a worker process added the file to a streaming sink itself (then `data` is empty).
    staged: StagedFile | None = None


@dataclass(frozen=True, kw_only=True)
class PackagedSection:
    """A section (alerting) of one environment built by a worker process: its files by name, the counts the CLI
    prints, and the uids of the dashboards it links to (for the build cache)."""

    files: Mapping[str, bytes]
    counts: Mapping[str, int]
    linked: frozenset[str]
    # The files the worker put in the (streaming) sink itself, by name (their `files` bytes are then empty).
    staged: Mapping[str, StagedFile] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class TimedOut:
    """A dashboard or section whose definition ran out of time in a worker process: the problems it met there, which
    the parent reports as they are (built again there, it would make the user wait for the time limit twice)."""

    errors: tuple[DefinitionError, ...]


@dataclass(frozen=True, kw_only=True)
class BuildOutput:
    """The files of a build, by path relative to the output directory, and which directories it owns."""

    files: Mapping[str, bytes]
    owned_dirs: tuple[str, ...]
    environments: tuple[EnvironmentBuild, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.files, dict):  # a sink's files are read-only already (and may be read from disk)
            object.__setattr__(self, "files", MappingProxyType(dict(self.files)))


@fewer_collections()
def build_project(
    project: Project,
    environment_names: Iterable[str] = (),
    *,
    previous: Mapping[str, bytes] | None = None,
    validate_queries: bool = True,
    cache: BuildCache | None = None,
    progress: Callable[[str], None] | None = None,
    jobs: int = 1,
    keep_compiled: bool = True,
    sink: OutputSink | None = None,
) -> BuildOutput:
    """Build the named environments (all when none are named); raise DefinitionErrors listing every problem.

    `previous` is the output as it is on disk (or committed), for what a build must carry over: alert rules that
    disappeared need a `deleteRules` entry until the deletion has been synced. `validate_queries=False` builds
    with invalid PromQL and LogQL left in place (dashboards and alert rules alike), for `dashctl lint`, which
    reports them as findings; never package such a build.

    With a `cache` (`dashctl.compiler.cache`), what did not change since the build that filled it is taken from
    it instead of built. `progress` receives a line now and then for a build that takes a while (the CLI prints
    it on stderr); the library itself never prints. `jobs` other than 1 packages dashboards in that many forked
    processes (0: one per core) when there are enough of them: the files are the same, but the dashboards
    packaged there are counted in `EnvironmentBuild.reused`, not held in `EnvironmentBuild.dashboards` (preview,
    diff and lint, which need them, build serially). `keep_compiled=False` drops each dashboard's model once it
    is packaged (`dashctl build`, which needs only the files): memory then grows with the output, not with the
    models. Each file goes to `sink` as soon as it is produced (`dashctl.compiler.sink`; default: kept in memory);
    a sink that streams it to disk keeps the build's memory from growing with the output at all.
    """
    from dashctl.compiler.sink import MemorySink

    environments = project.select_environments(tuple(environment_names))
    previous = previous or {}
    sink = sink if sink is not None else MemorySink()
    owned = tuple(environment.name for environment in environments)
    all_environments = len(environments) == len(project.environments)
    if all_environments:
        # The ArgoCD files span every environment, so only a build of all of them may rewrite them.
        owned += (ARGOCD_DIR,)
    definition_files = []
    if cache is not None:
        from dashctl.project.discovery import definition_files as find_definition_files

        definition_files = [path.relative_to(project.root).as_posix() for path in find_definition_files(project)]
        reused = cache.whole(definition_files, previous)
        if reused is not None:
            files, summary = reused
            for path, data in files.items():
                _put(sink, path, data)
            return BuildOutput(files=sink.files(), owned_dirs=owned, environments=tuple(
                EnvironmentBuild(environment=environment, extras={"counts": summary.get(environment.name, {}).get(
                    "counts", {})}, reused=summary.get(environment.name, {}).get("reused", {}))
                for environment in environments
            ))
    report = progress or (lambda line: None)
    with cache.recording() if cache is not None else nullcontext():
        report("importing the definitions")
        # With a cache, a definition file whose inputs did not change is not imported: the cache says what it holds.
        discovery = discover_definitions(project, known=cache.discovered if cache is not None else None)
        if cache is not None:
            cache.remember_discovery(discovery)
        problems: list[DefinitionError] = list(discovery.errors)
        problems.extend(_check_unique_uids(discovery))
        builds = []
        workers = None
        if jobs != 1:
            from dashctl.compiler.workers import start_workers

            workers = start_workers(project, discovery, environments, validate_queries=validate_queries, jobs=jobs,
                                    skip=cache.has_dashboard if cache is not None else None,
                                    sink=sink if sink.streams else None,
                                    # Only counts are kept of a section built elsewhere: not for preview and diff.
                                    sections=None if keep_compiled else _worker_sections(discovery, cache, previous),
                                    previous=previous)
        try:
            from dashctl.queries.promql.dialect import experimental_functions

            for environment in environments:
                report(f"building environment {environment.name}")
                # PromQL is validated for the environment's Prometheus: experimental functions only where it
                # enables them.
                with experimental_functions(enabled=environment.promql_experimental_functions):
                    build, env_problems = _build_environment(
                        project, discovery, environment, previous, sink, validate_queries=validate_queries,
                        cache=cache, workers=workers, keep_compiled=keep_compiled, progress=report,
                    )
                problems.extend(env_problems)
                builds.append(build)
        finally:
            if workers is not None:
                workers.close()
    if problems:
        raise DefinitionErrors(_unique(problems))
    if all_environments:
        for name, document in _argocd_files(project, builds).items():
            sink.add(f"{ARGOCD_DIR}/{name}", document.encode())
    files = sink.files()
    if cache is not None:
        summary = {
            build.environment.name: {
                "counts": dict(build.extras.get("counts", {})),
                "reused": {kind: build.count(kind) for kind in ("dashboards", "datasources")},
            }
            for build in builds
        }
        cache.store(discovery.definitions, definition_files, files, summary, previous)
    return BuildOutput(files=files, owned_dirs=owned, environments=tuple(builds))


def _build_environment(
    project: Project,
    discovery: Discovery,
    environment: Environment,
    previous: Mapping[str, bytes],
    sink: OutputSink,
    *,
    validate_queries: bool = True,
    cache: BuildCache | None = None,
    workers: Workers | None = None,
    keep_compiled: bool = True,
    progress: Callable[[str], None] = lambda line: None,
) -> tuple[EnvironmentBuild, list[DefinitionError]]:
    from dashctl.queries.validation import query_validation

    problems: list[DefinitionError] = []
    manifests: list[Manifest] = []

    datasources = []
    for definition in discovery.of_kind("datasources"):
        if not definition.applies_to(environment.name):
            continue
        built = _call(definition, environment, project, problems)
        if built is None:
            continue
        from dashctl.datasources.model import Datasource

        items = built if isinstance(built, (list, tuple)) else [built]
        for item in items:
            if not isinstance(item, Datasource):
                problems.append(
                    DefinitionError(
                        f"returned {type(item).__name__}, not a Datasource",
                        location=definition.location,
                        definition=definition.label,
                        hint="return a list of Datasource / Prometheus(...) / Loki(...)",
                    )
                )
                continue
            datasources.append(replace(item, location=relative_location(item.location, project.root)))
    if datasources:
        # Imported when there are any (with the datasource model): a rebuild whose datasources ran needs them.
        from dashctl.compiler.datasources import check_datasources

        problems.extend(check_datasources(datasources, environment.name))
        manifests.append(_package_datasources(datasources, environment))

    resources: list[str] = []
    # The sections (alerting) first: meanwhile worker processes, if any, package this environment's dashboards.
    # Their problems are still reported after the dashboards'.
    extras: dict[str, Any] = {}
    section_problems: list[DefinitionError] = []
    for name, section in _extra_sections().items():
        section_definitions = [d for d in discovery.definitions if d.kind not in ("dashboard", "datasources")]
        reused = cache.section(name, environment.name, section_definitions, previous) if cache is not None else None
        packaged_section = workers.section(environment.name, name) if workers is not None and reused is None else None
        staged: Mapping[str, StagedFile] = {}
        if isinstance(packaged_section, TimedOut):  # reported as the worker met it: not run (and waited for) again
            section_problems.extend(packaged_section.errors)
            section_files, section_state, packaged_section = {}, {}, None
        elif reused is not None:
            section_files, section_state = reused
        elif packaged_section is not None:
            section_files, section_state = dict(packaged_section.files), {"counts": dict(packaged_section.counts)}
            staged = packaged_section.staged
        else:
            # Sections take no validate_queries keyword: the switch reaches their check_query calls by context.
            with query_validation(enabled=validate_queries):
                section_manifests, found, section_state = section(project, discovery, environment, previous)
            section_problems.extend(found)
            section_files = {manifest.file_name: dump_yaml(dict(manifest.body)).encode()
                             for manifest in section_manifests}
            if cache is not None and not found:
                cache.remember_section(name, environment.name, section_definitions, _linked_dashboards(section_state),
                                       discovery.of_kind("dashboard"), section_files,
                                       {"counts": section_state.get("counts", {})}, previous)
        # Without keep_compiled only what the CLI prints stays: the compiled alerting is dropped with the models.
        extras.update(section_state if keep_compiled else {"counts": section_state.get("counts", {})})
        for file_name, data in section_files.items():
            if file_name in staged:  # the worker put it in the (streaming) sink itself
                sink.record(f"{environment.name}/{file_name}", staged[file_name])
            else:
                _put(sink, f"{environment.name}/{file_name}", data)
            resources.append(file_name)
        if packaged_section is not None and cache is not None:
            cache.remember_section(name, environment.name, section_definitions, set(packaged_section.linked),
                                   discovery.of_kind("dashboard"),
                                   {file_name: sink.files()[f"{environment.name}/{file_name}"]
                                    for file_name in section_files}, section_state, previous)
        # Not held while the dashboards are built: the manifests, their bytes and (without keep_compiled) the
        # compiled alerting are as large as the environment's alert rules.
        reused = section_manifests = section_files = section_state = data = packaged_section = None

    dashboards = []
    packaged_elsewhere = []  # PackagedDashboard: by an earlier build (the cache) or a worker process
    not_kept = []  # PackagedDashboard without its bytes (already in `files`): keep_compiled=False
    package_problems: list[DefinitionError] = []
    done = 0
    for index, definition in enumerate(discovery.definitions):
        if definition.kind != "dashboard" or not definition.applies_to(environment.name):
            continue
        done += 1
        if done % 250 == 0:
            progress(f"environment {environment.name}: {done} dashboards")
        hit = cache.dashboard(definition, environment.name) if cache is not None else None
        if hit is None and workers is not None:
            hit = workers.result(environment.name, index)  # None: it met a problem; built again here to report it
            if isinstance(hit, TimedOut):  # reported as the worker met it: not run (and waited for) again
                problems.extend(hit.errors)
                continue
            if hit is not None:
                path = f"{environment.name}/{hit.file_name}"
                if hit.staged is not None:  # the worker put it in the (streaming) sink itself
                    sink.record(path, hit.staged)
                else:
                    sink.add(path, hit.data)
                if cache is not None:
                    cache.remember_dashboard(definition, environment.name, hit, hit.file_name,
                                             hit.data if hit.staged is None else None, staged=hit.staged,
                                             read=lambda: sink.files()[path])
        elif hit is not None:
            _put(sink, f"{environment.name}/{hit.file_name}", hit.staged or hit.data)
        if hit is not None:
            # Only what the checks need stays (a hit the cache trusted unread holds no bytes: kept as it is).
            packaged_elsewhere.append(replace(hit, data=b"", staged=None) if hit.data else hit)
            continue
        compiled = _compile(definition, environment, project, problems, validate_queries=validate_queries)
        if compiled is None:
            continue
        # Packaged at once, so that without keep_compiled the model is dropped before the next one is built.
        try:
            manifest = _package_dashboard(compiled, environment)
        except DefinitionError as error:
            package_problems.append(error.with_context(location=compiled.location, definition=compiled.definition))
            dashboards.append(compiled)  # for the title check; the build fails anyway
            continue
        data = dump_yaml(dict(manifest.body)).encode()
        sink.add(f"{environment.name}/{manifest.file_name}", data)
        resources.append(manifest.file_name)
        if cache is not None:
            cache.remember_dashboard(definition, environment.name, compiled, manifest.file_name, data)
        if keep_compiled:
            dashboards.append(compiled)
        else:
            not_kept.append(PackagedDashboard(
                uid=compiled.uid, title=compiled.title, folder=compiled.folder, definition=compiled.definition,
                location=compiled.location, file_name=manifest.file_name, data=b"",
            ))
    problems.extend(_check_titles([*dashboards, *packaged_elsewhere, *not_kept], environment))
    problems.extend(package_problems)
    resources.extend(hit.file_name for hit in packaged_elsewhere)
    problems.extend(section_problems)

    for manifest in manifests:
        sink.add(f"{environment.name}/{manifest.file_name}", dump_yaml(dict(manifest.body)).encode())
        resources.append(manifest.file_name)
    sink.add(f"{environment.name}/kustomization.yaml", dump_yaml(
        kustomization(namespace=environment.namespace, resources=resources)
    ).encode())
    build = EnvironmentBuild(
        environment=environment, dashboards=tuple(dashboards), datasources=tuple(datasources), extras=extras,
        reused={"dashboards": len(packaged_elsewhere) + len(not_kept)} if packaged_elsewhere or not_kept else {},
    )
    # Marked with the environment, so that one root cause met in several is reported once naming them all; a
    # configured value that does not fit is reported where the configuration holds it.
    return build, [at_config_line(problem, project).in_environments((environment.name,))
                          for problem in problems]


def _compile(
    definition: Definition, environment: Environment, project: Project, problems: list[DefinitionError], *,
    validate_queries: bool,
) -> Any:
    """Build and compile one dashboard definition; its problems go to `problems` (then None is returned)."""
    from dashctl.dashboards.compile import compile_dashboard

    built = _call(definition, environment, project, problems)
    if built is None:
        return None
    try:
        return compile_dashboard(definition, built, environment, validate_queries=validate_queries)
    except DefinitionErrors as errors:
        problems.extend(errors.errors)
    except DefinitionError as error:
        problems.append(error.with_context(location=definition.location, definition=definition.label))
    return None


def package_in_worker(project: Project, definition: Definition, environment: Environment, *,
                      validate_queries: bool, sink: OutputSink | None = None) -> PackagedDashboard | None:
    """Compile and package one dashboard (in a worker process); None when it meets any problem, but DefinitionErrors
    raised when it ran out of time (`dashctl.compiler.workers` hands those to the parent, which reports them
    without running the definition again).

    With a streaming `sink` the worker adds the file to it itself and hands back only what the sink staged."""
    problems: list[DefinitionError] = []
    compiled = _compile(definition, environment, project, problems, validate_queries=validate_queries)
    _raise_timeouts(problems)
    if compiled is None or problems:
        return None
    try:
        manifest = _package_dashboard(compiled, environment)
    except DefinitionError:
        return None
    data = dump_yaml(dict(manifest.body)).encode()
    staged = sink.add(f"{environment.name}/{manifest.file_name}", data) if sink is not None else None
    return PackagedDashboard(
        uid=compiled.uid, title=compiled.title, folder=compiled.folder, definition=compiled.definition,
        location=compiled.location, file_name=manifest.file_name, data=data if staged is None else b"",
        staged=staged,
    )


def section_in_worker(project: Project, discovery: Discovery, environment: Environment,
                      previous: Mapping[str, bytes], name: str, *, validate_queries: bool,
                      sink: OutputSink | None = None) -> PackagedSection | None:
    """Build and package one section of one environment (in a worker process); None when it meets any problem
    (DefinitionErrors raised when one ran out of time, as `package_in_worker`).

    With a streaming `sink` the worker adds the files to it itself and hands back only what the sink staged."""
    from dashctl.queries.validation import query_validation

    with query_validation(enabled=validate_queries):
        manifests, problems, state = _extra_sections()[name](project, discovery, environment, previous)
    _raise_timeouts(problems)
    if problems:
        return None
    files: dict[str, bytes] = {}
    staged: dict[str, StagedFile] = {}
    for manifest in manifests:
        data = dump_yaml(dict(manifest.body)).encode()
        added = sink.add(f"{environment.name}/{manifest.file_name}", data) if sink is not None else None
        if added is not None:
            staged[manifest.file_name], data = added, b""
        files[manifest.file_name] = data
    return PackagedSection(files=files, counts=dict(state.get("counts", {})),
                           linked=frozenset(_linked_dashboards(state)), staged=staged)


def _put(sink: OutputSink, path: str, data: bytes | StagedFile) -> None:
    """Hand the sink a file: its bytes, or a StagedFile for one the build cache found unchanged in the output
    directory without reading it (a streaming sink over that directory: `BuildCache(output=...)`)."""
    if isinstance(data, bytes):
        sink.add(path, data)
    else:
        sink.record(path, data)


def _raise_timeouts(problems: list[DefinitionError]) -> None:
    """Raise `problems` when one is a definition that ran out of time: built again by the parent to be reported, it
    would make the user wait for the time limit twice."""
    if any(isinstance(problem, DefinitionTimeoutError) for problem in problems):
        raise DefinitionErrors(problems)


def _worker_sections(discovery: Discovery, cache: BuildCache | None,
                     previous: Mapping[str, bytes]) -> Callable[[str], tuple[str, ...]]:
    """The sections a worker may build for an environment: those the build cache does not hold."""
    definitions = [d for d in discovery.definitions if d.kind not in ("dashboard", "datasources")]

    def sections(environment: str) -> tuple[str, ...]:
        return tuple(name for name in _extra_sections()
                     if cache is None or cache.section(name, environment, definitions, previous) is None)

    return sections


def _linked_dashboards(state: Mapping[str, Any]) -> set[str]:
    """The uids of the dashboards an alerting section's rules link to (their files are part of its cache key)."""
    alerting = state.get("alerts")
    rules = getattr(alerting, "rules", ())
    return {str(rule.provisioning["dashboardUid"]) for rule in rules if "dashboardUid" in rule.provisioning}


def _extra_sections() -> dict[str, Any]:
    """Further sections of an environment's build by name (alerts), each returning (manifests, problems, state)."""

    def build_alerts_section(*args: Any) -> Any:
        # Imported when it runs: a section the build cache holds needs none of the alerting package.
        from dashctl.alerts.section import build_alerts_section

        return build_alerts_section(*args)

    return {"alerts": build_alerts_section}


def _call(definition: Definition, environment: Environment, project: Project, problems: list[DefinitionError]) -> Any:
    try:
        return definition.build(environment)
    except (Exception, SystemExit) as error:  # user code: report with its file and line, go on with the rest
        problems.append(
            error_from_exception(
                error, project.root, fallback=project.root / definition.location.file, definition=definition.label
            ).with_context(location=definition.location)
        )
        return None


def _check_unique_uids(discovery: Discovery) -> list[DefinitionError]:
    problems = []
    seen: dict[tuple[str, str], Definition] = {}
    for definition in discovery.definitions:
        uid = definition.options.get("uid")
        if uid is None:
            continue
        key = (definition.kind, uid)
        first = seen.get(key)
        if first is not None and _overlaps(first, definition):
            problems.append(
                DefinitionError(
                    f"duplicate {definition.kind} uid {uid!r}: also defined by {first.name} at {first.location}",
                    location=definition.location,
                    definition=definition.label,
                    hint="every uid must be unique within a Grafana instance; rename one of them",
                )
            )
        seen.setdefault(key, definition)
    return problems


def _overlaps(first: Definition, second: Definition) -> bool:
    if first.environments is None or second.environments is None:
        return True
    return bool(set(first.environments) & set(second.environments))


def _check_titles(dashboards: list[Any], environment: Environment) -> list[DefinitionError]:
    """Grafana's file provisioner stops writing when two dashboards share a title in one folder."""
    problems = []
    seen: dict[tuple[str | None, str], Any] = {}
    for compiled in dashboards:
        key = (compiled.folder, compiled.title)
        first = seen.get(key)
        # A copy under the same uid repeats the title too: that follows from the duplicate uid, reported already.
        if first is not None and first.uid != compiled.uid:
            problems.append(
                DefinitionError(
                    f"title {compiled.title!r} is also used by dashboard {first.uid!r} ({first.location}) in folder "
                    f"{compiled.folder or 'General'!r}",
                    location=compiled.location,
                    definition=compiled.definition,
                    hint="titles must be unique within a folder: Grafana's provisioner stops on duplicates",
                )
            )
        seen.setdefault(key, compiled)
    return problems


def _package_dashboard(compiled: Any, environment: Environment) -> Manifest:
    # The data key is the file the sidecar writes; the environment in it keeps dev and prod apart even for a
    # sidecar that watches every namespace (kube-prometheus-stack's default), while the uid stays the same.
    key = f"{compiled.uid}.{environment.name}.json"
    annotations = {}
    if compiled.folder:
        annotations = {argocd.FOLDER_ANNOTATION: compiled.folder, argocd.SIDECAR_FOLDER_ANNOTATION: compiled.folder}
    body = config_map(
        name=object_name("dashctl-dashboard", compiled.uid),
        namespace=environment.namespace,
        data={key: dump_json(compiled.model, minify=True)},
        labels={argocd.DASHBOARD_LABEL: "1"},
        annotations=annotations,
        what=compiled.definition,
        location=compiled.location,
    )
    return Manifest(file_name=f"dashboard-{object_name('', compiled.uid).lstrip('-')}.yaml", body=body)


def _package_datasources(datasources: list[Any], environment: Environment) -> Manifest:
    from dashctl.compiler.datasources import provisioning_document

    document = dump_yaml(provisioning_document(datasources))
    key = f"datasources.{environment.name}.yaml"
    what = f"datasources of environment {environment.name!r}"
    labels = {argocd.DATASOURCE_LABEL: "1"}
    if any(datasource.carries_secret for datasource in datasources):
        body = secret(name="dashctl-datasources", namespace=environment.namespace, data={key: document},
                      labels=labels, what=what)
    else:
        body = config_map(name="dashctl-datasources", namespace=environment.namespace, data={key: document},
                          labels=labels, what=what)
    return Manifest(file_name="datasources.yaml", body=body)


def _argocd_files(project: Project, builds: list[EnvironmentBuild]) -> dict[str, str]:
    owns_default = any(datasource.is_default for build in builds for datasource in build.datasources)
    return {
        "applicationset.yaml": dump_yaml(argocd.application_set(project)),
        "grafana-values.yaml": dump_yaml(argocd.grafana_values()),
        "kube-prometheus-stack-values.yaml": dump_yaml(
            argocd.kube_prometheus_stack_values(owns_default_datasource=owns_default)
        ),
    }


def _unique(problems: list[DefinitionError]) -> list[DefinitionError]:
    """The same problem met in dev and prod (a syntax error in a shared helper) is reported once."""
    return report_once(problems)
