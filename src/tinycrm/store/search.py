"""Full-text search over the contacts' own documents and their notes (docs/search.md).

The index has two parts: a contact's own document (name, company, emails, …; row key minus
the contact's id) and each note (row key the note's id). A search first reads each part's
newest matches, at most SEARCH_CANDIDATES + 1. When neither part has more, every match is
ranked by relevance (SQLite FTS5's bm25, PostgreSQL's ts_rank). Past that, ranking would read
the words' whole index lists (bm25's document counts grow with the data), so the page is the
newest matches instead: contacts whose own fields match first, then contacts by their newest
matching note, in the same order on both backends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from tinycrm.store.backend import Backend, Connection, Row
from tinycrm.wording import TOTAL_LIMIT

# Matches read per part of the index; past it a search shows the newest, unranked.
SEARCH_CANDIDATES = TOTAL_LIMIT
# PostgreSQL's memory for the bitmap of two common words' matches (the default 4 MB makes it
# lossy at 1M contacts: docs/decisions.md, "PostgreSQL search at 1M"); for this statement only.
SEARCH_WORK_MEM = "64MB"
# PostgreSQL: the newest notes a search reads in order before it asks the index for older ones.
NEWEST_NOTES = 20_000
# PostgreSQL: a prefix standing for at most this many listed words is searched as those words
# (each exact term costs ~0.3 ms to open; docs/decisions.md, "PostgreSQL search: prefixes …").
PREFIX_WORDS = 32
# A prefix term in PostgreSQL's text of a tsquery ('word':*), quotes and backslashes aside.
_PREFIX_TERM = re.compile(r"'([^'\\]+)':\*")


@dataclass(frozen=True)
class SearchHit:
    contact_id: int
    rank: float | None  # lower is better; None when the page is the newest matches
    snippet: str


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    total: int  # matching contacts, counted up to SEARCH_CANDIDATES + 1 ("more than")
    ranked: bool  # False: more matches than SEARCH_CANDIDATES, the newest are shown


@dataclass(frozen=True)
class _Match:
    key: int  # the index's row key: minus a contact's id, or a note's id
    contact_id: int
    rank: float  # PostgreSQL's ts_rank negated (cheap per row); 0 on SQLite (bm25 is not)
    snippet: str  # SQLite's snippet; PostgreSQL's excerpts are made for the page only


class SearchRepo:
    def __init__(self, db: Backend) -> None:
        self.db = db

    @property
    def conn(self) -> Connection:
        return self.db.conn

    def search(self, query: str, limit: int = 50, candidates: int | None = None) -> SearchPage:
        """The best `limit` contacts for `query` (FTS5 syntax: quoted prefix terms), one hit
        each, or past `candidates` matches in a part of the index the newest (module doc)."""
        cap = SEARCH_CANDIDATES if candidates is None else candidates
        own, noted = self._newest(query, cap + 1)
        if len(own) > cap or len(noted) > cap:
            newest = _first_per_contact([*own[:cap], *noted[:cap]])[:limit]
            hits = [SearchHit(m.contact_id, None, m.snippet) for m in newest]
            return SearchPage(self._excerpts(query, hits, newest), cap + 1, ranked=False)
        total = len({m.contact_id for m in (*own, *noted)})
        if self.db.dialect == "postgresql":
            best = sorted(_best_per_contact([*own, *noted]), key=lambda m: (m.rank, m.contact_id))
            hits = [SearchHit(m.contact_id, m.rank, "") for m in best[:limit]]
            return SearchPage(self._excerpts(query, hits, best[:limit]), total, ranked=True)
        return SearchPage(self._ranked_sqlite(query, limit), total, ranked=True)

    def _newest(self, query: str, count: int) -> tuple[list[_Match], list[_Match]]:
        """Each part's `count` newest matches: contacts by id descending (keys ascending from
        minus the newest), notes by id descending."""
        if self.db.dialect == "postgresql":
            matches = self._newest_postgresql(query, count)
            return [m for m in matches if m.key < 0], [m for m in matches if m.key > 0]
        parts = (("rowid < 0", "ASC"), ("rowid > 0", "DESC"))
        own, noted = (
            [
                _Match(r["rowid"], r["contact_id"], 0.0, r["snippet"])
                for r in self.conn.execute(
                    f"""SELECT rowid, contact_id,
                            snippet(search_index, 0, '', '', '…', 12) AS snippet
                        FROM search_index WHERE search_index MATCH ? AND {part}
                        ORDER BY rowid {order} LIMIT ?""",
                    (query, count),
                )
            ]
            for part, order in parts
        )
        return own, noted

    def _newest_postgresql(self, query: str, count: int) -> list[_Match]:
        """Both parts' newest matches over the tsvector index (GIN), with ts_rank negated so
        that lower ranks first, as bm25's. The notes are read in two steps whose plans do not
        depend on the planner's guess of a word's frequency (a guess far too high for a word
        missing from its statistics made it walk all notes): the newest NEWEST_NOTES in
        order, where a common word finds its page; only when they hold too few matches, the
        older ones through GIN, sorted. The bitmap gets SEARCH_WORK_MEM. The match is
        `_listed_words`' query; the ranks take the words as typed. docs/decisions.md,
        "PostgreSQL search at 1M"."""
        words = "to_tsquery('simple', tinycrm_unaccent(?1))"
        part = f"""(SELECT id, contact_id, -ts_rank(document, {words}) FROM {{}}
                    WHERE document @@ CAST(?4 AS tsquery) AND {{}} ORDER BY {{}} LIMIT ?2)"""
        # OFFSET 0 keeps the newest notes read in id order: through GIN, two common words'
        # intersection cost 40-85 ms at 1M against ~15 ms for the walk (any words, any size).
        newest_notes = """(SELECT id, contact_id, document FROM search_index WHERE id > ?3
                           ORDER BY id DESC OFFSET 0) AS newest"""
        index = "search_index"
        with self.db.read():
            self.conn.execute(f"SET LOCAL work_mem = '{SEARCH_WORK_MEM}'")
            newest, parsed = self.conn.execute(
                f"SELECT max(id), CAST({words} AS TEXT) FROM search_index", (_tsquery(query),)
            ).fetchone()
            exact = self._listed_words(parsed)
            floor = max((newest or 0) - NEWEST_NOTES, 0)
            rows = self.conn.execute(
                f"{part.format(index, 'id < 0', 'id ASC')}"
                f" UNION ALL {part.format(newest_notes, 'TRUE', 'id DESC')}",
                (_tsquery(query), count, floor, exact),
            ).fetchall()
            noted = sum(1 for row in rows if row[0] > 0)
            if noted < count and floor > 0:
                rows += self.conn.execute(
                    part.format(index, "id > 0 AND id <= ?3", "id + 0 DESC"),  # + 0: no walk
                    (_tsquery(query), count - noted, floor, exact),
                ).fetchall()
        return [_Match(r[0], r[1], float(r[2]), "") for r in rows]

    def _listed_words(self, tsquery: str) -> str:
        """PostgreSQL's `tsquery` (its text) with each prefix that stands for at most
        PREFIX_WORDS words of search_index_words replaced by those words: the same rows
        match, but GIN reads exact terms by skipping, where a prefix collects every row of
        every word it stands for (docs/decisions.md, "PostgreSQL search: prefixes …")."""
        prefixes = list(dict.fromkeys(_PREFIX_TERM.findall(tsquery)))
        if not prefixes:
            return tsquery
        lookups = " UNION ALL ".join(
            f"""(SELECT {i}, word FROM search_index_words WHERE word ^@ ?
                 ORDER BY word LIMIT {PREFIX_WORDS + 1})"""
            for i in range(len(prefixes))
        )
        listed: dict[str, list[str]] = {prefix: [] for prefix in prefixes}
        for i, word in self.conn.execute(lookups, prefixes):
            listed[prefixes[i]].append(word)

        def words(term: re.Match[str]) -> str:
            found = listed[term.group(1)]
            if not found or len(found) > PREFIX_WORDS:
                return term.group(0)  # no word (nothing matches) or too many: the prefix
            quoted = (word.replace("\\", "\\\\").replace("'", "''") for word in found)
            return "(" + " | ".join(f"'{word}'" for word in quoted) + ")"

        return _PREFIX_TERM.sub(words, tsquery)

    def _excerpts(
        self, query: str, hits: list[SearchHit], matches: list[_Match]
    ) -> list[SearchHit]:
        """The hits with PostgreSQL's excerpts of their matches (ts_headline, made for the
        page only: it re-reads the text); SQLite's snippets came with the matches."""
        if self.db.dialect != "postgresql" or not hits:
            return hits
        keys = [m.key for m in matches]
        rows = self.conn.execute(
            f"""SELECT id, ts_headline('simple', body, to_tsquery('simple', tinycrm_unaccent(?)),
                    'StartSel="", StopSel="", MaxWords=12, MinWords=5, ShortWord=1')
                FROM search_index WHERE id IN ({", ".join("?" * len(keys))})""",
            (_tsquery(query), *keys),
        )
        excerpt = {r[0]: r[1] for r in rows}
        return [replace(h, snippet=excerpt.get(k, "")) for h, k in zip(hits, keys, strict=True)]

    def _ranked_sqlite(self, query: str, limit: int) -> list[SearchHit]:
        """Every match ranked by bm25 (scored against the whole index, so a rare word keeps
        its weight), each part's best few, then each contact's best hit."""
        part = """SELECT * FROM (
                    SELECT contact_id, rank, snippet(search_index, 0, '', '', '…', 12) AS snippet
                    FROM search_index WHERE search_index MATCH ? AND {} ORDER BY rank LIMIT ?)"""
        rows: Iterable[Row] = self.conn.execute(
            f"""SELECT contact_id, min(rank) AS best, snippet
                FROM ({part.format("rowid < 0")} UNION ALL {part.format("rowid > 0")})
                GROUP BY contact_id ORDER BY best, contact_id LIMIT ?""",
            (query, limit * 4, query, limit * 4, limit),
        )
        return [SearchHit(r["contact_id"], r["best"], r["snippet"]) for r in rows]


def _tsquery(query: str) -> str:
    """FTS5 prefix terms ('"word"*' each) as a PostgreSQL tsquery: every word, as a prefix."""
    words = re.findall(r'"((?:[^"]|"")*)"\*', query)
    return " & ".join("'" + word.replace('"', "").replace("'", "") + "':*" for word in words)


def _first_per_contact(matches: list[_Match]) -> list[_Match]:
    """Each contact's first match, in the order given."""
    seen: set[int] = set()
    first = []
    for match in matches:
        if match.contact_id not in seen:
            seen.add(match.contact_id)
            first.append(match)
    return first


def _best_per_contact(matches: list[_Match]) -> list[_Match]:
    """Each contact's best-ranked match (on a tie, the lowest row key)."""
    best: dict[int, _Match] = {}
    for match in matches:
        held = best.get(match.contact_id)
        if held is None or (match.rank, match.key) < (held.rank, held.key):
            best[match.contact_id] = match
    return list(best.values())


__all__ = ["SEARCH_CANDIDATES", "SearchHit", "SearchPage", "SearchRepo"]
