"""Moved to `dashctl.interpolation` (datasource files are interpolated too); kept for the modules that import it."""

from dashctl.interpolation import REFERENCE, escape_value, escape_values, unescape_value

__all__ = ["REFERENCE", "escape_value", "escape_values", "unescape_value"]
