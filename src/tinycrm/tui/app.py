"""CrmApp: the Textual application behind `crm tui`."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.filter import LineFilter
from textual.notifications import SeverityLevel
from textual.screen import Screen

from tinycrm.config import Settings
from tinycrm.dates import parse_date
from tinycrm.services.inbox import held_count
from tinycrm.store import Store
from tinycrm.textsafe import visible
from tinycrm.tui import crash, keys
from tinycrm.tui.actions import CustomerActions
from tinycrm.tui.forms.base import FormScreen
from tinycrm.tui.safe import NoControls
from tinycrm.tui.screens.company import CompanyScreen
from tinycrm.tui.screens.queue import QueueScreen
from tinycrm.wording import plural

if TYPE_CHECKING:
    from tinycrm.services.passon import PassedOn
    from tinycrm.store.watch import ChangeWatcher
    from tinycrm.tui.screens.customer import CustomerScreen

T = TypeVar("T")

WATCH_SECONDS = 1.0  # how often the open screen asks whether someone changed the database


def _customers_screen() -> Screen[Any]:
    # imported when first shown: the start screen does not pay for the customer list
    from tinycrm.tui.screens.customers import CustomersScreen

    return CustomersScreen()


class CrmApp(App[None]):
    """The morning queue, the customer list and the customer card, over one database.

    Reads run on the UI thread (they are paged and take milliseconds; WAL readers never wait).
    Writes go through `write()`: a second connection used from a worker thread, one write at a
    time, so a `crm` command or the cron digest holding the database makes the TUI wait
    (busy_timeout) without freezing the screen.
    """

    TITLE = "tinycrm"
    # The screens' styles come with the app: a screen's own CSS_PATH is read when it is first
    # shown and then restyles every widget of every screen (~150 ms for the first card).
    CSS_PATH: ClassVar[list[str | PurePath]] = [
        "app.tcss",
        "screens/queue.tcss",
        "screens/customers.tcss",
        "screens/customer.tcss",
        "screens/company.tcss",
        "screens/history.tcss",
    ]
    ENABLE_COMMAND_PALETTE = True
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "queue": QueueScreen,
        "customers": _customers_screen,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        keys.HELP,
        keys.QUEUE,
        keys.CUSTOMERS,
        keys.SEARCH,
        keys.ADD_CONTACT,
        keys.PASS_ON,
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
        keys.QUIT,
    ]

    def __init__(
        self,
        store: Store,
        today: date,
        *,
        day_first: bool = True,
        settings: Settings | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.today = today
        self.day_first = day_first
        self.settings = settings or Settings()
        self._writer: Store | None = None
        self._watcher: ChangeWatcher | None = None
        self._write_lock = asyncio.Lock()
        self.generation = 0  # counts writes: a screen shown again re-reads only if it moved
        self._customer_screen: CustomerScreen | None = None
        self._no_controls = NoControls()
        self.crash_report: str | None = None  # set when a bug stopped the app (see crash.py)

    def on_mount(self) -> None:
        self.switch_mode("queue")
        held = held_count(self.store)
        if held:
            self.notify(
                f"{plural(held, 'e-mail')} held for review: crm mail review"
                " (or the customer's card)",
                timeout=10,
            )
        self._watcher = self.store.watcher()
        self.set_interval(WATCH_SECONDS, self.show_changes)

    def show_changes(self) -> None:
        """What colleagues did (another TUI, a `crm` command, the digest) shows within a
        second: the screen in view is read again where it stands, one under a form when the
        form closes. The check is `Store.watcher()`'s, a few µs when nothing changed."""
        if not self.is_running or self._watcher is None or not self._watcher.changed():
            return  # not running: the app is closing and taking its screens down
        self.generation += 1  # screens shown again later re-read too
        if isinstance(self.screen, CustomerActions | FormScreen | CompanyScreen):
            self.screen.show_changes()

    # -- user text ---------------------------------------------------------------------------
    # Titles and toasts are where Textual takes plain strings: user data in them (a name, a
    # follow-up's title, an error naming either) is shown as literal, visible text here, once.
    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A toast; its text is never markup (`[/]` would crash it, `[@click=…]` would be
        live) and never a control sequence (ESC shows as ␛)."""
        super().notify(
            visible(message), title=visible(title), severity=severity, timeout=timeout,
            markup=False,
        )  # fmt: skip

    def get_line_filters(self) -> Sequence[LineFilter]:
        return [*super().get_line_filters(), self._no_controls]

    @property
    def alert_style(self) -> str:
        """How "late" and "overdue" stand out: red, or under NO_COLOR (where red turns into a
        dark grey on a dark grey) reversed."""
        return "bold reverse" if self.no_color else "bold red"

    def format_title(self, title: str, sub_title: str) -> Content:
        return super().format_title(
            visible(title, one_line=True), visible(sub_title, one_line=True)
        )

    # -- crashes -----------------------------------------------------------------------------
    # A private method: Textual 8.2 has no public hook for an unhandled error (its issue #5931
    # asks for one); tests/tui/test_crash.py fails if an upgrade stops calling this.
    def _fatal_error(self) -> None:
        """Textual would print the traceback with its local variables (customer data, raw
        escapes) on the terminal: it goes to a log file instead, and one line says where."""
        self.crash_report = crash.write_log(sys.exception())
        self.exit(return_code=1)

    # -- database --------------------------------------------------------------------------
    async def write(self, change: Callable[[Store], T]) -> T:
        """Run `change(store)` on the writing connection in a thread, one at a time."""
        async with self._write_lock:
            try:
                return await asyncio.to_thread(self._run_write, change)
            finally:
                self.generation += 1

    def _run_write(self, change: Callable[[Store], T]) -> T:
        if self._writer is None:
            self._writer = Store.open(self.store.db.target)
            self._writer.act_as(self.store.identity)
            self._writer.source = "tui"
        return change(self._writer)

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def parse_date(self, text: str, *, past: bool = False) -> date:
        """A typed date read with the CLI's rules (`+3d`, `friday`, `dec 24`, ISO); `past`:
        a weekday or month-day means the last one, as for a sale or a score."""
        return parse_date(
            text, self.today, day_first=self.day_first, prefer="past" if past else "future"
        )

    # -- navigation ------------------------------------------------------------------------
    def action_help(self) -> None:
        from tinycrm.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_show(self, mode: str) -> None:
        """F2/F3: the queue or the customer list itself, not a card left open over it. A
        screen left by F2/F3 goes back to its list; an open form keeps the keys."""
        if isinstance(self.screen, FormScreen):
            self.bell()
            return
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        await self.switch_mode(mode)

    async def action_search(self) -> None:
        """`/` anywhere: the customer list's search box."""
        await self.action_show("customers")
        await self.screen.run_action("focus_search")

    def action_pass_on(self) -> None:
        from tinycrm.tui.forms.passon import PassOnForm

        def sent(done: PassedOn | None) -> None:
            if done is not None:
                skipped = f", {done.skipped} skipped (asked for no news)" if done.skipped else ""
                self.notify(f"{plural(len(done.created), 'pass-on follow-up')} created{skipped}")

        self.push_screen(PassOnForm(), sent)

    def open_customer(self, contact_id: int) -> None:
        """Show a customer's card. One card screen is built once and reused: building its
        widgets costs far more than reading the customer."""
        from tinycrm.tui.screens.customer import CustomerScreen

        card = self._customer_screen
        if card is None:
            card = self._customer_screen = CustomerScreen(contact_id)
            self.install_screen(card, name="customer")
        elif card is self.screen:
            card.show_contact(contact_id)
            return
        elif card in self.screen_stack:
            # still open under another screen (a card opened from a card): a card of its own
            self.push_screen(CustomerScreen(contact_id))
            return
        else:
            card.show_contact(contact_id)
        self.push_screen(card)

    def open_company(self, company_id: int) -> None:
        """Show a company's card (from a customer: `C`)."""
        self.push_screen(CompanyScreen(company_id))

    def action_add_contact(self) -> None:
        from tinycrm.tui.forms.contact import ContactForm

        def opened(contact_id: int | None) -> None:
            if contact_id is not None:
                self.notify("Contact added")
                self.open_customer(contact_id)

        self.push_screen(ContactForm(), opened)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every action is in the command palette (ctrl+p), not only the ones with a key."""
        own = getattr(screen, "commands", None)
        if callable(own):
            for title, help_text, callback in own():
                yield SystemCommand(title, help_text, callback)
        yield SystemCommand(
            "Queue", "The follow-up queue: overdue, today, upcoming", self._to("queue")
        )
        yield SystemCommand(
            "Customers", "Search and filter the contact list", self._to("customers")
        )
        yield SystemCommand("Add contact", "Create a new contact", self.action_add_contact)
        yield SystemCommand(
            "Pass on news", "A follow-up for everyone with a tag", self.action_pass_on
        )
        yield SystemCommand("Help", "Keys and screens", self.action_help)
        yield from super().get_system_commands(screen)

    def _to(self, mode: str) -> Callable[[], object]:
        return lambda: self.run_action(f"show({mode!r})")
