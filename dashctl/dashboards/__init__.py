"""Dashboards: compile grafanalib objects to the bare dashboard JSON model that Grafana provisions."""
