"""dashctl: Grafana dashboards, alerts and datasources as code.

Importing this package is cheap on purpose: grafanalib and the compilers load only when a build needs them, so
`dashctl --help` starts fast.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
