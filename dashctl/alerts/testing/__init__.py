"""Alert unit tests: declared next to the rules, run by `dashctl test` (promtool for PromQL rules, dashctl's own
LogQL evaluator for LogQL rules)."""
