"""The import pipeline: sources in, definition files and a report out.

For each dashboard: fill the constant inputs of an "export for sharing externally", migrate legacy content as
Grafana would (`migration`), map datasources to logical names (`datasources`), and write one definition file
(`codegen`). Rule documents go to `dashctl.importing.alerts` when that module is there. Every problem is
collected first; nothing is written when there is any (`write_definitions`).
"""

from __future__ import annotations

import copy
import importlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashctl.definitions import UID_MAX_LENGTH
from dashctl.errors import DefinitionError, DefinitionErrors, OutputError
from dashctl.importing.codegen import definition_name, function_name, render_definition
from dashctl.importing.datasources import DatasourceMapper, ProjectDatasources
from dashctl.importing.migration import MigrationError, migrate_dashboard
from dashctl.importing.shape import shape_problems
from dashctl.importing.report import ReportEntry
from dashctl.importing.sources import RuleDocument, SourceDashboard, Sources, plain_folder_title

__all__ = [
    "GeneratedFile",
    "ImportOptions",
    "ImportResult",
    "check_generated",
    "default_directory",
    "import_sources",
    "verify_import",
    "write_definitions",
    "write_import",
]

_UID = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True, kw_only=True)
class ImportOptions:
    """`folder` overrides every dashboard's folder; `datasources` maps a uid, name, `${DS_X}` input or `default`
    to a logical name (`--datasource FROM=LOGICAL`)."""

    folder: str | None = None
    datasources: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class GeneratedFile:
    """One definition file to write: its name, source, and (for a dashboard) the dashboard it must build back
    into."""

    name: str
    source: str
    origin: str
    uid: str = ""
    expected: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ImportResult:
    """The dashboard definition files, the alert rule files (`dashctl.importing.alerts`: rules and their test
    skeleton), and the report."""

    files: tuple[GeneratedFile, ...]
    rule_files: tuple[GeneratedFile, ...] = ()
    entries: tuple[ReportEntry, ...]


def import_sources(sources: Sources, project: Any, options: ImportOptions = ImportOptions()) -> ImportResult:
    """Turn what the sources hold into definition files; raises DefinitionErrors listing every problem."""
    problems: list[DefinitionError] = list(sources.problems)
    entries: list[ReportEntry] = [
        ReportEntry(kind="note", source=path, message="holds no dashboard or rule file; skipped")
        for path in sources.skipped
    ]
    project_datasources = ProjectDatasources.from_project(project)
    files: list[GeneratedFile] = []
    seen: dict[str, str] = {}
    names: set[str] = set()
    for source in sources.dashboards:
        try:
            generated, notes = _import_dashboard(
                source, project_datasources, options, sources.datasource_types, names
            )
        except DefinitionErrors as error:
            problems += [item.with_context(definition=source.origin) for item in error.errors]
            continue
        entries += notes
        if generated.uid in seen:
            problems.append(DefinitionError(
                f"{source.origin}: dashboard uid {generated.uid!r} was already imported from {seen[generated.uid]}",
                hint="import one of them, or change the uid of one in Grafana first",
            ))
            continue
        seen[generated.uid] = source.origin
        files.append(generated)
    rule_files: list[GeneratedFile] = []
    stems: set[str] = set()
    for document in sources.rules:
        try:
            generated, notes = _import_rules(document, project, options, stems,
                                             dashboards=[item.uid for item in files],
                                             known_types=sources.datasource_types)
        except DefinitionErrors as error:
            problems += list(error.errors)
            continue
        except DefinitionError as error:
            problems.append(error.with_context(definition=document.origin))
            continue
        rule_files += generated
        entries += notes
    if problems:
        raise DefinitionErrors(problems)
    return ImportResult(files=tuple(files), rule_files=tuple(rule_files), entries=tuple(entries))


