"""Alert rules imported from prometheus-rules.yaml by `dashctl import`."""

from dashctl.alerts import AlertRule, Math, PromQL, Reduce, Threshold, rule_group


@rule_group(name="api", folder="API", interval="30s")
def api(env):
    return [
        AlertRule(
            uid="api-error-ratio-high",
            title="ApiErrorRatioHigh",
            severity="critical",
            query=PromQL(
                expr=(
                    "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m]))\n"
                    "  /\n"
                    "sum by (job) (rate(http_requests_total[5m]))"
                ),
            ),
            condition=Threshold(above=0.05),
            for_="5m",
            keep_firing_for="10m",
            summary="{{ $labels.job }} answers {{ $values.B.Value | humanizePercentage }} with 5xx",
            description="Value {{ $values.B.Value }} for {{ $labels.job }}",
            runbook_url="https://runbooks.example.com/api-errors",
            team="api",
        ),
        AlertRule(
            uid="api-latency-low",
            title="ApiLatencyLow",
            severity="info",
            query=PromQL(expr="histogram_quantile(0.99, sum by (le, job) (rate(http_request_duration_seconds_bucket[5m])))"),
            condition=Threshold(below=0.1),
            summary="p99 below 100ms",
        ),
        AlertRule(
            uid="api-queue-full",
            title="ApiQueueFull",
            severity="warning",
            queries=[
                PromQL(expr="api_queue_length"),
                Reduce(ref_id="B", input="A"),
            ],
            condition=Math(expression="$B >= 100"),
            summary="queue is full",
        ),
        # runbook_url is a placeholder: dashctl needs a runbook for critical rules
        AlertRule(
            uid="api-down",
            title="ApiDown",
            severity="critical",
            queries=[
                PromQL(expr='up{job="api"}'),
                Reduce(ref_id="B", input="A"),
            ],
            condition=Math(expression="$B == 0"),
            for_="2m",
            summary="{{ $labels.instance }} is down",
            runbook_url="https://runbooks.example.com/api-down",
        ),
        AlertRule(
            uid="api-missing",
            title="ApiMissing",
            severity="warning",
            query=PromQL(expr='absent(up{job="api"})'),
            condition=Threshold(above=0),
            for_="1m",
            summary="no api target",
        ),
        AlertRule(
            uid="api-saturated",
            title="ApiSaturated",
            severity="warning",
            queries=[
                PromQL(expr="api_inflight_requests > api_inflight_limit"),
                Reduce(ref_id="B", input="A"),
            ],
            condition=Math(expression="$B == $B || $B != $B"),
            summary="more requests in flight than allowed",
        ),
        AlertRule(
            uid="api-bool-compare",
            title="ApiBoolCompare",
            severity="info",
            queries=[
                PromQL(expr="api_queue_length > bool 50"),
                Reduce(ref_id="B", input="A"),
            ],
            condition=Math(expression="$B == $B || $B != $B"),
            summary="fires for every series, 0 or 1",
        ),
        AlertRule(
            uid="api-errors-and-traffic",
            title="ApiErrorsAndTraffic",
            severity="warning",
            queries=[
                PromQL(expr="(rate(api_errors_total[5m]) > 1) and (rate(http_requests_total[5m]) > 10)"),
                Reduce(ref_id="B", input="A"),
            ],
            condition=Math(expression="$B == $B || $B != $B"),
            summary="errors while there is traffic",
        ),
        AlertRule(
            uid="api-route-slow",
            title="ApiRouteSlow",
            severity="warning",
            query=PromQL(expr='label_replace(avg by (route) (api_route_latency_seconds), "path", "/$1", "route", "(.*)")'),
            condition=Threshold(above=2),
            summary="{{ $labels.path }} takes {{ $values.B.Value | humanizeDuration }}",
        ),
    ]


@rule_group(name="duplicates", folder="API", interval="1m")
def duplicates(env):
    return [
        AlertRule(
            uid="disk-filling",
            title="DiskFilling",
            severity="warning",
            query=PromQL(expr="disk_free_ratio"),
            condition=Threshold(below=0.2),
            summary="disk below 20%",
        ),
        # runbook_url is a placeholder: dashctl needs a runbook for critical rules
        AlertRule(
            uid="duplicates-disk-filling",
            title="DiskFilling (critical)",
            severity="critical",
            query=PromQL(expr="disk_free_ratio"),
            condition=Threshold(below=0.05),
            summary="disk below 5%",
            runbook_url="https://runbooks.example.com/duplicates-disk-filling",
            annotations={"message": "{{ $externalLabels.cluster }} disk"},
        ),
    ]
