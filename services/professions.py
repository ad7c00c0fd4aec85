"""The profession bank's search: by typed text, part of a word, case- and ё/е-insensitive, and
with a typo of one letter; when nothing is found, the closest profession is suggested.

Matching with a typo uses rapidfuzz (C++, MIT): its `partial_ratio` aligns the query with the
best-fitting part of each name, so «програмист» finds «программист» and «сварщк» finds
«электрогазосварщик», over thousands of names in a few milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from content.professions import BankProfession, ProfessionBank

#: Shortest query that is searched at all, and shortest that may carry a typo (shorter ones
#: would match half the bank).
MIN_QUERY = 2
MIN_FUZZY = 4
#: Longest query that is searched (a pasted paragraph is cut).
MAX_QUERY = 60

_SPACES = re.compile(r"\s+")
_WORD_SPLIT = re.compile(r"[\s|,()«»\"]+")


def normalise(text: str) -> str:
    """Lower case, «ё» as «е», one space between words."""
    return _SPACES.sub(" ", text.lower().replace("ё", "е")).strip()


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    found: tuple[BankProfession, ...]
    #: Found only by allowing a typo.
    fuzzy: bool = False
    #: Nothing found: the closest name there is.
    closest: BankProfession | None = None


class ProfessionIndex:
    """The bank's names prepared once for search (a new version of the file gets a new index)."""

    def __init__(self, bank: ProfessionBank) -> None:
        self.bank = bank
        self._entries = bank.professions
        self._hays = [normalise("|".join((p.title, *p.aliases))) for p in self._entries]
        words: dict[str, list[int]] = {}
        for index, hay in enumerate(self._hays):
            for word in _words(hay):
                if index not in words.setdefault(word, []):
                    words[word].append(index)
        self._words = list(words)
        self._word_entries = list(words.values())

    def search(self, text: str) -> SearchResult:
        query = normalise(text)[:MAX_QUERY]
        if len(query) < MIN_QUERY:
            return SearchResult(query, ())
        exact = [i for i, hay in enumerate(self._hays) if query in hay]
        if exact:
            # Names that begin with the query first, then in the file's order.
            exact.sort(key=lambda i: (not self._hays[i].startswith(query), i))
            return SearchResult(query, tuple(self._entries[i] for i in exact))
        if len(query) >= MIN_FUZZY:
            fuzzy = self._fuzzy(query)
            if fuzzy:
                return SearchResult(query, tuple(self._entries[i] for i in fuzzy), fuzzy=True)
        return SearchResult(query, (), closest=self._closest(query))

    def _fuzzy(self, query: str) -> list[int]:
        """Entries with a name that holds the query with one letter wrong, missing or extra
        (or two swapped): the similarity is at least 1 - 1/len(query). `partial_ratio` aligns
        the query with the best part of a longer name (a letter wrong or missing); `ratio`
        compares whole words (a letter extra, when the word is one shorter than the query)."""
        found = self._matches(query, by_word=" " not in query)
        return sorted(found, key=lambda i: (-found[i], i))

    def _matches(self, query: str, *, by_word: bool) -> dict[int, float]:
        cutoff = 100 * (1 - 1 / len(query)) - 0.5
        choices = self._words if by_word else self._hays
        found: dict[int, float] = {}
        for scorer in (fuzz.partial_ratio, fuzz.ratio):
            matches = process.extract(
                query, choices, scorer=scorer, score_cutoff=cutoff, limit=None
            )
            for choice, score, position in matches:
                if len(choice) < len(query) - 1:  # a short word inside the query is no match
                    continue
                for entry in self._word_entries[position] if by_word else (position,):
                    found[entry] = max(found.get(entry, 0.0), score)
        return found

    def _closest(self, query: str) -> BankProfession | None:
        best = process.extractOne(query, self._words, scorer=fuzz.ratio)
        if best is None:
            return None
        return self._entries[self._word_entries[best[2]][0]]


def _words(hay: str) -> list[str]:
    """The words of a name, a hyphenated one also in its parts and written together
    («слесарь-сантехник», «слесарь», «сантехник», «слесарьсантехник»)."""
    found: list[str] = []
    for word in _WORD_SPLIT.split(hay):
        if not word:
            continue
        found.append(word)
        if "-" in word:
            found += [part for part in word.split("-") if part]
            found.append(word.replace("-", ""))
    return found


_indexes: dict[int, ProfessionIndex] = {}


def index_of(bank: ProfessionBank) -> ProfessionIndex:
    """The search index of this version of the bank, built on first use and kept."""
    index = _indexes.get(id(bank))
    if index is None or index.bank is not bank:
        if len(_indexes) > 4:
            _indexes.clear()
        index = _indexes[id(bank)] = ProfessionIndex(bank)
    return index


def search(bank: ProfessionBank, text: str) -> SearchResult:
    return index_of(bank).search(text)
