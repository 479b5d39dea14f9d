"""A recursive-descent parser for LogQL that accepts the language of Loki's goyacc grammar.

The grammar is grafana/loki `pkg/logql/syntax/syntax.y`. Where that grammar is ambiguous, goyacc shifts, so after a
label filter an `and`/`or`/`,`/label continues the filter, and after a line filter `or` continues the filter;
this parser is greedy in the same places. Errors name tokens as Loki does ("syntax error: unexpected IDENTIFIER,
expecting NUMBER or { or (") and point at the offending token; like goyacc, a list of expected tokens is given
only when it is short. Checks Loki makes while building nodes (a matcher's regex, `| regexp`, `| pattern`, a
label filter's number) fail at once; the checks Loki makes after parsing live in `checks.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NoReturn

from dashctl.queries.logql import ast
from dashctl.queries.logql.checks import check_matcher_regex, check_number, check_pattern_parser, check_regexp_parser
from dashctl.errors import QuerySyntaxError
from dashctl.queries.logql.lexer import FUNCTION_KEYWORDS, Lexer, Token, display_kind, raise_syntax_error
from dashctl.spelling import closest

__all__ = ["parse_expr"]

_MAX_NESTING = 150

# The order in which Loki's grammar declares its tokens; goyacc lists expected tokens in this order.
_DECLARATION_ORDER = (
    "BYTES IDENTIFIER STRING NUMBER FUNCTION_FLAG DURATION RANGE EQ RE NRE NPA OPEN_BRACE CLOSE_BRACE OPEN_BRACKET "
    "CLOSE_BRACKET COMMA DOT PIPE_MATCH PIPE_EXACT PIPE_PATTERN OPEN_PARENTHESIS CLOSE_PARENTHESIS BY WITHOUT "
    "BOOL JSON REGEXP LOGFMT PIPE LINE_FMT LABEL_FMT UNWRAP BYTES_CONV DURATION_CONV DURATION_SECONDS_CONV VECTOR "
    "LABEL_REPLACE UNPACK OFFSET PATTERN IP ON IGNORING GROUP_LEFT GROUP_RIGHT DECOLORIZE DROP KEEP OR AND UNLESS "
    "CMP_EQ NEQ LT LTE GT GTE ADD SUB MUL DIV MOD POW"
).split()

_PRECEDENCE = {
    "OR": 1,
    "AND": 2,
    "UNLESS": 2,
    "CMP_EQ": 3,
    "NEQ": 3,
    "LT": 3,
    "LTE": 3,
    "GT": 3,
    "GTE": 3,
    "ADD": 4,
    "SUB": 4,
    "MUL": 5,
    "DIV": 5,
    "MOD": 5,
    "POW": 6,
}

_RANGE_OPS = {
    "COUNT_OVER_TIME", "RATE", "RATE_COUNTER", "BYTES_OVER_TIME", "BYTES_RATE", "AVG_OVER_TIME", "SUM_OVER_TIME",
    "MIN_OVER_TIME", "MAX_OVER_TIME", "STDVAR_OVER_TIME", "STDDEV_OVER_TIME", "QUANTILE_OVER_TIME",
    "FIRST_OVER_TIME", "LAST_OVER_TIME", "ABSENT_OVER_TIME",
}  # fmt: skip
_VECTOR_OPS = {
    "SUM", "AVG", "COUNT", "MAX", "MIN", "STDDEV", "STDVAR", "BOTTOMK", "TOPK", "SORT", "SORT_DESC", "APPROX_TOPK",
}  # fmt: skip
_LINE_FILTER_OPS = {"PIPE_EXACT": "|=", "PIPE_MATCH": "|~", "PIPE_PATTERN": "|>", "NEQ": "!=", "NRE": "!~", "NPA": "!>"}
_MATCH_OPS = {"EQ": "=", "NEQ": "!=", "RE": "=~", "NRE": "!~"}
# What may follow a label name in a label filter (`level="error"`, `status >= 500`).
_LABEL_FILTER_OPS = frozenset({"EQ", "NEQ", "RE", "NRE", "CMP_EQ", "GT", "GTE", "LT", "LTE"})
_PARSER_LIST = "json, logfmt, regexp, pattern, unpack"
# Stages a word after `|` may be meant as, for "did you mean".
_STAGE_KEYWORDS = ("json", "logfmt", "regexp", "pattern", "unpack", "line_format", "label_format", "decolorize",
                   "drop", "keep", "unwrap")
# Functions a call in a metric query may name (the conversions belong inside unwrap only).
_FUNCTIONS = tuple(name for name in FUNCTION_KEYWORDS if name not in ("bytes", "duration", "duration_seconds", "ip"))
_COMPARISON_OPS = {"EQ": "=", "NEQ": "!=", "CMP_EQ": "==", "GT": ">", "GTE": ">=", "LT": "<", "LTE": "<="}
_CONVERSIONS = {"BYTES_CONV": "bytes", "DURATION_CONV": "duration", "DURATION_SECONDS_CONV": "duration_seconds"}
_NUMBERS = ("NUMBER", "VARIABLE")
# Grafana fills a variable in before Loki parses the query, so a variable may stand for a label name (`{$label=~"x"}`,
# `| $label="x"`), between two operands for a binary operator (`a $op b`, also before `bool`, `on`, `ignoring`), and
# before a string for a line filter's operator (`$op "error"`).
_NAMES = ("IDENTIFIER", "VARIABLE")
_OPERAND_STARTS = frozenset(
    {"OPEN_BRACE", "OPEN_PARENTHESIS", "NUMBER", "VARIABLE", "ADD", "SUB", "LABEL_REPLACE", "VECTOR", "BOOL", "ON",
     "IGNORING"}
) | _RANGE_OPS | _VECTOR_OPS
_VARIABLE_OPERATOR_PRECEDENCE = 4


def parse_expr(query: str) -> ast.Expr:
    """Parse `query` into its syntax tree; raise QuerySyntaxError on the first syntax error."""
    return _Parser(query).parse()


class _Parser:
    def __init__(self, query: str):
        self.query = query
        self.lexer = Lexer(query)
        self.lookahead: list[Token] = []
        self.nesting = 0

    # Tokens ----------------------------------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        while len(self.lookahead) <= ahead:
            self.lookahead.append(self.lexer.next_token())
        return self.lookahead[ahead]

    def advance(self) -> Token:
        token = self.peek()
        del self.lookahead[0]
        return token

    def expect(self, *kinds: str) -> Token:
        token = self.peek()
        if token.kind not in kinds:
            self.unexpected(token, kinds)
        return self.advance()

    def unexpected(self, token: Token, expecting: Iterable[str] = ()) -> NoReturn:
        message = f"syntax error: unexpected {display_kind(token)}"
        names = sorted(set(expecting), key=lambda kind: _DECLARATION_ORDER.index(kind))
        if 0 < len(names) <= 4:
            message += ", expecting " + " or ".join(display_kind(_placeholder(kind)) for kind in names)
        hint = _expectation_hint(token.kind, frozenset(names))
        raise QuerySyntaxError(message, query=self.query, position=token.start, language="LogQL", hint=hint)

    def enter(self) -> None:
        self.nesting += 1
        if self.nesting > _MAX_NESTING:
            raise_syntax_error(self.query, "expression nests too deeply", self.peek().start)

    # Expressions -----------------------------------------------------------------------------------------------

    def parse(self) -> ast.Expr:
        expr = self.parse_binary(0)
        if self.peek().kind != "EOF":
            self.unexpected(self.peek())
        return expr

    def parse_binary(self, min_precedence: int) -> ast.Expr:
        self.enter()
        left = self.parse_operand()
        while (precedence := self.operator_precedence()) is not None and precedence >= min_precedence:
            operator = self.advance()
            return_bool, matching = self.parse_binary_modifiers()
            # `^` is right-associative, every other operator left-associative.
            right = self.parse_binary(precedence if operator.kind == "POW" else precedence + 1)
            left = ast.BinaryOperation(
                op=operator.text if operator.kind == "VARIABLE" else display_kind(operator),
                left=left,
                right=right,
                return_bool=return_bool,
                matching=matching,
                position=operator.start,
            )
        self.nesting -= 1
        return left

    def operator_precedence(self) -> int | None:
        """The precedence of the binary operator ahead, if one is; a variable between operands is one too."""
        token = self.peek()
        if token.kind == "VARIABLE":
            # Which operator Grafana fills in is unknown; `+`'s precedence keeps both legs whole.
            return _VARIABLE_OPERATOR_PRECEDENCE if self.peek(1).kind in _OPERAND_STARTS else None
        return _PRECEDENCE.get(token.kind)

    def parse_binary_modifiers(self) -> tuple[bool, ast.VectorMatching | None]:
        return_bool = self.peek().kind == "BOOL"
        if return_bool:
            self.advance()
        if self.peek().kind not in ("ON", "IGNORING"):
            return return_bool, None
        on = self.advance().kind == "ON"
        self.expect("OPEN_PARENTHESIS")
        labels = self.parse_label_list()
        cardinality, include = "one-to-one", ()
        if self.peek().kind in ("GROUP_LEFT", "GROUP_RIGHT"):
            cardinality = "many-to-one" if self.advance().kind == "GROUP_LEFT" else "one-to-many"
            if self.peek().kind == "OPEN_PARENTHESIS":
                self.advance()
                include = self.parse_label_list()
        matching = ast.VectorMatching(on=on, labels=labels, cardinality=cardinality, include=include)
        return return_bool, matching

    def parse_operand(self) -> ast.Expr:
        token = self.peek()
        kind = token.kind
        if kind == "OPEN_BRACE":
            return self.parse_log_query(in_range=False)[0]
        if kind == "OPEN_PARENTHESIS":
            self.advance()
            inner = self.parse_binary(0)
            self.expect("CLOSE_PARENTHESIS")
            return inner
        if kind in _NUMBERS or kind in ("ADD", "SUB"):
            number = self.parse_number()
            return ast.ScalarLiteral(value=number, position=number.position)
        if kind in _RANGE_OPS:
            return self.parse_range_aggregation()
        if kind in _VECTOR_OPS:
            return self.parse_vector_aggregation()
        if kind == "LABEL_REPLACE":
            return self.parse_label_replace()
        if kind == "VECTOR":
            self.advance()
            self.expect("OPEN_PARENTHESIS")
            value = self.parse_unsigned_number()
            self.expect("CLOSE_PARENTHESIS")
            return ast.VectorLiteral(value=value, position=token.start)
        if kind == "IDENTIFIER" and self.peek(1).kind == "OPEN_PARENTHESIS":
            guess = closest(token.text, _FUNCTIONS)
            raise QuerySyntaxError(
                f"unknown function `{token.text}`", query=self.query, position=token.start, language="LogQL",
                hint=f"did you mean `{guess}`?" if guess else
                "see https://grafana.com/docs/loki/latest/query/metric_queries/",
            )
        self.unexpected(token)

    def parse_metric_argument(self) -> ast.Expr:
        # Where the grammar wants a metricExpr, a log query may only stand as an operand of a binary operation.
        expr = self.parse_binary(0)
        if isinstance(expr, ast.LogQuery):
            self.unexpected(self.peek())
        return expr

    def parse_number(self) -> ast.NumberLiteral:
        sign = self.peek()
        if sign.kind in ("ADD", "SUB"):
            self.advance()
            number = self.parse_unsigned_number()
            text = ("-" if sign.kind == "SUB" else "") + number.text
            return ast.NumberLiteral(text=text, position=sign.start)
        return self.parse_unsigned_number()

    def parse_unsigned_number(self) -> ast.NumberLiteral:
        token = self.peek()
        if token.kind not in _NUMBERS:
            self.unexpected(token, ("NUMBER",))
        self.advance()
        return ast.NumberLiteral(text=token.text, position=token.start)

    def parse_range_aggregation(self) -> ast.RangeAggregation:
        operation = self.advance()
        self.expect("OPEN_PARENTHESIS")
        param = None
        if self.peek().kind in _NUMBERS:
            param = self.parse_unsigned_number()
            self.expect("COMMA")
        elif self.peek().kind not in ("OPEN_BRACE", "OPEN_PARENTHESIS"):
            self.unexpected(self.peek(), ("NUMBER", "OPEN_BRACE", "OPEN_PARENTHESIS"))
        log_range = self.parse_log_range()
        self.expect("CLOSE_PARENTHESIS")
        grouping = self.parse_grouping() if self.peek().kind in ("BY", "WITHOUT") else None
        return ast.RangeAggregation(
            op=operation.text.lower(), range=log_range, param=param, grouping=grouping, position=operation.start
        )

    def parse_vector_aggregation(self) -> ast.VectorAggregation:
        operation = self.advance()
        grouping = self.parse_grouping() if self.peek().kind in ("BY", "WITHOUT") else None
        self.expect("OPEN_PARENTHESIS")
        param = None
        if self.peek().kind in _NUMBERS and self.peek(1).kind == "COMMA":
            param = self.parse_unsigned_number()
            self.advance()
        expr = self.parse_metric_argument()
        self.expect("CLOSE_PARENTHESIS")
        if grouping is None and self.peek().kind in ("BY", "WITHOUT"):
            grouping = self.parse_grouping()
        return ast.VectorAggregation(
            op=operation.text.lower(), expr=expr, param=param, grouping=grouping, position=operation.start
        )

    def parse_label_replace(self) -> ast.LabelReplace:
        function = self.advance()
        self.expect("OPEN_PARENTHESIS")
        expr = self.parse_metric_argument()
        strings = []
        for _ in range(4):
            self.expect("COMMA")
            strings.append(self.expect("STRING"))
        self.expect("CLOSE_PARENTHESIS")
        destination, replacement, source, regex = strings
        return ast.LabelReplace(
            expr=expr,
            destination=str(destination.value),
            replacement=str(replacement.value),
            source=str(source.value),
            regex=str(regex.value),
            regex_position=regex.start,
            position=function.start,
        )

    def parse_grouping(self) -> ast.Grouping:
        keyword = self.advance()
        self.expect("OPEN_PARENTHESIS")
        labels = self.parse_label_list()
        return ast.Grouping(without=keyword.kind == "WITHOUT", labels=labels, position=keyword.start)

    def parse_label_list(self) -> tuple[str, ...]:
        """Parse `a, b)` after an opening parenthesis; a Grafana variable may stand for a label name."""
        labels: list[str] = []
        if self.peek().kind == "CLOSE_PARENTHESIS":
            self.advance()
            return ()
        while True:
            token = self.peek()
            if token.kind not in ("IDENTIFIER", "VARIABLE"):
                self.unexpected(token, ("IDENTIFIER",) if labels else ("IDENTIFIER", "CLOSE_PARENTHESIS"))
            labels.append(self.advance().text)
            if self.expect("COMMA", "CLOSE_PARENTHESIS").kind == "CLOSE_PARENTHESIS":
                return tuple(labels)

    # Log queries -----------------------------------------------------------------------------------------------

    def parse_log_query(self, *, in_range: bool) -> tuple[ast.LogQuery, ast.Unwrap | None]:
        selector = self.parse_selector()
        stages = self.parse_stages(in_range=in_range)
        query = ast.LogQuery(selector=selector, stages=stages, position=selector.position)
        return query, self.parse_unwrap() if in_range else None

    def parse_log_range(self) -> ast.LogRange:
        """Parse the argument of a range aggregation, in every arrangement syntax.y's logRangeExpr allows."""
        start = self.peek()
        if start.kind == "OPEN_PARENTHESIS":
            self.enter()
            self.advance()
            if self.peek().kind == "OPEN_PARENTHESIS":
                log_range = self.parse_log_range()
                self.expect("CLOSE_PARENTHESIS")
            elif self.peek().kind == "OPEN_BRACE":
                query, unwrap = self.parse_log_query(in_range=True)
                if self.peek().kind == "RANGE":
                    log_range = self.parse_range_tail(query, unwrap, start)
                    self.expect("CLOSE_PARENTHESIS")
                else:
                    self.expect("CLOSE_PARENTHESIS")
                    log_range = self.parse_range_tail(query, unwrap, start, allow_pipeline=False)
            else:
                self.unexpected(self.peek(), ("OPEN_BRACE", "OPEN_PARENTHESIS"))
            self.nesting -= 1
            return log_range
        if start.kind != "OPEN_BRACE":
            self.unexpected(start, ("OPEN_BRACE", "OPEN_PARENTHESIS"))
        query, unwrap = self.parse_log_query(in_range=True)
        return self.parse_range_tail(query, unwrap, start)

    def parse_range_tail(
        self, query: ast.LogQuery, unwrap: ast.Unwrap | None, start: Token, *, allow_pipeline: bool = True
    ) -> ast.LogRange:
        """Parse `[5m] offset 1h` and, when nothing came before the range, a pipeline and unwrap after it."""
        token = self.expect("RANGE")
        duration = ast.Duration(text=token.text[1:-1], nanoseconds=token.value)
        offset = None
        if self.peek().kind == "OFFSET":
            self.advance()
            value = self.expect("DURATION", "VARIABLE")
            offset = ast.Duration(text=value.text, nanoseconds=value.value)
        if unwrap is None and not query.stages:
            stages = self.parse_stages(in_range=True) if allow_pipeline else ()
            if stages:
                query = ast.LogQuery(selector=query.selector, stages=stages, position=query.position)
            unwrap = self.parse_unwrap()
        return ast.LogRange(query=query, range=duration, offset=offset, unwrap=unwrap, position=start.start)

    def parse_selector(self) -> ast.StreamSelector:
        brace = self.expect("OPEN_BRACE")
        matchers: list[ast.Matcher] = []
        if self.peek().kind == "CLOSE_BRACE":
            self.advance()
            return ast.StreamSelector(matchers=(), position=brace.start)
        while True:
            if self.peek().kind not in _NAMES:
                self.unexpected(self.peek(), ("IDENTIFIER",) if matchers else ("IDENTIFIER", "CLOSE_BRACE"))
            matchers.append(self.parse_matcher())
            if self.expect("CLOSE_BRACE", "COMMA").kind == "CLOSE_BRACE":
                return ast.StreamSelector(matchers=tuple(matchers), position=brace.start)

    def parse_matcher(self, name: Token | None = None) -> ast.Matcher:
        """Parse `name op "value"`; `name` is given when the caller has already taken it."""
        name = name or self.expect(*_NAMES)
        operator = self.expect(*_MATCH_OPS)
        value = self.expect("STRING")
        op = _MATCH_OPS[operator.kind]
        if op in ("=~", "!~"):
            check_matcher_regex(self.query, str(value.value), value.start)
        return ast.Matcher(name=name.text, op=op, value=str(value.value), position=name.start)

    def parse_stages(self, *, in_range: bool) -> tuple[ast.Stage, ...]:
        stages: list[ast.Stage] = []
        while True:
            token = self.peek()
            if token.kind in _LINE_FILTER_OPS or (token.kind == "VARIABLE" and self.peek(1).kind == "STRING"):
                stages.append(self.parse_line_filter())
            elif token.kind == "PIPE" and not (in_range and self.peek(1).kind == "UNWRAP"):
                self.advance()
                stages.append(self.parse_pipe_stage(token))
            else:
                return tuple(stages)

    def parse_line_filter(self) -> ast.LineFilter:
        operator = self.advance()
        terms = [self.parse_line_filter_term()]
        while self.peek().kind == "OR":
            self.advance()
            terms.append(self.parse_line_filter_term())
        # A variable before a string stands for the filter's operator (`{app="a"} $op "$search"`).
        op = operator.text if operator.kind == "VARIABLE" else _LINE_FILTER_OPS[operator.kind]
        return ast.LineFilter(op=op, terms=tuple(terms), position=operator.start)

    def parse_line_filter_term(self) -> ast.LineFilterTerm:
        token = self.expect("STRING", "IP")
        if token.kind == "STRING":
            return ast.LineFilterTerm(value=str(token.value), ip=False, position=token.start)
        self.expect("OPEN_PARENTHESIS")
        value = self.expect("STRING")
        self.expect("CLOSE_PARENTHESIS")
        return ast.LineFilterTerm(value=str(value.value), ip=True, position=token.start)

    def parse_pipe_stage(self, pipe: Token) -> ast.Stage:
        token = self.peek()
        kind = token.kind
        if kind == "EOF":
            raise QuerySyntaxError(
                "the pipeline is incomplete: the query ends with `|`", query=self.query, position=pipe.start,
                language="LogQL", hint=f"after `|` comes a stage: a parser ({_PARSER_LIST}), a label filter "
                "(level=\"error\"), line_format, label_format, drop, keep or decolorize; or remove the `|`",
            )
        following = self.peek(1).kind
        if kind == "IDENTIFIER" and following not in _LABEL_FILTER_OPS and (
                following in ("EOF", "PIPE", "CLOSE_PARENTHESIS") or closest(token.text, _STAGE_KEYWORDS)):
            self.unknown_stage(token)
        if kind in ("JSON", "LOGFMT"):
            self.advance()
            flags = []
            while kind == "LOGFMT" and self.peek().kind == "FUNCTION_FLAG":
                flags.append(self.advance().text)
            extractions = self.parse_extractions() if self.peek().kind == "IDENTIFIER" else ()
            return ast.LabelParser(
                kind=kind.lower(), param=None, flags=tuple(flags), extractions=extractions, position=token.start
            )
        if kind in ("REGEXP", "PATTERN"):
            self.advance()
            param = self.expect("STRING")
            if kind == "REGEXP":
                check_regexp_parser(self.query, str(param.value), param.start)
            else:
                check_pattern_parser(self.query, str(param.value), param.start)
            return ast.LabelParser(
                kind=kind.lower(), param=str(param.value), flags=(), extractions=(), position=token.start
            )
        if kind == "UNPACK":
            self.advance()
            return ast.LabelParser(kind="unpack", param=None, flags=(), extractions=(), position=token.start)
        if kind == "LINE_FMT":
            self.advance()
            return ast.LineFormat(template=str(self.expect("STRING").value), position=token.start)
        if kind == "DECOLORIZE":
            self.advance()
            return ast.Decolorize(position=token.start)
        if kind == "LABEL_FMT":
            self.advance()
            return ast.LabelFormatStage(formats=self.parse_label_formats(), position=token.start)
        if kind in ("DROP", "KEEP"):
            self.advance()
            labels = self.parse_named_matchers()
            if kind == "DROP":
                return ast.DropLabels(labels=labels, position=token.start)
            return ast.KeepLabels(labels=labels, position=token.start)
        if kind in ("IDENTIFIER", "VARIABLE", "OPEN_PARENTHESIS"):
            return ast.LabelFilterStage(predicate=self.parse_label_predicate(), position=pipe.start)
        self.unexpected(token)

    def unknown_stage(self, token: Token) -> NoReturn:
        """`| jsn`: an identifier after `|` that no comparison follows is a misspelt parser or an unfinished filter."""
        guess = closest(token.text, _STAGE_KEYWORDS)
        if guess is not None:
            message = f"unknown parser `{token.text}`: {_PARSER_LIST}"
            hint = f"did you mean `{guess}`?"
        else:
            message = f"`{token.text}` after `|` is neither a parser ({_PARSER_LIST}) nor a label filter"
            hint = f"a label filter compares the label: | {token.text}=\"value\" (or !=, =~, >, ...)"
        raise QuerySyntaxError(message, query=self.query, position=token.start, language="LogQL", hint=hint)

    def parse_extractions(self) -> tuple[ast.LabelExtraction, ...]:
        extractions = []
        while True:
            label = self.expect("IDENTIFIER")
            expression = label.text
            if self.peek().kind == "EQ":
                self.advance()
                expression = str(self.expect("STRING").value)
            extractions.append(ast.LabelExtraction(label=label.text, expression=expression, position=label.start))
            if self.peek().kind != "COMMA":
                return tuple(extractions)
            self.advance()

    def parse_label_formats(self) -> tuple[ast.LabelFormat, ...]:
        formats = []
        while True:
            name = self.expect("IDENTIFIER")
            self.expect("EQ")
            value = self.expect("IDENTIFIER", "STRING")
            rename = value.kind == "IDENTIFIER"
            text = value.text if rename else str(value.value)
            formats.append(ast.LabelFormat(name=name.text, value=text, rename=rename, position=name.start))
            if self.peek().kind != "COMMA":
                return tuple(formats)
            self.advance()

    def parse_named_matchers(self) -> tuple[str | ast.Matcher, ...]:
        labels: list[str | ast.Matcher] = []
        while True:
            if self.peek(1).kind in _MATCH_OPS and self.peek().kind == "IDENTIFIER":
                labels.append(self.parse_matcher())
            else:
                labels.append(self.expect("IDENTIFIER").text)
            if self.peek().kind != "COMMA":
                return tuple(labels)
            self.advance()

    def parse_label_predicate(self) -> ast.LabelPredicate:
        left = self.parse_label_conjunction()
        while self.peek().kind == "OR":
            operator = self.advance()
            right = self.parse_label_conjunction()
            left = ast.LogicalLabelFilter(op="or", left=left, right=right, position=operator.start)
        return left

    def parse_label_conjunction(self) -> ast.LabelPredicate:
        left = self.parse_label_primary()
        while True:
            token = self.peek()
            if token.kind in ("AND", "COMMA"):
                self.advance()
            elif token.kind not in ("IDENTIFIER", "VARIABLE", "OPEN_PARENTHESIS"):
                return left
            right = self.parse_label_primary()
            left = ast.LogicalLabelFilter(op="and", left=left, right=right, position=token.start)

    def parse_label_primary(self) -> ast.LabelPredicate:
        token = self.peek()
        if token.kind == "OPEN_PARENTHESIS":
            self.enter()
            self.advance()
            inner = self.parse_label_predicate()
            self.expect("CLOSE_PARENTHESIS")
            self.nesting -= 1
            return inner
        if token.kind not in _NAMES:
            self.unexpected(token, ("IDENTIFIER", "OPEN_PARENTHESIS"))
        name = self.advance()
        operator = self.peek()
        if operator.kind in ("RE", "NRE"):
            return ast.LabelFilter(matcher=self.parse_matcher(name), position=name.start)
        if operator.kind not in _COMPARISON_OPS:
            self.unexpected(operator)
        self.advance()
        value = self.peek()
        op = _COMPARISON_OPS[operator.kind]
        if value.kind == "STRING" and operator.kind in ("EQ", "NEQ"):
            self.advance()
            matcher = ast.Matcher(name=name.text, op=op, value=str(value.value), position=name.start)
            return ast.LabelFilter(matcher=matcher, position=name.start)
        if value.kind == "IP" and operator.kind in ("EQ", "NEQ"):
            self.advance()
            self.expect("OPEN_PARENTHESIS")
            pattern = self.expect("STRING")
            self.expect("CLOSE_PARENTHESIS")
            return ast.IpLabelFilter(name=name.text, op=op, pattern=str(pattern.value), position=name.start)
        if value.kind in ("DURATION", "BYTES"):
            self.advance()
            kind = "duration" if value.kind == "DURATION" else "bytes"
            return ast.LabelComparison(name=name.text, op=op, value=value.text, kind=kind, position=name.start)
        if value.kind in _NUMBERS or value.kind in ("ADD", "SUB"):
            number = self.parse_number()
            check_number(self.query, number, "unable to parse literal as a float")
            return ast.LabelComparison(name=name.text, op=op, value=number.text, kind="number", position=name.start)
        self.unexpected(value)

    def parse_unwrap(self) -> ast.Unwrap | None:
        if not (self.peek().kind == "PIPE" and self.peek(1).kind == "UNWRAP"):
            return None
        self.advance()
        keyword = self.advance()
        token = self.expect("IDENTIFIER", *_CONVERSIONS)
        conversion = _CONVERSIONS.get(token.kind)
        label = token
        if conversion is not None:
            self.expect("OPEN_PARENTHESIS")
            label = self.expect("IDENTIFIER")
            self.expect("CLOSE_PARENTHESIS")
        post_filters = []
        while self.peek().kind == "PIPE":
            self.advance()
            post_filters.append(self.parse_label_predicate())
        return ast.Unwrap(
            label=label.text,
            conversion=conversion,
            post_filters=tuple(post_filters),
            position=keyword.start,
        )


