"""Import: bring a team's existing Grafana dashboards and alert rules into dashctl as definitions (docs/import.md)."""
