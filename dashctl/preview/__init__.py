"""Preview: push what the working tree builds into a folder of its own on a running Grafana.

Nothing deployed is touched: dashboards and alert rules get preview uids and titles, live in the preview folder,
and alert rules go in paused so a preview never notifies anyone.
"""