def _import_rules(
    document: RuleDocument, project: Any, options: ImportOptions, stems: set[str], *, dashboards: list[str],
    known_types: Mapping[str, str] | None = None,
) -> tuple[list[GeneratedFile], list[ReportEntry]]:
    """The rules of one alerting document as a module of `@rule_group`s and its test skeleton, by
    `dashctl.importing.alerts` (its notes become report entries of their own kinds)."""
    try:
        alerts = importlib.import_module("dashctl.importing.alerts")
    except ModuleNotFoundError:
        alerts = None
    function = getattr(alerts, "import_alert_document", None)
    if function is None:
        return [], [ReportEntry(kind="unavailable", source=document.origin,
                                message=f"{document.kind} alert rules: alert import not available yet")]
    detect = getattr(alerts, "detect_alert_document", None)
    if detect is not None and detect(document.document) is None:
        return [], [ReportEntry(kind="note", source=document.origin,
                                message="has `groups` but no alerting or recording rules; skipped")]
    environments = project.select_environments() if project.environments else ()
    datasources = environments[0].datasources if environments else {}
    # A uid of the Grafana imported from names a logical datasource by --datasource, else by its type when the
    # project has one datasource of that type (as dashboards' references are mapped).
    of_type: dict[str, list[str]] = {}
    for logical, ref in datasources.items():
        of_type.setdefault(ref.type, []).append(logical)
    aliases = {uid: of_type[kind][0] for uid, kind in (known_types or {}).items() if len(of_type.get(kind, ())) == 1}
    aliases |= {source: logical for source, logical in options.datasources.items() if logical in datasources}
    result = function(
        document.document, source=document.origin, folder=options.folder,
        datasources=datasources or None, dashboards=dashboards, datasource_aliases=aliases,
    )
    entries = [ReportEntry(kind=note.kind, source=note.source, where=note.subject, message=note.message)
               for note in result.notes]
    if not result.source_code:
        return [], entries
    stem = function_name(document.name or Path(document.origin.split(" (document")[0].split(" [")[0]).stem) or "alerts"
    while stem in stems:
        stem = f"{stem}_{len(stems) + 1}"
    stems.add(stem)
    generated = [GeneratedFile(name=f"{stem}.py", source=result.source_code, origin=document.origin)]
    if result.test_code:
        generated.append(GeneratedFile(name=f"{stem}_tests.py", source=result.test_code, origin=document.origin))
    entries.insert(0, ReportEntry(kind="note", source=document.origin,
                                  message=f"{len(result.rules)} alert rule(s) imported ({result.kind})"))
    return generated, entries


def _import_dashboard(
    source: SourceDashboard, project: ProjectDatasources, options: ImportOptions, known_types: Mapping[str, str],
    taken: set[str],
) -> tuple[GeneratedFile, list[ReportEntry]]:
    problems = shape_problems(source.model)
    if problems:
        raise DefinitionErrors(
            DefinitionError(f"{source.origin}: {problem}", hint="fix the JSON, or export the dashboard again")
            for problem in problems
        )
    model = copy.deepcopy(source.model)
    uid = _uid(model)
    entries: list[ReportEntry] = []

    def note(kind: str, where: str | None, message: str) -> None:
        entries.append(ReportEntry(kind=kind, source=source.origin, uid=uid, where=where, message=message))

    if model.get("uid") and model["uid"] != uid:
        note("note", "dashboard", f"uid {model['uid']!r} is not a valid Grafana uid; written as {uid!r}")
    inputs = {item.get("name"): item for item in model.get("__inputs") or [] if isinstance(item, dict)}
    model = _fill_constants(model, inputs, lambda message: note("note", "dashboard", message))
    try:
        model = migrate_dashboard(
            model, lambda where, what: note("migration", where, what), lambda where, what: note("kept", where, what)
        )
    except MigrationError as error:
        raise DefinitionErrors([DefinitionError(f"{source.origin}: {error}", hint=error.hint)]) from None
    variables = {
        variable.get("name"): str(variable.get("query") or "")
        for variable in (model.get("templating") or {}).get("list") or []
        if isinstance(variable, dict) and variable.get("type") == "datasource"
    }
    mapper = DatasourceMapper(
        project=project,
        explicit=dict(options.datasources),
        inputs={name: str(item.get("pluginId") or "") for name, item in inputs.items()
                if item.get("type") == "datasource"},
        variables=variables,
        known_types=known_types,
        note=lambda message: note("datasource", None, message),
    )
    labels = {name: str(item.get("label") or "") for name, item in inputs.items()}
    model = _map_datasources(model, mapper, labels, lambda where, what: note("kept", where, what))
    if mapper.problems:
        raise DefinitionErrors(mapper.problems)

    folder = options.folder or source.folder
    if folder and not options.folder and plain_folder_title(folder) != folder:
        note("note", None, f"folder {folder!r} became {plain_folder_title(folder)!r}: dashctl files a dashboard in "
             "one folder by its title, which may hold no '/' or '\\'")
        folder = plain_folder_title(folder)
    name = definition_name(uid, model.get("title"))
    notes = [f"{entry.where}: {entry.message}" if entry.where else entry.message
             for entry in entries if entry.kind in ("migration", "kept")]
    if name in taken:
        name = f"{name}_{function_name(uid)}"  # two dashboards of one title: the uid tells them apart
    taken.add(name)
    undefined = _undefined_variables(model, note)
    written = _mark_invalid_queries(model, project, note)
    text = render_definition(written, uid=uid, folder=folder, origin=source.origin, notes=notes, name=name,
                             undefined_variables=undefined)
    return GeneratedFile(name=f"{name}.py", source=text, uid=uid, origin=source.origin, expected=model), entries


