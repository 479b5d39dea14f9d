"""Compare two snapshots object by object, and the fields of each object one by one."""

from __future__ import annotations

from collections.abc import Sequence

from dashctl.diff.changes import ADDED, CHANGED, MOVED, REMOVED, Diff, FieldChange, ObjectChange, PanelBox
from dashctl.diff.fields import GROUP, ORDER, POSITION, TEXT, Field, contains_secret, display, object_fields
from dashctl.diff.fields import panel_identities
from dashctl.diff.objects import AlertRule, Dashboard, Deletion, GrafanaObject, ObjectKey, Snapshot
from dashctl.diff.words import diff_lines, diff_words

__all__ = ["compare_fields", "compare_snapshots"]


def compare_snapshots(before: Snapshot, after: Snapshot, *, base_ref: str = "", base_commit: str = "") -> Diff:
    """Every object added, removed or changed between `before` (the base) and `after` (the working tree)."""
    keys = sorted(set(before.objects) | set(after.objects), key=ObjectKey.sort_key)
    changes = []
    for key in keys:
        change = _compare_object(key, before.get(key), after.get(key), before, after)
        if change is not None:
            changes.append(change)
    environments = tuple(sorted(set(before.environments) | set(after.environments)))
    return Diff(base_ref=base_ref, base_commit=base_commit, environments=environments, changes=tuple(changes),
                warnings=tuple(before.warnings) + tuple(after.warnings))


def _compare_object(
    key: ObjectKey, old: GrafanaObject | None, new: GrafanaObject | None, before: Snapshot, after: Snapshot
) -> ObjectChange | None:
    names_before = names_after = None
    if isinstance(old, Dashboard) or isinstance(new, Dashboard):
        names_before, names_after = panel_identities(
            old.panels if isinstance(old, Dashboard) else (), new.panels if isinstance(new, Dashboard) else ()
        )
    fields_before = object_fields(old, before, panel_names=names_before) if old is not None else []
    fields_after = object_fields(new, after, panel_names=names_after) if new is not None else []
    if old is None:
        status, fields = ADDED, compare_fields([], [f for f in fields_after if f.headline])
    elif new is None:
        status, fields = REMOVED, compare_fields([f for f in fields_before if f.headline], [])
    else:
        status, fields = CHANGED, compare_fields(fields_before, fields_after)
        if not fields:
            return None
    present = new if new is not None else old
    assert present is not None
    layout: tuple[PanelBox, ...] = ()
    if status == CHANGED and isinstance(old, Dashboard) and isinstance(new, Dashboard):
        layout = _layout(old, new, names_before or [], names_after or [], fields)
    return ObjectChange(environment=key.environment, kind=key.kind, key=key.key,
                        title=_title(present, before, after), status=status, fields=tuple(fields), layout=layout)


def _layout(old: Dashboard, new: Dashboard, names_before: Sequence[str], names_after: Sequence[str],
            fields: Sequence[FieldChange]) -> tuple[PanelBox, ...]:
    """Each panel of the new version on the grid, marked added, moved or changed; removed ones where they were.

    Only when some panel changed: a dashboard whose title alone changed needs no picture.
    """
    touched = {item.field for item in fields}
    labels_before = dict(zip(names_before, old.panels, strict=True))
    boxes = []
    for name, panel in zip(names_after, new.panels, strict=True):
        if panel.grid is None:
            continue
        previous = labels_before.get(name)
        if previous is None:
            change = ADDED
        elif previous.grid != panel.grid and panel.label in touched:
            change = MOVED
        elif any(field == panel.label or field.startswith(f"{panel.label} › ") for field in touched):
            change = CHANGED
        else:
            change = ""
        boxes.append(PanelBox(title=panel.title, grid=panel.grid, change=change, row=panel.type == "row"))
    kept = set(names_after)
    for name, panel in zip(names_before, old.panels, strict=True):
        if name not in kept and panel.grid is not None:
            boxes.append(PanelBox(title=panel.title, grid=panel.grid, change=REMOVED, row=panel.type == "row"))
    if not any(box.change for box in boxes):
        return ()
    return tuple(boxes)


def _title(item: GrafanaObject, before: Snapshot, after: Snapshot) -> str:
    """An object's title; a deletion is titled after what it deletes, when either side still has that."""
    if isinstance(item, Deletion) and item.list_name == "deleteRules":
        for snapshot in (before, after):
            rule = snapshot.get(ObjectKey(item.environment, AlertRule.KIND, item.name))
            if rule is not None:
                return rule.title
        return ""
    return item.title


def compare_fields(before: Sequence[Field], after: Sequence[Field]) -> list[FieldChange]:
    """Pair fields by name: what was added, removed, changed or moved.

    Members of a group that only one side has are not listed one by one: the group's head stands for them.
    """
    old = {item.name: item for item in before}
    new = {item.name: item for item in after}
    groups_old = {item.name for item in before if item.style == GROUP}
    groups_new = {item.name for item in after if item.style == GROUP}
    order = [item.name for item in after] + [item.name for item in before if item.name not in new]
    changes = []
    for name in order:
        first, second = old.get(name), new.get(name)
        present = second or first
        assert present is not None
        if present.group is not None and not (present.group in groups_old and present.group in groups_new):
            continue
        change = _compare_field(first, second)
        if change is not None:
            changes.append(change)
    return changes


def _compare_field(old: Field | None, new: Field | None) -> FieldChange | None:
    present = new or old
    assert present is not None
    label = present.label
    if present.style == GROUP:
        if old is not None and new is not None:
            return None
        if new is not None:
            return FieldChange(field=label, change=ADDED, after=display(new.value))
        return FieldChange(field=label, change=REMOVED, before=display(present.value))
    if old is None or new is None:
        if present.style == ORDER:
            return None  # a route added or removed is reported as such; the order of the others is what counts
        secret = contains_secret(present.value)
        if new is not None:
            return FieldChange(field=label, change=ADDED, after=display(new.value), secret=secret)
        return FieldChange(field=label, change=REMOVED, before=display(present.value), secret=secret)
    if old.value == new.value:
        return None
    if present.style == ORDER:
        return _reordered(label, old.value, new.value)
    before, after = display(old.value), display(new.value)
    if present.style == POSITION:
        return FieldChange(field=label, change=MOVED, before=before, after=after)
    secret = contains_secret(old.value) or contains_secret(new.value)
    if present.style == TEXT and isinstance(old.value, str) and isinstance(new.value, str):
        if "\n" in old.value or "\n" in new.value:
            return FieldChange(field=label, change=CHANGED, before=before, after=after,
                               lines=diff_lines(old.value, new.value))
        return FieldChange(field=label, change=CHANGED, before=before, after=after,
                           words=diff_words(old.value, new.value))
    return FieldChange(field=label, change=CHANGED, before=before, after=after, secret=secret)


def _reordered(label: str, old: tuple[str, ...], new: tuple[str, ...]) -> FieldChange | None:
    """Sibling routes are tried in order: only a change in the order of the routes both sides have counts."""
    common = set(old) & set(new)
    kept_old = [item.rsplit(" › ", 1)[-1] for item in old if item in common]
    kept_new = [item.rsplit(" › ", 1)[-1] for item in new if item in common]
    if kept_old == kept_new:
        return None
    return FieldChange(field=label, change=CHANGED, before="; ".join(kept_old), after="; ".join(kept_new))
