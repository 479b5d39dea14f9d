"""Canonical JSON and YAML: the same data always gives the same bytes.

Sorted keys, fixed indentation, no anchors, a trailing newline. The C YAML emitter is used where PyYAML was built
with it: at the size of a large repository, YAML emission dominates the build.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["dump_json", "dump_yaml", "dump_yaml_documents", "load_yaml"]


def dump_json(data: Any, *, minify: bool = False) -> str:
    """JSON with sorted keys; minified (for ConfigMap data) or indented by two spaces with a trailing newline."""
    if minify:
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _dumper() -> type:
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class CanonicalDumper(base):  # type: ignore[misc, valid-type]
        def ignore_aliases(self, data: Any) -> bool:
            return True

    def represent_str(dumper: Any, value: str) -> Any:
        # Block style keeps multi-line strings (templates, descriptions) readable in review.
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    CanonicalDumper.add_representer(str, represent_str)
    return CanonicalDumper


_DUMPER: type | None = None


def dump_yaml(data: Any) -> str:
    """One YAML document with sorted keys and block style."""
    global _DUMPER
    import yaml

    if _DUMPER is None:
        _DUMPER = _dumper()
    return yaml.dump(
        data, Dumper=_DUMPER, sort_keys=True, default_flow_style=False, allow_unicode=True, width=4096
    )


def dump_yaml_documents(documents: list[Any]) -> str:
    """Several YAML documents separated by `---`."""
    return "---\n".join(dump_yaml(document) for document in documents)


def load_yaml(text: str) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
