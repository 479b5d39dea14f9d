"""Alert test results as JUnit XML, the report format GitHub, GitLab and Jenkins show per test.

One `<testsuite>` per environment, one `<testcase>` per test (`classname` is the environment, `file` and `line`
the test's definition); a failed test carries `<failure>`, an untestable one `<failure type="untestable">`, a
test that could not run `<error>`, each with the expected and fired alerts as text. The layout follows the
schema most CI systems read (https://github.com/testmoapp/junitxml).
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from dashctl.alerts.testing.results import TestReport, result_details

__all__ = ["render_junit"]

_ELEMENT = {"failed": ("failure", "failed"), "untestable": ("failure", "untestable"), "error": ("error", "error")}


def render_junit(report: TestReport) -> str:
    """The report as a JUnit XML document (UTF-8 text, ending in a newline)."""
    root = ElementTree.Element("testsuites", name="dashctl test")
    suites: dict[str, ElementTree.Element] = {}
    for result in report.results:
        suite = suites.get(result.environment)
        if suite is None:
            suite = suites[result.environment] = ElementTree.SubElement(root, "testsuite", name=result.environment)
        case = ElementTree.SubElement(suite, "testcase", name=result.name, classname=result.environment,
                                      file=result.location.file)
        if result.location.line:
            case.set("line", str(result.location.line))
        if result.status in _ELEMENT:
            tag, kind = _ELEMENT[result.status]
            details = result_details(result)
            element = ElementTree.SubElement(case, tag, type=kind,
                                             message=details[0] if details else result.status)
            element.text = "\n".join(details)
    for element in (root, *suites.values()):
        cases = element.iter("testcase")
        statuses = [case[0].tag if len(case) else "passed" for case in cases]
        element.set("tests", str(len(statuses)))
        element.set("failures", str(statuses.count("failure")))
        element.set("errors", str(statuses.count("error")))
        element.set("skipped", "0")
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
