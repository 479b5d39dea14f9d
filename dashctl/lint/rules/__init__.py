"""The lint rules, one module each, named after the rule id (`panel/units` is `panel_units.py`).

Nothing lists them: `dashctl.lint.registry.all_rules()` imports every module here, and each registers its check
with `@rule(...)`. Every rule has a page in docs/rules/<area>/<name>.md and table-driven tests in tests/lint/.
"""
