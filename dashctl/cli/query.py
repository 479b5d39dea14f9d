"""`dashctl query check`: validate PromQL or LogQL queries, one a line."""

from __future__ import annotations

import click

from dashctl.cli.failure import EXIT_DIFFERENCES

__all__ = ["query"]


@click.group()
def query() -> None:
    """Work with PromQL and LogQL queries outside a build."""


@query.command()
@click.option("--lang", "language", type=click.Choice(["promql", "logql"], case_sensitive=False), required=True,
              help="Query language of every line.")
@click.option("--promql-experimental-functions", "experimental", is_flag=True,
              help="Accept experimental PromQL functions (sort_by_label, limitk, ...), as a Prometheus started with "
                   "--enable-feature=promql-experimental-functions does.")
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-")
def check(language: str, experimental: bool, source) -> None:
    """Validate one query per line of SOURCE (a file, or - for stdin; blank lines and # comments are skipped).

    Prints each invalid query with its line, column and the reason, a caret under the position; exits 1 when
    any query is invalid, 0 when all are valid. Grafana variables ($__rate_interval, $namespace, ${var:csv})
    are understood.
    """
    from dashctl.queries.check import check_queries
    from dashctl.queries.promql.dialect import experimental_functions

    lines = source.read().splitlines()
    with experimental_functions(enabled=experimental):
        problems = check_queries(lines, language)
    name = "<stdin>" if source.name == "<stdin>" else source.name
    for problem in problems:
        where = f"{name}:{problem.line}" + (f":{problem.column}" if problem.column else "")
        click.echo(f"{where}: {problem.reason}")
        click.echo(f"    {problem.query}")
        if problem.position is not None:
            click.echo(f"    {' ' * problem.position}^")
        if problem.hint:
            click.echo(f"    hint: {problem.hint}")
    checked = sum(1 for line in lines if line.strip() and not line.strip().startswith("#"))
    click.echo(f"{checked - len(problems)} valid, {len(problems)} invalid {language.lower()} quer"
               f"{'y' if checked == 1 else 'ies'}", err=True)
    if problems:
        raise SystemExit(EXIT_DIFFERENCES)
