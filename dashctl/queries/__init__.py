"""Queries: PromQL and LogQL validation, the Grafana template variables inside them, and typed query builders."""
