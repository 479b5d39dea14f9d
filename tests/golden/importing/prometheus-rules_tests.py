"""Unit-test skeleton for the alert rules imported from prometheus-rules.yaml.

Each test lists the series its rule reads, all flat at 0: give them values that make the rule fire
(promtool's notation, one sample per interval: `0+10x30`, `1x30`, `_`), and list the alert it raises
at `at` with all its labels. Put the tests next to the rules, in the same file or beside it.
"""

from dashctl.alerts import AlertTest, Expect, Series, alert_tests


@alert_tests
def api_tests(env):
    return [
        AlertTest(
            name="ApiErrorRatioHigh fires (skeleton: fill in values and the alert)",
            interval="30s",
            series=[
                Series(series="http_requests_total", values="0x61"),
            ],
            expect=[Expect(rule="api-error-ratio-high", at="30m", alerts=[])],
        ),
        AlertTest(
            name="ApiLatencyLow fires (skeleton: fill in values and the alert)",
            interval="30s",
            series=[
                Series(series="http_request_duration_seconds_bucket", values="0x61"),
            ],
            expect=[Expect(rule="api-latency-low", at="30m", alerts=[])],
        ),
        AlertTest(
            name="ApiQueueFull fires (skeleton: fill in values and the alert)",
            interval="30s",
            series=[
                Series(series="api_queue_length", values="0x61"),
            ],
            expect=[Expect(rule="api-queue-full", at="30m", alerts=[])],
        ),
        AlertTest(
            name="ApiDown fires (skeleton: fill in values and the alert)",
            interval="30s",
            series=[
                Series(series='up{job="api"}', values="0x61"),
            ],
            expect=[Expect(rule="api-down", at="30m", alerts=[])],
        ),
        AlertTest(
            name="ApiMissing fires (skeleton: fill in values and the alert)",
            interval="30s",
            series=[
                Series(series='up{job="api"}', values="0x61"),
            ],
            expect=[Expect(rule="api-missing", at="30m", alerts=[])],
        ),
        AlertTest(
            name="ApiSaturated fires (skeleton: fill in values and the alert)",
            interval="30s",
            series=[
                Series(series="api_inflight_requests", values="0x61"),
                Series(series="api_inflight_limit", values="0x61"),
            ],
            expect=[Expect(rule="api-saturated", at="30m", alerts=[])],
        ),
        AlertTest(
            name="ApiBoolCompare fires (skeleton: fill in values and the alert)",
            interval="30s",
            series=[
                Series(series="api_queue_length", values="0x61"),
            ],
            expect=[Expect(rule="api-bool-compare", at="30m", alerts=[])],
        ),
        AlertTest(
            name="ApiErrorsAndTraffic fires (skeleton: fill in values and the alert)",
            interval="30s",
            series=[
                Series(series="api_errors_total", values="0x61"),
                Series(series="http_requests_total", values="0x61"),
            ],
            expect=[Expect(rule="api-errors-and-traffic", at="30m", alerts=[])],
        ),
        AlertTest(
            name="ApiRouteSlow fires (skeleton: fill in values and the alert)",
            interval="30s",
            series=[
                Series(series="api_route_latency_seconds", values="0x61"),
            ],
            expect=[Expect(rule="api-route-slow", at="30m", alerts=[])],
        ),
    ]


@alert_tests
def duplicates_tests(env):
    return [
        AlertTest(
            name="DiskFilling fires (skeleton: fill in values and the alert)",
            interval="1m",
            series=[
                Series(series="disk_free_ratio", values="0x31"),
            ],
            expect=[Expect(rule="disk-filling", at="30m", alerts=[])],
        ),
        AlertTest(
            name="DiskFilling (critical) fires (skeleton: fill in values and the alert)",
            interval="1m",
            series=[
                Series(series="disk_free_ratio", values="0x31"),
            ],
            expect=[Expect(rule="duplicates-disk-filling", at="30m", alerts=[])],
        ),
    ]