# What the most common "unexpected ..." means, in words: (the token met, what was expected) -> hint.
_EXPECTATION_HINTS = (
    (None, frozenset({"RANGE"}), "a range aggregation needs a range after its log query: "
                                 "count_over_time({app=\"x\"} |= \"error\" [$__auto])"),
    ("RANGE", frozenset(), "a range belongs inside a range aggregation: count_over_time({app=\"x\"} ... [5m]); "
                           "a log query alone has none"),
    (None, frozenset({"STRING"}), "label values and filter strings are quoted: app=\"x\", |= \"error\""),
    ("IDENTIFIER", frozenset({"OPEN_PARENTHESIS"}), "what follows goes in parentheses: by (level), sum(...)"),
    ("EOF", frozenset({"CLOSE_BRACE", "COMMA"}), "the stream selector is not closed: {app=\"x\"}"),
    ("EOF", frozenset({"CLOSE_PARENTHESIS"}), "every '(' needs its ')'"),
)


def _expectation_hint(kind: str, expecting: frozenset[str]) -> str | None:
    for met, expected, hint in _EXPECTATION_HINTS:
        if (met is None or met == kind) and (expected <= expecting if expected else not expecting):
            return hint
    return None


def _placeholder(kind: str) -> Token:
    return Token(kind=kind, text="", start=0, end=0)
