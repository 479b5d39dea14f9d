"""The checks Loki makes on a LogQL query beyond its grammar, with Loki's messages and the offending position.

Some run while parsing, as Loki's node constructors panic (`mustNewMatcher`, `newLabelParserExpr`,
`mustNewNumericLabelFilter`); `check_expr` runs the rest once the tree is built, in the order of Loki's
`validateExpr` (grafana/loki `pkg/logql/syntax/parser.go` and `ast.go`): binary operation legs, aggregation
parameters and groupings, `unwrap` rules, and the stream selector rule that at least one matcher must not match the
empty string. Last come the checks Loki makes when it builds a query's pipeline, which also answer 400 before any
data is read: line filter regexes and patterns, `ip(...)` patterns and `label_format` names.

A Grafana variable inside a regex stands for text Grafana will fill in, so it is read as a plain letter.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Iterator

from dashctl.queries.logql import ast
from dashctl.queries.logql.lexer import raise_syntax_error
from dashctl.queries.logql.literals import LiteralError, go_quote, parse_float, parse_int
from dashctl.queries.logql.regexsyntax import RegexError, RegexInfo, parse_regex
from dashctl.queries.variables import VARIABLE_PATTERN

__all__ = [
    "check_expr",
    "check_matcher_regex",
    "check_number",
    "check_pattern_parser",
    "check_regexp_parser",
    "matches_empty",
]

EMPTY_MATCHERS_MESSAGE = (
    "queries require at least one regexp or equality matcher that does not have an empty-compatible value. "
    'For instance, app=~".*" does not meet this requirement, but app=~".+" will'
)

_GROUPING_ALLOWED = frozenset(
    {"avg_over_time", "stddev_over_time", "stdvar_over_time", "quantile_over_time", "max_over_time",
     "min_over_time", "first_over_time", "last_over_time"}  # fmt: skip
)
_UNWRAP_ALLOWED = frozenset(
    {"avg_over_time", "sum_over_time", "max_over_time", "min_over_time", "stddev_over_time", "stdvar_over_time",
     "quantile_over_time", "rate", "rate_counter", "absent_over_time", "first_over_time", "last_over_time"}  # fmt: skip
)
_NO_UNWRAP_ALLOWED = frozenset({"bytes_over_time", "bytes_rate", "count_over_time", "rate", "absent_over_time"})
_LOGICAL_OPS = frozenset({"or", "and", "unless"})
_CAPTURE = re.compile(r"<([A-Za-z_][A-Za-z0-9_]*)>")


def _regex(query: str, pattern: str, position: int, prefix: str = "") -> RegexInfo:
    try:
        return parse_regex(VARIABLE_PATTERN.sub("x", pattern))
    except RegexError as error:
        raise_syntax_error(query, f"{prefix}{error}", position)


def check_matcher_regex(query: str, pattern: str, position: int) -> None:
    """Reject a `=~`/`!~` matcher whose regex Go cannot compile (Prometheus' `labels.NewMatcher`)."""
    _regex(query, pattern, position)


def check_number(query: str, number: ast.NumberLiteral, prefix: str) -> None:
    """Reject a number `strconv.ParseFloat` cannot read, such as `0x10`; a Grafana variable always passes."""
    if number.is_variable:
        return
    try:
        parse_float(number.text)
    except LiteralError as error:
        raise_syntax_error(query, f"{prefix}: {error}", number.position)


def check_regexp_parser(query: str, pattern: str, position: int) -> None:
    """Reject a `| regexp` whose regex does not compile or names no capture, as Loki's `NewRegexpParser` does."""
    info = _regex(query, pattern, position, prefix="invalid regexp parser: ")
    names = [name for name in info.capture_names if name]
    if not names:
        raise_syntax_error(query, "invalid regexp parser: at least one named capture must be supplied", position)
    for index, name in enumerate(names):
        if name in names[:index]:
            raise_syntax_error(query, f"invalid regexp parser: duplicate extracted label name '{name}'", position)


def _pattern_nodes(pattern: str) -> list[tuple[bool, str]]:
    # Loki's pattern lexer: `<name>` is a capture, every other character is literal text.
    nodes: list[tuple[bool, str]] = []
    index = 0
    literal_start = 0
    while index < len(pattern):
        match = _CAPTURE.match(pattern, index)
        if match is None:
            index += 1
            continue
        if literal_start < index:
            nodes.append((False, pattern[literal_start:index]))
        nodes.append((True, match.group(1)))
        index = literal_start = match.end()
    if literal_start < len(pattern):
        nodes.append((False, pattern[literal_start:]))
    return nodes


def _consecutive_captures(nodes: list[tuple[bool, str]]) -> str | None:
    for (first_capture, first), (second_capture, second) in zip(nodes, nodes[1:]):
        if first_capture and second_capture:
            return f"found consecutive capture '<{first}><{second}>': invalid expression"
    return None


def check_pattern_parser(query: str, pattern: str, position: int) -> None:
    """Reject a `| pattern` Loki's pattern parser refuses: no named capture, captures side by side, a name twice."""
    prefix = "invalid pattern parser: "
    if pattern == "":
        raise_syntax_error(query, f"{prefix}syntax error: unexpected $end, expecting IDENTIFIER or LITERAL", position)
    nodes = _pattern_nodes(pattern)
    names = [name for capture, name in nodes if capture and name != "_"]
    if not names:
        raise_syntax_error(query, f"{prefix}at least one capture is required", position)
    problem = _consecutive_captures(nodes)
    if problem:
        raise_syntax_error(query, prefix + problem, position)
    for index, name in enumerate(names):
        if name in names[:index]:
            raise_syntax_error(query, f"{prefix}duplicate capture name ({name}): invalid expression", position)


def matches_empty(matcher: ast.Matcher) -> bool:
    """Whether `matcher` accepts a stream without the label (value ""); such matchers cannot select streams alone."""
    if matcher.op == "=":
        return matcher.value == ""
    if matcher.op == "!=":
        return matcher.value != ""
    nullable = parse_regex(VARIABLE_PATTERN.sub("x", matcher.value)).matches_empty
    return nullable if matcher.op == "=~" else not nullable


def check_expr(query: str, expr: ast.Expr) -> None:
    """Run Loki's checks after parsing on `expr`; raise QuerySyntaxError at the first problem."""
    # Iterative, depth first, each node before its children (Loki's order): `a + b + ... ` chains can be deep.
    pending: list[ast.Expr] = [expr]
    while pending:
        node = pending.pop()
        _check_node(query, node)
        if isinstance(node, ast.BinaryOperation):
            pending.extend((node.right, node.left))
        elif isinstance(node, (ast.VectorAggregation, ast.LabelReplace)):
            pending.append(node.expr)
    for log_query, unwrap in _log_queries(expr):
        _check_pipeline(query, log_query.stages)
        if unwrap is not None:
            for predicate in unwrap.post_filters:
                _check_predicate(query, predicate)


def _check_node(query: str, expr: ast.Expr) -> None:
    if isinstance(expr, ast.LogQuery):
        _check_selector(query, expr.selector)
    elif isinstance(expr, ast.BinaryOperation):
        _check_binary(query, expr)
    elif isinstance(expr, ast.ScalarLiteral):
        check_number(query, expr.value, "unable to parse literal as a float")
    elif isinstance(expr, ast.VectorLiteral):
        check_number(query, expr.value, "unable to parse vectorExpr as a float")
    elif isinstance(expr, ast.VectorAggregation):
        _check_vector_aggregation(query, expr)
    elif isinstance(expr, ast.LabelReplace):
        # Loki compiles the regex anchored, so the wrapper takes part in what compiles.
        _regex(query, f"^(?:{expr.regex})$", expr.regex_position, prefix="invalid regex in label_replace: ")
    elif isinstance(expr, ast.RangeAggregation):
        _check_range_aggregation(query, expr)
        _check_selector(query, expr.range.query.selector)


def _check_selector(query: str, selector: ast.StreamSelector) -> None:
    if all(matches_empty(matcher) for matcher in selector.matchers):
        raise_syntax_error(query, EMPTY_MATCHERS_MESSAGE, selector.position)


def _check_binary(query: str, node: ast.BinaryOperation) -> None:
    for side, leg in (("left", node.left), ("right", node.right)):
        if isinstance(leg, ast.LogQuery):
            type_name = "*syntax.PipelineExpr" if leg.stages else "*syntax.MatchersExpr"
            message = f"unexpected type for {side} leg of binary operation ({node.op}): {type_name}"
            raise_syntax_error(query, message, leg.position)
    for leg in (node.left, node.right):
        if isinstance(leg, ast.ScalarLiteral):
            check_number(query, leg.value, "unable to parse literal as a float")
    if node.op not in _LOGICAL_OPS:
        return
    for side, leg in (("left", node.left), ("right", node.right)):
        literal, value = _literal_value(leg)
        if literal:
            message = f"unexpected literal for {side} leg of logical/set binary operation ({node.op}): {value}"
            raise_syntax_error(query, message, leg.position)


def _literal_value(expr: ast.Expr) -> tuple[bool, str]:
    """Whether `expr` is a literal once Loki folds constant arithmetic, and its value as Go's `%f` prints it."""
    number = _fold(expr)
    if number is None:
        return False, ""
    if isinstance(number, str):
        return True, number
    if math.isnan(number):
        return True, "NaN"
    if math.isinf(number):
        return True, "+Inf" if number > 0 else "-Inf"
    return True, f"{number:f}"


def _fold(expr: ast.Expr) -> float | str | None:
    # A literal folds to its float (its text when Grafana fills it in); anything else to None. Iterative, post-order.
    folded: dict[int, float | str | None] = {}
    pending: list[tuple[ast.Expr, bool]] = [(expr, False)]
    while pending:
        node, children_done = pending.pop()
        if isinstance(node, ast.ScalarLiteral):
            folded[id(node)] = node.value.text if node.value.is_variable else parse_float(node.value.text)
        elif not isinstance(node, ast.BinaryOperation):
            folded[id(node)] = None
        elif not children_done:
            pending.extend(((node, True), (node.right, False), (node.left, False)))
        else:
            left, right = folded[id(node.left)], folded[id(node.right)]
            if left is None or right is None:
                folded[id(node)] = None
            elif isinstance(left, str) or isinstance(right, str):
                folded[id(node)] = left if isinstance(left, str) else right
            else:
                folded[id(node)] = _arithmetic(node.op, left, right, node.return_bool)
    return folded[id(expr)]


def _arithmetic(op: str, left: float, right: float, return_bool: bool) -> float:
    comparisons = {"==": left == right, "!=": left != right, ">": left > right, ">=": left >= right,
                   "<": left < right, "<=": left <= right}  # fmt: skip
    if op in comparisons:
        return float(comparisons[op]) if return_bool else (left if comparisons[op] else math.nan)
    try:
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        if op == "/":
            return left / right
        if op == "%":
            return math.fmod(left, right)
        return math.pow(left, right)
    except (OverflowError, ValueError, ZeroDivisionError):
        return math.nan


def _check_vector_aggregation(query: str, node: ast.VectorAggregation) -> None:
    op, param = node.op, node.param
    if op in ("topk", "bottomk", "approx_topk"):
        if param is None:
            raise_syntax_error(query, f"parameter required for operation {op}", node.position)
        elif not param.is_variable:
            try:
                value = parse_int(param.text)
            except LiteralError:
                raise_syntax_error(query, f"invalid parameter {op}({param.text},", param.position)
            if value <= 0:
                message = f"invalid parameter (must be greater than 0) {op}({param.text}"
                raise_syntax_error(query, message, param.position)
        if op == "approx_topk" and node.grouping is not None:
            raise_syntax_error(query, f"grouping not allowed for {op} aggregation", node.grouping.position)
    elif param is not None:
        raise_syntax_error(query, f"unsupported parameter for operation {op}({param.text},", param.position)
    if op in ("sort", "sort_desc") and node.grouping is not None and node.grouping.labels:
        raise_syntax_error(query, "sort and sort_desc doesn't allow grouping by", node.grouping.position)


def _check_range_aggregation(query: str, node: ast.RangeAggregation) -> None:
    op, param = node.op, node.param
    if param is not None:
        if op != "quantile_over_time":
            raise_syntax_error(query, f"parameter {param.text} not supported for operation {op}", param.position)
        check_number(query, param, f"invalid parameter for operation {op}")
    elif op == "quantile_over_time":
        raise_syntax_error(query, f"parameter required for operation {op}", node.position)
    if node.grouping is not None and op not in _GROUPING_ALLOWED:
        raise_syntax_error(query, f"grouping not allowed for {op} aggregation", node.grouping.position)
    unwrap = node.range.unwrap
    if unwrap is not None and op not in _UNWRAP_ALLOWED:
        raise_syntax_error(query, f"invalid aggregation {op} with unwrap", unwrap.position)
    if unwrap is None and op not in _NO_UNWRAP_ALLOWED:
        raise_syntax_error(query, f"invalid aggregation {op} without unwrap", node.position)


def _log_queries(expr: ast.Expr) -> Iterator[tuple[ast.LogQuery, ast.Unwrap | None]]:
    for node in ast.iter_nodes(expr):
        if isinstance(node, ast.LogQuery):
            yield node, None
        elif isinstance(node, ast.RangeAggregation):
            yield node.range.query, node.range.unwrap


def _check_pipeline(query: str, stages: tuple[ast.Stage, ...]) -> None:
    for stage in stages:
        if isinstance(stage, ast.LineFilter):
            for term in stage.terms:
                _check_line_filter_term(query, stage.op, term)
        elif isinstance(stage, ast.LabelFilterStage):
            _check_predicate(query, stage.predicate)
        elif isinstance(stage, ast.LabelFormatStage):
            _check_label_formats(query, stage)
        elif isinstance(stage, ast.LineFormat) and _unclosed_action(stage.template):
            raise_syntax_error(query, "invalid line_format template: unclosed action", stage.position)


def _check_line_filter_term(query: str, op: str, term: ast.LineFilterTerm) -> None:
    if term.ip:
        if op not in ("|=", "!="):
            raise_syntax_error(query, "ip: invalid operation", term.position)
        if not _valid_ip_pattern(term.value):
            raise_syntax_error(query, f"ip: invalid pattern: {go_quote(term.value)}", term.position)
    elif op in ("|~", "!~"):
        _regex(query, term.value, term.position)
    elif op in ("|>", "!>") and term.value:
        nodes = _pattern_nodes(term.value)
        problem = _consecutive_captures(nodes)
        named = [name for capture, name in nodes if capture and name != "_"]
        if problem is None and named:
            problem = f"named captures are not allowed: found '<{named[0]}>'"
        if problem:
            raise_syntax_error(query, problem, term.position)


def _check_predicate(query: str, predicate: ast.LabelPredicate) -> None:
    if isinstance(predicate, ast.LogicalLabelFilter):
        _check_predicate(query, predicate.left)
        _check_predicate(query, predicate.right)
    elif isinstance(predicate, ast.IpLabelFilter) and not _valid_ip_pattern(predicate.pattern):
        raise_syntax_error(query, f"ip: invalid pattern: {go_quote(predicate.pattern)}", predicate.position)


def _valid_ip_pattern(pattern: str) -> bool:
    # Loki's getMatcher: an address, a CIDR prefix, or an `a-b` range of one family in order (Go's net/netip).
    try:
        ipaddress.ip_address(pattern)
        return True
    except ValueError:
        pass
    address, slash, bits = pattern.partition("/")
    if slash:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            return False
        limit = 32 if "." in address and ":" not in address else 128
        return bits.isdigit() and bits.isascii() and (bits == "0" or not bits.startswith("0")) and int(bits) <= limit
    low, dash, high = pattern.partition("-")
    if not dash:
        return False
    try:
        first, last = ipaddress.ip_address(low), ipaddress.ip_address(high)
    except ValueError:
        return False
    return first.version == last.version and first <= last


def _check_label_formats(query: str, stage: ast.LabelFormatStage) -> None:
    seen: set[str] = set()
    for label_format in stage.formats:
        if label_format.name == "__error__":
            raise_syntax_error(query, "__error__ cannot be formatted", label_format.position)
        if label_format.name in seen:
            message = f"multiple label name '{label_format.name}' not allowed in a single format operation"
            raise_syntax_error(query, message, label_format.position)
        seen.add(label_format.name)
        if not label_format.rename and _unclosed_action(label_format.value):
            message = f"invalid template for label '{label_format.name}': unclosed action"
            raise_syntax_error(query, message, label_format.position)


def _unclosed_action(template: str) -> bool:
    # The one Go text/template error that is easy to tell without a template parser: `{{` never closed.
    start = template.find("{{")
    while start >= 0:
        end = template.find("}}", start + 2)
        if end < 0:
            return True
        start = template.find("{{", end + 2)
    return False
