"""Write large realistic import files for timing `crm contacts import`.

    python scripts/make_import_files.py DIR [--cards 10000] [--rows 100000]

writes DIR/contacts-10000.vcf (Apple-style vCard 3.0) and DIR/contacts-100000.csv (Google
Contacts CSV). Deterministic: the same arguments give the same files.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

FIRST = [
    "Ann",
    "Bob",
    "Chidi",
    "Dana",
    "Erik",
    "Fatima",
    "Greta",
    "Hiro",
    "Ines",
    "José",
    "Kwame",
    "Lucía",
    "Maria",
    "Nils",
    "Olga",
]
FIRST += ["Priya", "Quinn", "Rosa", "Sven", "Tomás"]
LAST = [
    "Lee",
    "Stone",
    "Okafor",
    "Berg",
    "Lindqvist",
    "Haddad",
    "Vogel",
    "Tanaka",
    "Muñoz",
    "Mensah",
    "Ferrer",
    "Santos",
]
LAST += ["Nguyen", "Kowalska", "Dubois", "Rossi", "Brennan"]
TAGS = ["customer", "vip", "wholesale", "retail", "supplier", "newsletter", "lead"]


def person(rng: random.Random, i: int) -> dict[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return {
        "first": first,
        "last": last,
        "email": f"{first.lower()}.{last.lower()}.{i}@example.com".replace("ñ", "n"),
        "phone": f"+1 {200 + i // 10000}-555-{i % 10000:04d}",
        "org": f"{last} {rng.choice(['Ltd', 'GmbH', '& Co', 'Bakery', 'Design'])}",
        "bday": f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "tags": ",".join(rng.sample(TAGS, 2)),
        "note": f"Met at the {rng.choice(['fair', 'shop', 'conference'])}; prefers email.",
    }


def vcard(p: dict[str, str], i: int) -> str:
    lines = [
        "BEGIN:VCARD", "VERSION:3.0", "PRODID:-//Apple Inc.//iPhone OS 17.4//EN",
        f"N:{p['last']};{p['first']};;;", f"FN:{p['first']} {p['last']}", f"ORG:{p['org']};",
        f"EMAIL;type=INTERNET;type=WORK;type=pref:{p['email']}",
        f"TEL;type=CELL;type=VOICE;type=pref:{p['phone']}",
        f"item1.ADR;type=WORK;type=pref:;;{i} Main Street;Springfield;;{10000 + i % 9000};USA",
        f"BDAY:{p['bday']}" if i % 3 else f"BDAY;X-APPLE-OMIT-YEAR=1604:1604{p['bday'][4:]}",
        "item2.X-ABDATE:2019-05-02", "item2.X-ABLabel:customer since",
        f"NOTE:{p['note']}", f"CATEGORIES:{p['tags']}", "END:VCARD",
    ]  # fmt: skip
    return "".join(line + "\r\n" for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", type=Path)
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    args.directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    with open(args.directory / f"contacts-{args.cards}.vcf", "w", encoding="utf-8",
              newline="") as handle:  # fmt: skip
        for i in range(args.cards):
            handle.write(vcard(person(rng, i), i))
    header = ["First Name", "Last Name", "Organization Name", "Birthday", "Notes", "Labels",
              "E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - Label", "Phone 1 - Value",
              "Event 1 - Label", "Event 1 - Value"]  # fmt: skip
    with open(args.directory / f"contacts-{args.rows}.csv", "w", encoding="utf-8",
              newline="") as handle:  # fmt: skip
        writer = csv.writer(handle)
        writer.writerow(header)
        for i in range(args.rows):
            p = person(rng, i)
            labels = "* myContacts ::: " + p["tags"].replace(",", " ::: ")
            writer.writerow([p["first"], p["last"], p["org"], p["bday"], p["note"], labels,
                             "Work", p["email"], "Mobile", p["phone"], "Anniversary",
                             "2012-06-09"])  # fmt: skip


if __name__ == "__main__":
    main()