def _undefined_variables(model: dict[str, Any], note: Callable[[str, str | None, str], None]) -> dict[str, str]:
    """The variables the dashboard uses but no template defines (Grafana shows them as written), each with where
    it is first used: the definition allows them by name (`@dashboard(allow_undefined_variables=...)`)."""
    from dashctl.dashboards.compile import undefined_variable_uses

    variables = [item for item in (model.get("templating") or {}).get("list") or [] if isinstance(item, dict)]
    panels = [item for item in model.get("panels") or [] if isinstance(item, dict)]
    found: dict[str, str] = {}
    for use in undefined_variable_uses(panels, variables):
        if use.name not in found:
            found[use.name] = f"{use.where} repeat" if use.repeat else use.where
            what = (f"repeats over ${use.name}, which no template variable defines (Grafana shows the panel once)"
                    if use.repeat else f"uses ${use.name}, which no template variable of this dashboard defines "
                    "(Grafana leaves it as written)")
            note("warning", use.where, f"{what}: kept, and allowed by name in @dashboard(allow_undefined_variables="
                 "...); define the variable or fix the reference")
    return found


def _mark_invalid_queries(
    model: dict[str, Any], project: ProjectDatasources, note: Callable[[str, str | None, str], None]
) -> dict[str, Any]:
    """The model to write: `model` itself, or a copy in which each PromQL or LogQL query that dashctl's validators
    reject (as Prometheus or Loki would; e.g. a jsonnet `%(matchers)s` left unexpanded) is marked
    `Target(unvalidated=reason)`, so that the build carries it as Grafana has it."""
    from dashctl.dashboards.compile import query_language
    from dashctl.dashboards.generic import UNVALIDATED
    from dashctl.errors import QuerySyntaxError
    from dashctl.queries.promql.dialect import experimental_functions
    from dashctl.queries.validation import check_query

    variable_types = {
        item.get("name"): str(item.get("query") or "")
        for item in (model.get("templating") or {}).get("list") or []
        if isinstance(item, dict) and item.get("type") == "datasource"
    }

    def datasource_type(reference: Any) -> str | None:
        # As the build resolves it (dashctl.dashboards.compile): a variable by its plugin type, a logical name by
        # the project's type, an explicit reference by its own.
        uid = reference.get("uid") if isinstance(reference, dict) else reference
        if isinstance(uid, str) and uid.startswith("$"):
            return variable_types.get(uid.strip("${}").split(":")[0])
        if isinstance(uid, str) and uid in project.types:
            return project.types[uid]
        return reference.get("type") if isinstance(reference, dict) else None

    marks: dict[tuple[int, ...], str] = {}

    def visit(panels: list[Any], path: tuple[int, ...]) -> None:
        for number, panel in enumerate(panels):
            if not isinstance(panel, dict):
                continue
            where = f"panel {panel.get('title') or '#' + str(panel.get('id'))!r}"
            for index, target in enumerate(panel.get("targets") or []):
                expr = target.get("expr") if isinstance(target, dict) else None
                reference = target.get("datasource") or panel.get("datasource")
                language = query_language(datasource_type(reference))
                if language is None or not isinstance(expr, str) or not expr.strip():
                    continue
                try:
                    # A query that needs only experimental functions is not a mistake: the build says to enable
                    # them (promql_experimental_functions) where the Prometheus does.
                    with experimental_functions(enabled=True):
                        check_query(expr, language)
                except QuerySyntaxError as error:
                    reason = f"not valid {language} in the original dashboard: {error.message}"
                    marks[(*path, number, index)] = reason
                    note("warning", f"{where} query {target.get('refId')}",
                         f"{reason}; carried as it is, unvalidated (Target(unvalidated=...)): fix the query and "
                         "remove the mark")
            visit(panel.get("panels") or [], (*path, number))

    visit(model.get("panels") or [], ())
    if not marks:
        return model
    written = copy.deepcopy(model)
    for (*path, index), reason in marks.items():
        panels = written["panels"]
        for number in path[:-1]:
            panels = panels[number]["panels"]
        panels[path[-1]]["targets"][index][UNVALIDATED] = reason
    return written


