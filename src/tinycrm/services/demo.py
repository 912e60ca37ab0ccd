"""A realistic sample data set: the customers of a small bicycle shop, dated around today.

Deterministic for a given `today`, so demos, screenshots and snapshot tests are repeatable.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from tinycrm.errors import Conflict
from tinycrm.services.contacts import ContactFields, add_contact
from tinycrm.services.demo_sales import seed_sales
from tinycrm.services.followups.demo import seed_demo as seed_follow_ups
from tinycrm.services.notes import add_note
from tinycrm.services.users import add_user
from tinycrm.store import Store
from tinycrm.store.contacts import ContactFilter

PEOPLE = [
    ("Ana Souza", None, "long-term", "commitment", ["regular", "road"]),
    ("Ben Okafor", None, "personal", "commitment", ["vip", "gravel"]),
    ("Chloé Martin", "Martin & Fils", "dedicated", "expansion", ["b2b", "fleet"]),
    ("Dmitri Ivanov", None, "transactional", "awareness", ["commuter"]),
    ("Eva Lindqvist", None, "long-term", "commitment", ["regular", "mtb"]),
    ("Farah Haddad", "City Couriers", "dedicated", "commitment", ["b2b", "fleet", "vip"]),
    ("George Papadopoulos", None, "community", "expansion", ["club", "road"]),
    ("Hana Kobayashi", None, "personal", "commitment", ["vip", "road"]),
    ("Ivan Petrov", None, "transactional", "exploration", ["commuter"]),
    ("Julia Rossi", None, "long-term", "expansion", ["regular", "ebike"]),
    ("Kwame Mensah", "Green Wheels School", "dedicated", "expansion", ["b2b", "kids"]),
    ("Laura García", None, "community", "commitment", ["club", "gravel"]),
    ("Mohammed Al-Farsi", None, "long-term", "commitment", ["regular", "ebike"]),
    ("Nora Schmidt", None, "self-service", "awareness", ["online"]),
    ("Oliver Brown", None, "transactional", "dissolution", ["commuter"]),
    ("Priya Patel", None, "personal", "commitment", ["vip", "ebike"]),
    ("Quentin Dubois", "Dubois Hotels", "dedicated", "commitment", ["b2b", "rental"]),
    ("Rosa Jiménez", None, "long-term", "expansion", ["regular", "kids"]),
    ("Sven Olsen", None, "community", "awareness", ["club", "mtb"]),
    ("Tariq Hussain", None, "transactional", "exploration", ["online"]),
    ("Uma Reddy", None, "long-term", "commitment", ["regular", "road"]),
    ("Viktor Novak", None, "automated", "awareness", ["online", "newsletter"]),
    ("Wen Li", None, "personal", "expansion", ["vip", "mtb"]),
    ("Ximena Torres", None, "long-term", "dissolution", ["regular"]),
    ("Yusuf Demir", "Demir Logistics", "dedicated", "expansion", ["b2b", "fleet"]),
    ("Zoe Williams", None, "community", "commitment", ["club", "road", "newsletter"]),
    ("Aiko Tanaka", None, "long-term", "commitment", ["regular", "gravel"]),
    ("Bruno Costa", None, "transactional", "awareness", ["commuter"]),
    ("Camille Laurent", None, "personal", "commitment", ["vip", "road"]),
    ("Diego Fernández", None, "self-service", "exploration", ["online"]),
    ("Elif Yılmaz", None, "long-term", "expansion", ["regular", "ebike"]),
    ("Finn O'Connor", None, "community", "awareness", ["club", "mtb"]),
    ("Grace Kim", "Kim Design Studio", "dedicated", "commitment", ["b2b", "vip"]),
    ("Hugo Weber", None, "long-term", "commitment", ["regular", "road"]),
    ("Isabel Moreno", None, "personal", "expansion", ["ebike"]),
    ("Jonas Berg", None, "transactional", "awareness", ["commuter", "newsletter"]),
]

NOTE_LINES = [
    ("call", "Called about the spring service; booked in for next week."),
    ("visit", "Came in to test ride the new gravel bikes."),
    ("email", "Sent the quote for the fleet maintenance contract."),
    ("meeting", "Went through their requirements for the summer rental season."),
    ("chat", "Asked whether we stock tubeless tyres in 45 mm."),
    (None, "Prefers to be called in the afternoon."),
    (None, "Daughter starts cycling to school in September: kids' helmets."),
    ("call", "Thank-you call after the e-bike purchase; very happy with the range."),
    ("visit", "Dropped off the bike for a wheel true; mentioned a knee injury."),
    ("letter", "Posted the loyalty card and the club ride calendar."),
    ("video", "Walked through the bike-fit measurements on a video call."),
    (None, "Allergic to latex: use nitrile gloves in the workshop."),
]


@dataclass
class DemoReport:
    contacts: int = 0
    notes: int = 0
    extras: dict[str, int] = field(default_factory=dict)


# Other parts of tinycrm (sales, follow-ups, cases…) add their sample rows, and say how many.
Seeder = Callable[[Store, list[int], date, random.Random], dict[str, int]]
EXTRA_SEEDERS: list[Seeder] = [seed_follow_ups, seed_sales]


def load_demo(store: Store, today: date) -> DemoReport:
    """Fill an empty database with the sample shop; refuses a database that has contacts."""
    existing = store.contacts.count(ContactFilter(archived=None))
    if existing:
        raise Conflict(
            f"the database already holds {existing} contacts; load the demo into a new file"
            " with --db"
        )
    rng = random.Random(today.toordinal())
    report = DemoReport()
    with store.write():
        ids = [_add_person(store, index, person, today, rng) for index, person in enumerate(PEOPLE)]
        report.contacts = len(ids)
        for contact_id in ids:
            report.notes += _add_notes(store, contact_id, today, rng)
        for seeder in EXTRA_SEEDERS:
            report.extras.update(seeder(store, ids, today, rng))
    return report


# A three-person shop for `crm demo --team`: (name, login, e-mail, admin).
TEAM = [
    ("Maria Rossi", None, "maria@shop.example", True),
    ("Tom Becker", "tom", "tom@shop.example", False),
    ("Lena Vogel", "lena", "lena@shop.example", False),
]


def load_team(store: Store) -> dict[str, int]:
    """The demo's team: Maria (the owner of the shop, an admin, with the login of whoever
    loads it), Tom and Lena; customers shared between them in turn, every fifth unowned.
    Returns how many customers each owns."""
    owned: dict[str, int] = {}
    with store.write():
        users = [
            add_user(store, name, email=email, login=login, admin=admin)
            for name, login, email, admin in TEAM
        ]
        everyone = store.contacts.query(ContactFilter(archived=None))
        owned_ones = [c for index, c in enumerate(everyone) if index % 5 != 4]
        for index, contact in enumerate(owned_ones):
            owner = users[index % len(users)]
            store.contacts.update(replace(contact, owner_id=owner.id))
            owned[owner.name] = owned.get(owner.name, 0) + 1
    return owned


def _add_person(
    store: Store, index: int, person: tuple[str, str | None, str, str, list[str]], today: date,
    rng: random.Random,
) -> int:  # fmt: skip
    name, company, kind, stage, tags = person
    first = name.split()[0].lower().replace("é", "e").replace("ı", "i")
    domain = (
        company.lower().replace(" ", "").replace("&", "") + ".example"
        if company
        else "mail.example"
    )
    fields = ContactFields(
        name=name,
        emails=[f"{first}@{domain}"],
        phones=[f"+44 20 7946 {index:04d}"],
        company=company,
        birthday=_birthday(index, today, rng),
        anniversaries=_anniversaries(index, today, rng),
        tags=tags,
        relationship_type=kind,
        stage=stage,
    )
    return add_contact(store, fields, today - timedelta(days=rng.randint(20, 900))).id or 0


def _birthday(index: int, today: date, rng: random.Random) -> str | None:
    """A few birthdays fall today and this week so the queue always has something to show."""
    near = {0: 0, 1: 1, 2: 3, 7: 5, 15: 0, 28: 9}
    if index in near:
        when = today + timedelta(days=near[index])
    elif index % 3 == 2:
        return None
    else:
        when = today + timedelta(days=rng.randint(10, 360))
    if index % 5 == 4:
        return f"--{when.month:02d}-{when.day:02d}"
    year = today.year - rng.randint(22, 70)
    day = min(when.day, 28) if when.month == 2 else when.day
    return f"{year}-{when.month:02d}-{day:02d}"


def _anniversaries(index: int, today: date, rng: random.Random) -> list[str]:
    if index % 4 != 1:
        return []
    when = today + timedelta(days=(index * 7) % 40 - 5)
    year = today.year - rng.randint(2, 12)
    label = "customer since" if index % 8 == 1 else "wedding"
    day = min(when.day, 28) if when.month == 2 else when.day
    return [f"{label}={year}-{when.month:02d}-{day:02d}"]


def _add_notes(store: Store, contact_id: int, today: date, rng: random.Random) -> int:
    count = rng.randint(1, 5)
    for _ in range(count):
        channel, text = rng.choice(NOTE_LINES)
        on = today - timedelta(days=rng.randint(1, 200))
        add_note(store, str(contact_id), text, on, channel)
    return count
