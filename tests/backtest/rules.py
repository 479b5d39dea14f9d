"""Alert rules for the backtest tests, written as Grafana's provisioning model reads them."""

from __future__ import annotations

from dashctl.diff.objects import AlertRule, RuleNode, freeze


def threshold_rule(expr: str, *, threshold: float, op: str = "gt", for_: str = "5m", keep_firing_for: str = "0s",
                   no_data: str = "NoData", exec_err: str = "Error", uid: str = "error-ratio",
                   interval: str = "1m", instant: bool = True, datasource: str = "prom",
                   unload: float | None = None) -> AlertRule:
    """`expr` → reduce(last) → threshold, the shape dashctl compiles an alert into."""
    model = {"expr": expr, "instant": instant, "range": not instant}
    condition = {"evaluator": {"params": [threshold], "type": op}}
    if unload is not None:
        condition["unloadEvaluator"] = {"params": [unload], "type": "lt" if op == "gt" else "gt"}
    nodes = (
        RuleNode(ref_id="A", datasource_uid=datasource, relative_time_range=(600, 0), model=freeze(model)),
        RuleNode(ref_id="B", datasource_uid="__expr__",
                 model=freeze({"type": "reduce", "expression": "A", "reducer": "last"})),
        RuleNode(ref_id="C", datasource_uid="__expr__",
                 model=freeze({"type": "threshold", "expression": "B", "conditions": [condition]})),
    )
    return AlertRule(environment="prod", uid=uid, rule_title="Error ratio high", folder="Shop", group="shop",
                     interval=interval, condition="C", data=nodes, for_=for_, keep_firing_for=keep_firing_for,
                     no_data_state=no_data, exec_err_state=exec_err)


def expression_rule(expr: str, *expressions: dict, condition: str, for_: str = "5m", instant: bool = True,
                    relative: tuple[int, int] = (600, 0)) -> AlertRule:
    nodes = [RuleNode(ref_id="A", datasource_uid="prom", relative_time_range=relative,
                      model=freeze({"expr": expr, "instant": instant, "range": not instant}))]
    for index, model in enumerate(expressions):
        ref = chr(ord("B") + index)
        nodes.append(RuleNode(ref_id=ref, datasource_uid="__expr__", model=freeze(model)))
    return AlertRule(environment="prod", uid="expr-rule", rule_title="Expression rule", folder="Shop",
                     group="shop", interval="1m", condition=condition, data=tuple(nodes), for_=for_,
                     no_data_state="NoData", exec_err_state="Error")