def _uid(model: dict[str, Any]) -> str:
    uid = str(model.get("uid") or "")
    if not uid or len(uid) > UID_MAX_LENGTH or _UID.search(uid):
        base = uid or str(model.get("title") or "dashboard")
        uid = _UID.sub("-", base.lower()).strip("-")[:UID_MAX_LENGTH].strip("-") or "dashboard"
    return uid


def _fill_constants(model: dict[str, Any], inputs: Mapping[str, Any], note: Callable[[str], None]) -> dict[str, Any]:
    """Grafana's import replaces `${NAME}` of each constant input with the value the user confirms (by default the
    input's `value`) everywhere in the JSON."""
    constants = {
        name: item for name, item in inputs.items() if isinstance(name, str) and item.get("type") == "constant"
    }
    if not constants:
        return model
    text = json.dumps(model)
    for name, item in constants.items():
        value = str(item.get("value", ""))
        token = "${" + name + "}"
        if token in text:
            text = text.replace(token, json.dumps(value)[1:-1])
            note(f"constant input ${{{name}}} replaced by its value {value!r}")
    return json.loads(text)


def _map_datasources(
    model: dict[str, Any], mapper: DatasourceMapper, labels: Mapping[str, str], kept: Callable[[str, str], None]
) -> dict[str, Any]:
    templating = (model.get("templating") or {}).get("list") or []
    for variable in templating:
        if isinstance(variable, dict) and variable.get("datasource") is not None:
            variable["datasource"] = mapper.map(variable["datasource"], f"variable {variable.get('name')!r}")
    for annotation in (model.get("annotations") or {}).get("list") or []:
        if isinstance(annotation, dict) and annotation.get("datasource") is not None:
            annotation["datasource"] = mapper.map(annotation["datasource"], f"annotation {annotation.get('name')!r}")

    def panel(item: dict[str, Any]) -> None:
        where = f"panel {item.get('title') or '#' + str(item.get('id'))!r}"
        if item.get("libraryPanel"):
            kept(where, f"library panel {item['libraryPanel'].get('uid') or item['libraryPanel'].get('name')!r} "
                        "kept as a reference: its model lives in Grafana")
        targets = [target for target in item.get("targets") or [] if isinstance(target, dict)]
        if item.get("datasource") is not None:
            before = len(mapper.problems)
            mapped = mapper.map(item["datasource"], where)
            if len(mapper.problems) > before and not targets and item.get("type") != "row":
                # A panel that runs no query never uses its datasource (a text or alert list panel).
                del mapper.problems[before:]
                kept(where, f"dropped datasource {item['datasource']!r}: the panel runs no query and it names no "
                            "datasource of the project")
                del item["datasource"]
            else:
                item["datasource"] = mapped
        for target in targets:
            if target.get("datasource") is not None:
                target["datasource"] = mapper.map(target["datasource"], where)
        if targets and item.get("datasource") is None and any(t.get("datasource") is None for t in targets):
            item["datasource"] = mapper.map("default", where)
        for child in item.get("panels") or []:
            if isinstance(child, dict):
                panel(child)

    for item in model.get("panels") or []:
        if isinstance(item, dict):
            panel(item)
    for name, plugin in mapper.kept_inputs.items():
        if not any(isinstance(v, dict) and v.get("name") == name for v in templating):
            templating.insert(0, {"type": "datasource", "name": name, "label": labels.get(name) or name,
                                  "query": plugin})
        model["templating"] = {**(model.get("templating") or {}), "list": templating}
    return model


