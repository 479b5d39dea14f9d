"""Review what a change deploys: the committed build output of a base revision against the working tree's build.

    from dashctl.diff import diff_revision, render
    diff = diff_revision(project, base="origin/main", environments=["prod"])
    print(render(diff, "markdown"))

The pieces, each usable alone:

    revision.py   read_revision_output: deploy/ at a git revision (git plumbing, nothing written)
    extract.py    extract_snapshot: the Grafana objects of an output tree (objects.py holds their types)
    routing.py    route_rule / route_alert: the contact points an alert reaches through the policy tree
    fields.py     the fields a reviewer reads (threshold, for, severity, routing...) of every kind of object
    compare.py    compare_snapshots: the Diff, object by object and field by field (changes.py holds its types)
    words.py      word-level diffs of queries, line diffs of templates
    masking.py    secrets shown as *** while their changes are still detected
    render/       text, markdown (a pull-request comment under GitHub's limit) and json
    review.py     diff_revision: all of the above for a project
"""

from dashctl.diff.changes import Diff, FieldChange, ObjectChange, Segment, SummaryRow
from dashctl.diff.compare import compare_snapshots
from dashctl.diff.extract import extract_snapshot
from dashctl.diff.render import FORMATS, render, render_json, render_markdown, render_text
from dashctl.diff.review import diff_revision
from dashctl.diff.revision import RevisionOutput, default_base, read_revision_output
from dashctl.diff.routing import Routing, route_alert, route_rule

__all__ = [
    "Diff",
    "FORMATS",
    "FieldChange",
    "ObjectChange",
    "RevisionOutput",
    "Routing",
    "Segment",
    "SummaryRow",
    "compare_snapshots",
    "default_base",
    "diff_revision",
    "extract_snapshot",
    "read_revision_output",
    "render",
    "render_json",
    "render_markdown",
    "render_text",
    "route_alert",
    "route_rule",
]
