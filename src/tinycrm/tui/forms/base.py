"""A modal form: labelled fields, an error line under each, saved through a service call.

A form never decides whether a value is valid: `check` runs the same service validation the
CLI uses, field by field, and `save` calls the service. A `UsageError` is shown inline and
nothing is stored; the form stays open with what was typed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from tinycrm.errors import CrmError
from tinycrm.tui.safe import safe

R = TypeVar("R")

Values = dict[str, str]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    options: tuple[tuple[str, str], ...] | None = None  # a choice: (label, value)


class FieldErrors(Exception):
    """Raised by a form's `check`: messages by field name (or "" for the whole form)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class FormScreen(ModalScreen[R | None], Generic[R]):
    CSS_PATH = "forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Save"),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        save: Callable[[Values], Awaitable[R]],
        *,
        check: Callable[[Values], None] | None = None,
        intro: str | None = None,
    ) -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self._save = save
        self._check = check
        self.intro = intro
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Label(safe(self.form_title), id="form-title")
            if self.intro:
                yield Static(safe(self.intro), classes="muted", id="form-intro")
            with VerticalScroll(id="form-fields"):
                for field in self.fields:
                    yield Label(field.label, classes="field-label")
                    if field.options is not None:
                        yield Select(
                            field.options,
                            value=field.value if field.value else Select.NULL,
                            allow_blank=True,
                            id=f"field-{field.name}",
                        )
                    else:
                        yield Input(
                            value=field.value,
                            placeholder=field.placeholder,
                            id=f"field-{field.name}",
                        )
                    yield Static("", id=f"error-{field.name}", classes="field-error")
            yield Static("", id="form-error", classes="field-error")
            with Horizontal(id="form-buttons"):
                yield Button("Save  ctrl+s", variant="primary", id="save")
                yield Button("Cancel  esc", id="cancel")

    def on_mount(self) -> None:
        # the scrolling box is not a stop for tab: the fields are
        self.query_one("#form-fields").can_focus = False
        self.query_one(f"#field-{self.fields[0].name}").focus()

    def values(self) -> Values:
        result: Values = {}
        for field in self.fields:
            widget = self.query_one(f"#field-{field.name}")
            if isinstance(widget, Select):
                value = widget.value
                result[field.name] = "" if value is Select.NULL else str(value)
            elif isinstance(widget, Input):
                result[field.name] = widget.value
        return result

    def show_changes(self) -> None:
        """Someone changed the database while the form is open: a form over a record says so
        if the record changed (saving it would then be refused); others need not."""

    def show_notice(self, message: str) -> None:
        """A message about the whole form on its message line (e.g. a colleague's change)."""
        box = self.query_one("#form-error", Static)
        box.update(safe(message))
        box.set_class(bool(message), "shown")

    def rebase(self, fields: Sequence[Field]) -> None:
        """The form now starts from `fields` (the record as stored now, after a conflict): a
        field the person left as it was takes the new value, a field they typed in keeps
        what they typed."""
        typed = self.values()
        for old, new in zip(self.fields, fields, strict=True):
            if typed[old.name] != old.value:
                continue
            widget = self.query_one(f"#field-{old.name}")
            if isinstance(widget, Select):
                widget.value = new.value if new.value else Select.NULL
            elif isinstance(widget, Input):
                widget.value = new.value
        self.fields = list(fields)

    def show_errors(self, errors: dict[str, str]) -> None:
        names = {f.name for f in self.fields}
        general = [msg for key, msg in errors.items() if key not in names]
        for field in self.fields:
            message = errors.get(field.name, "")
            box = self.query_one(f"#error-{field.name}", Static)
            box.update(safe(message))
            box.set_class(bool(message), "shown")
            self.query_one(f"#field-{field.name}").set_class(bool(message), "invalid")
        form_error = self.query_one("#form-error", Static)
        form_error.update(safe(" ".join(general)))
        form_error.set_class(bool(general), "shown")
        first = next((f.name for f in self.fields if f.name in errors), None)
        if first is not None:
            self.query_one(f"#field-{first}").focus()

    async def action_submit(self) -> None:
        if self.saving:
            return
        values = self.values()
        try:
            if self._check is not None:
                self._check(values)
            self.saving = True
            result = await self._save(values)
        except FieldErrors as exc:
            self.show_errors(exc.errors)
            return
        except CrmError as exc:
            self.show_errors({"": str(exc)})
            return
        finally:
            self.saving = False
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await self.action_submit()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            await self.action_submit()
        else:
            self.action_cancel()


def collect(checks: dict[str, Callable[[], object]]) -> None:
    """Run each field's check; raise FieldErrors with every message at once."""
    errors: dict[str, str] = {}
    for name, run in checks.items():
        try:
            run()
        except CrmError as exc:
            errors[name] = str(exc)
    if errors:
        raise FieldErrors(errors)