def default_directory(project: Any, *, kind: str = "dashboard") -> Path:
    """The first root that holds definitions of `kind` (`dashboard`, or `rule_group` for alert rules), else one
    named `dashboards` (`alerts`), else the first root."""
    marker, name = (f"@{kind}(", "dashboards" if kind == "dashboard" else "alerts")
    roots = [project.root / root for root in project.roots]
    for root in roots:
        if root.is_dir() and any(marker in path.read_text(errors="replace") for path in root.rglob("*.py")):
            return root
    for root in roots:
        if root.name == name:
            return root
    return roots[0] if roots else project.root / name


def write_import(
    result: ImportResult, dashboards: Path, alerts: Path, *, overwrite: bool = False
) -> list[Path]:
    """Write the dashboard definitions into `dashboards` and the alert rule files into `alerts`; when one of them
    exists already nothing at all is written (unless `overwrite`)."""
    planned = [dashboards / item.name for item in result.files] + [alerts / item.name for item in result.rule_files]
    existing = [path for path in planned if path.exists()]
    if existing and not overwrite:
        raise OutputError(
            "would overwrite " + ", ".join(str(path) for path in existing)
            + "; nothing was written (pass --overwrite to replace them)"
        )
    written = write_definitions(result.files, dashboards, overwrite=True) if result.files else []
    return written + (write_definitions(result.rule_files, alerts, overwrite=True) if result.rule_files else [])


def write_definitions(files: Iterable[GeneratedFile], directory: Path, *, overwrite: bool = False) -> list[Path]:
    """Write the files into `directory`; an existing file is an error (nothing is written) unless `overwrite`."""
    files = list(files)
    targets = [directory / item.name for item in files]
    existing = [path for path in targets if path.exists()]
    if existing and not overwrite:
        raise OutputError(
            "would overwrite " + ", ".join(str(path) for path in existing)
            + "; nothing was written (pass --overwrite to replace them)"
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for path, item in zip(targets, files):
            temporary = path.with_name(f".{path.name}.tmp")
            temporary.write_text(item.source, encoding="utf-8")
            temporary.replace(path)
    except OSError as error:
        raise OutputError(f"cannot write into {directory}: {error}") from error
    return targets


def check_generated(item: GeneratedFile, environment: Any, *, path: str | None = None) -> tuple[list[Any], list[str]]:
    """Build the generated definition for `environment` and compare it with the dashboard it came from.

    Returns the round-trip differences (first per panel) and the problems the build reports when it validates
    queries and variables (a query dashctl's validators reject, a variable no template defines)."""
    from dashctl.dashboards.compile import compile_dashboard
    from dashctl.definitions import collecting
    from dashctl.importing.roundtrip import compare_dashboards

    filename = path or f"<import {item.name}>"
    namespace: dict[str, Any] = {"__name__": f"dashctl_import_{function_name(item.uid)}", "__file__": filename}
    with collecting() as found:
        exec(compile(item.source, filename, "exec"), namespace)  # noqa: S102 - our own generated definition
    definition = found[0]
    built = definition.build(environment)
    problems: list[str] = []
    try:
        compile_dashboard(definition, built, environment, validate_queries=True)
    except DefinitionErrors as error:
        problems += [item.message for item in error.errors]
    except DefinitionError as error:
        problems.append(error.message)
    try:
        compiled = compile_dashboard(definition, built, environment, validate_queries=False)
    except DefinitionErrors:
        return [], problems
    datasources = {name: ref.to_json() for name, ref in environment.datasources.items()}
    return compare_dashboards(item.expected, compiled.model, datasources=datasources), problems


def verify_import(result: ImportResult, environment: Any) -> list[ReportEntry]:
    """Build every generated definition for `environment`: a `difference` entry for the first difference of each
    panel from the dashboard it came from, a `warning` for each problem `dashctl build` would refuse it for."""
    entries: list[ReportEntry] = []
    for item in result.files:
        differences, problems = check_generated(item, environment)
        entries += [
            ReportEntry(kind="difference", source=item.origin, uid=item.uid, where=difference.where,
                        message=f"{difference.path}: expected {difference.expected!r}, built {difference.actual!r}")
            for difference in differences
        ]
        entries += [ReportEntry(kind="warning", source=item.origin, uid=item.uid,
                                message=f"`dashctl build` would refuse it: {problem}") for problem in problems]
    return entries
