"""Synthetic records in docket's published text layout, for benchmarks (ingest, store, queries at scale).

    python bench/synth.py --records 10000 --out DIR [--seed 1] [--corpus shared/corpus]

writes ``DIR/synthetic-00001.txt`` ... . The material comes from the real corpus (``shared/corpus``): its people,
groups, places, subjects, citations, archives and body sentences, recombined so that there are thousands of distinct
people (given names and family names are shuffled across records) while corpus names still recur, as real ones do.
Each record has a date line (1945-1997), a title line, an optional funder line, a body (some with the archival
apparatus of journal-ivanov-1955-12-06.txt: heading, classification, copy number, stamp, signature, distribution
list, drafter, outgoing number), a summary, and labelled metadata sections with their values on the lines after.

Record ``i`` depends only on ``--seed`` and ``i``, so the first 100 records are the same whatever ``--records`` is.
The output is not ground truth: it exists to exercise the pipeline's speed and robustness, not to score extraction.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
LABELS = ("Author(s):", "Associated People & Organizations", "Document Contributors", "Associated Places",
          "Associated Topics", "Subjects Discussed", "Related Documents", "Document Information", "Source",
          "Original Archive", "Rights", "Original Uploaded Date", "Type", "Language", "Record ID",
          "Original Classification", "Donors")
LANGUAGES = ("Russian", "Chinese", "Korean", "German", "Japanese", "English", "Hungarian", "Romanian", "Czech",
             "Mongolian", "Portuguese", "Polish", "French")
CLASSIFICATIONS = ("Secret", "Top Secret", "Confidential", "Strictly Secret", "Strictly Confidential")
RIGHTS = (
    "The History and Public Policy Program welcomes reuse of Digital Archive materials for research and educational "
    "purposes. Some documents may be subject to copyright, which is retained by the rights holders in accordance "
    "with US and international copyright laws. When possible, rights holders have been contacted for permission to "
    "reproduce their materials.",
    "To enquire about this document's rights status or request permission for commercial use, please contact the "
    "History and Public Policy Program at HAPP@wilsoncenter.org.",
)
# Family names written first in running text ("Kim Il Sung"), so recombined names keep their own order.
EASTERN_FAMILIES = {"Kim", "Pak", "Park", "Ri", "Lee", "Nam", "Han", "Jeong", "Gi", "Rim", "Choe", "Choi", "Mao", "Zhou",
                    "Deng", "Liu", "Lin", "Gao", "Zhang", "Chen", "Wang", "Li", "Yang", "Peng", "Zhao", "Kang", "Dong",
                    "Hu", "Zhu", "Ye", "Liao", "Qiao", "Huang", "Ren", "Xi", "Song", "Tan", "Pham", "Ngo", "Sato",
                    "Chiang", "Ho", "Chun", "Xuan", "Tsedenbal"}
TITLES = {"President", "Chairman", "Premier", "Comrade", "Cde.", "Mr.", "Mrs.", "Prime", "Minister", "Ambassador",
          "General", "Marshal", "Chancellor", "King", "Queen", "Secretary", "Foreign", "Dr."}
# A given name ("V. I.", "Il Sung", "Jean-Luc") and a family name ("Stepanov-Mamaladze", "O'Neill") as harvested.
GIVEN = re.compile(r"[A-Z][\w'’.-]*( [A-Z][\w'’.-]*){0,2}")
FAMILY = re.compile(r"[A-Z][\w'’-]+")
NUMBER_WORDS = ("Two", "Three", "Four", "Five", "Six")


@dataclass(frozen=True)
class Name:
    """A person's name, printed in running text ("Kim Il Sung", "Helmut Kohl") or listed ("Kohl, Helmut")."""

    given: str
    family: str
    eastern: bool

    def text(self) -> str:
        """The name as running text prints it."""
        return f"{self.family} {self.given}" if self.eastern else f"{self.given} {self.family}"

    def listed(self) -> str:
        """The name as the metadata sections list it."""
        return f"{self.family}, {self.given}"


@dataclass
class Corpus:
    """Material harvested from the real records, deduplicated and sorted (so output does not depend on file order)."""

    names: list[Name] = field(default_factory=list)
    givens: dict[bool, list[str]] = field(default_factory=dict)
    families: dict[bool, list[str]] = field(default_factory=dict)
    organizations: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    archives: list[str] = field(default_factory=list)
    funders: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)


# --- reading the corpus ----------------------------------------------------------------------------------------------


def load_corpus(directory: Path) -> Corpus:
    """Harvest names, places, subjects, citations and body sentences from the corpus's ``*.json`` and ``*.txt``."""
    facts: dict[str, set[str]] = {k: set() for k in ("people", "listed", "organizations", "places", "subjects",
                                                     "source_citation", "original_archive", "funders")}
    sentences: set[str] = set()
    for path in sorted(directory.glob("*.json")):
        _collect_json(json.loads(path.read_text(encoding="utf-8")), facts)
    for path in sorted(directory.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        facts["listed"].update(_listed_people(lines))
        sentences.update(_body_sentences(lines))
    if not facts["people"] or not sentences:
        raise SystemExit(f"no corpus records found in {directory}")
    return _build_corpus(facts, sentences)


def _collect_json(truth: dict, facts: dict[str, set[str]]) -> None:
    for key, bucket in facts.items():
        value = truth.get(key)
        if isinstance(value, str):
            bucket.add(value)
        elif isinstance(value, list):
            bucket.update(v for v in value if isinstance(v, str) and v.strip())


def _listed_people(lines: list[str]) -> list[str]:
    # "Family, Given" lines of the people sections are the most reliable source of given/family splits.
    found, section = [], None
    for line in lines:
        line = line.strip()
        if line in LABELS:
            section = line
        elif section in ("Author(s):", "Associated People & Organizations", "Document Contributors") \
                and line.count(",") == 1:
            found.append(line)
    return found


def _body_sentences(lines: list[str]) -> list[str]:
    labels = [i for i, line in enumerate(lines) if line.strip() in LABELS]
    body = lines[2:(labels[0] - 1) if labels else len(lines)]  # drop date, title and the summary line
    text = " ".join(line.strip() for line in body if len(line.strip()) > 40)
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", text)
    return [s for s in sentences if 40 <= len(s) <= 400 and "made possible with support" not in s]


def _name(given: str, family: str) -> Name | None:
    # Only clean, plausible parts: corpus names also come as "Andropov, Iu.V., Grishin, ..." or with brackets.
    if not (GIVEN.fullmatch(given) and FAMILY.fullmatch(family)) or given.split()[0] in TITLES:
        return None
    return Name(given, family, family in EASTERN_FAMILIES)


def _split_name(name: str) -> Name | None:
    words = name.split()
    if len(words) < 2:
        return None
    if words[0] in EASTERN_FAMILIES:
        return _name(" ".join(words[1:]), words[0])
    return _name(" ".join(words[:-1]), words[-1])


def _build_corpus(facts: dict[str, set[str]], sentences: set[str]) -> Corpus:
    names = {n for n in map(_split_name, facts["people"]) if n}
    for listed in facts["listed"]:
        family, given = (part.strip() for part in listed.split(",", 1))
        if name := _name(given, family):
            names.add(name)
    names_sorted = sorted(names, key=lambda n: (n.family, n.given))
    corpus = Corpus(
        names=names_sorted,
        organizations=sorted(facts["organizations"]),
        places=sorted(facts["places"]),
        subjects=sorted(facts["subjects"]),
        citations=sorted(facts["source_citation"]),
        archives=sorted(facts["original_archive"]),
        funders=sorted(facts["funders"]),
        sentences=sorted(sentences),
    )
    # People known by one name only ("Molotov", "Fedorenko") give family names to recombine with.
    single = {p for p in facts["people"] if FAMILY.fullmatch(p) and p not in EASTERN_FAMILIES and p not in TITLES}
    for eastern in (True, False):
        corpus.givens[eastern] = sorted({n.given for n in names_sorted if n.eastern == eastern})
        families = {n.family for n in names_sorted if n.eastern == eastern}
        corpus.families[eastern] = sorted(families if eastern else families | single)
    return corpus


# --- making one record -----------------------------------------------------------------------------------------------


@dataclass
class Cast:
    """Who and what one synthetic record names."""

    people: list[Name]
    organizations: list[str]
    places: list[str]
    day: date
    precision: str  # "day" or "month"


def pick_person(rng: random.Random, corpus: Corpus) -> Name:
    """A corpus person (about a third of the time) or a recombined one, so names both recur and vary."""
    if rng.random() < 0.35:
        return rng.choice(corpus.names)
    eastern = rng.random() < 0.4
    given = rng.choice(corpus.givens[eastern])
    if not eastern and rng.random() < 0.3:  # Soviet-style initials with a patronymic ("A. P. Ratanov")
        given = f"{given[0]}. {rng.choice('ABDEFGIKLMNOPSTVY')}."
    return Name(given, rng.choice(corpus.families[eastern]), eastern)


def make_cast(rng: random.Random, corpus: Corpus) -> Cast:
    """Draw the people, groups, places and date of one record."""
    people = list(dict.fromkeys(pick_person(rng, corpus) for _ in range(rng.randint(2, 12))))
    while len(people) < 2:
        people = list(dict.fromkeys([*people, pick_person(rng, corpus)]))
    day = date(1945, 1, 1) + timedelta(days=rng.randrange((date(1997, 12, 31) - date(1945, 1, 1)).days + 1))
    return Cast(
        people=people,
        organizations=rng.sample(corpus.organizations, rng.randint(1, min(5, len(corpus.organizations)))),
        places=rng.sample(corpus.places, rng.randint(1, min(6, len(corpus.places)))),
        day=day,
        precision="month" if rng.random() < 0.05 else "day",
    )


def date_line(rng: random.Random, cast: Cast) -> str:
    """The record's date as the first line prints it: "December 6, 1955", "June 07, 1973" or "November 1967"."""
    month = MONTHS[cast.day.month - 1]
    if cast.precision == "month":
        return f"{month} {cast.day.year}"
    day = f"{cast.day.day:02d}" if rng.random() < 0.1 else str(cast.day.day)
    return f"{month} {day}, {cast.day.year}"


def long_date(day: date) -> str:
    """ "6 December 1955", as bodies and titles print dates."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def title_line(rng: random.Random, cast: Cast, serial: int) -> str:
    """A title in one of the corpus's genres, naming the record's people and places."""
    a, b = cast.people[0].text(), cast.people[-1].text()
    place, org = cast.places[0], cast.organizations[0]
    templates = (
        f"Ciphered Telegram No. {rng.randint(100, 29999)}, {a} to {b}",
        f"Journal of Soviet Ambassador to {place} {a} for {long_date(cast.day)}",
        f"Memorandum of Conversation between {a} and {b}, {long_date(cast.day)}",
        f"Letter, {a} to {b}",
        f"Cable from the {org}, '{rng.choice(cast.places)} and the Question of {rng.choice(cast.places)}'",
        f"Diary of {a} on Meeting between {b} and {rng.choice(cast.people).text()}",
        f"Telegram from {place}, No.{rng.randint(10, 999)}.{rng.randint(100, 999)}, Urgent, SECRET",
        f"Minutes of Conversation between {a} and {b} in {place}",
        f"Report, {org} to {rng.choice(cast.organizations)}, 'On the Situation in {place}'",
        f"The Chancellor's Conversation with {a} on {long_date(cast.day)} in {place}",
    )
    title = rng.choice(templates)
    # Titles repeat across thousands of records; a few carry a serial so date+title keys stay mostly unique.
    return f"{title} ({serial})" if rng.random() < 0.02 else title


def made_sentence(rng: random.Random, cast: Cast) -> str:
    """A body sentence naming the record's own people, groups and places (what extraction should find)."""
    p, q = (n.text() for n in rng.sample(cast.people, 2))  # make_cast draws at least two people
    place, org = rng.choice(cast.places), rng.choice(cast.organizations)
    return rng.choice((
        f"{p} said that the {org} would send a delegation to {place} before the end of the month.",
        f"I visited {p} at his invitation. {q} was present at the conversation.",
        f"In {p}'s words, the situation in {place} remained difficult, and the {org} was watching it closely.",
        f"{p} asked that {q} inform the {org} of the decision taken on {cast.day.day} {MONTHS[cast.day.month - 1]}.",
        f"The question of {place} was discussed at length; {p} and {q} agreed to meet again in {place}.",
        f"{q} stressed that the {org} did not intend to change its position on {place}.",
    ))


def body_lines(rng: random.Random, cast: Cast, corpus: Corpus) -> list[str]:
    """Paragraphs mixing corpus sentences with sentences about the record's own cast; 1 to about 40 paragraphs."""
    paragraphs = max(1, min(40, int(rng.lognormvariate(1.5, 0.8))))
    lines = []
    for _ in range(paragraphs):
        sentences = [made_sentence(rng, cast) if rng.random() < 0.4 else rng.choice(corpus.sentences)
                     for _ in range(rng.randint(1, 6))]
        lines.append(" ".join(sentences))
    return lines


def apparatus_head(rng: random.Random, cast: Cast, classification: str) -> list[str]:
    """Heading, classification, copy number and incoming stamp, as in journal-ivanov-1955-12-06.txt."""
    stamp = cast.day + timedelta(days=rng.randint(3, 40))
    return [
        f"SOVIET EMBASSY IN {cast.places[0].upper()}",
        classification,
        f"Copy Nº {rng.randint(1, 5)}",
        f"[{cast.organizations[0]} stamp:",
        f"[[{rng.randint(100, 9999)}]]s",
        f"{stamp.day} {MONTHS[stamp.month - 1][:3]} {stamp.strftime('%y')}]",
    ]


def apparatus_tail(rng: random.Random, cast: Cast) -> list[str]:
    """Signature, distribution list, drafter, outgoing number and dispatch date."""
    author = cast.people[0]
    copies = rng.randint(2, 6)
    recipients = [p.family for p in rng.sample(cast.people, min(copies - 1, len(cast.people)))]
    lines = [f"SOVIET AMBASSADOR IN {cast.places[0].upper()} [signature] ({author.given[:1]}. {author.family.upper()})",
             f"{NUMBER_WORDS[copies - 2]} copies"]
    lines += [f"{n} - Cde. {name}" for n, name in enumerate(recipients, 1)]
    lines.append(f"{len(recipients) + 1} - to file")
    sent = cast.day + timedelta(days=rng.randint(1, 20))
    lines += [f"Drafted by {author.family}", f"Nº {rng.randint(10, 999)}", long_date(sent)]
    return lines


def summary_line(rng: random.Random, cast: Cast) -> str | None:
    """The summary paragraph; about one record in ten has none."""
    if rng.random() < 0.1:
        return None
    p, q = cast.people[0].text(), cast.people[-1].text()
    return (f"{p} and {q} discuss the situation in {cast.places[0]} and the position of the "
            f"{cast.organizations[0]}. {q} promises to report to {rng.choice(cast.organizations)}.")


def subjects(rng: random.Random, cast: Cast, corpus: Corpus) -> list[str]:
    """Library-of-Congress-style subject headings, from the corpus and made from the record's places."""
    made = [f"{a}--Foreign relations--{b}" for a, b in zip(cast.places, cast.places[1:])]
    picked = rng.sample(corpus.subjects, rng.randint(0, min(3, len(corpus.subjects))))
    return list(dict.fromkeys(made[:3] + picked))


def citation(rng: random.Random, cast: Cast, corpus: Corpus) -> str:
    """An archival citation: a corpus one, or a fond/opis/delo reference with a translator."""
    if corpus.citations and rng.random() < 0.3:
        return rng.choice(corpus.citations)
    sheets = rng.randint(1, 300)
    return (f"AVPRF, f. {rng.randint(1, 700):04d}, op. {rng.randint(1, 60)}, p. {rng.randint(1, 90)}, "
            f"d. {rng.randint(1, 400)}, ll. {sheets}-{sheets + rng.randint(1, 9)}. "
            f"Translated by {pick_person(rng, corpus).text()}.")


def metadata_lines(rng: random.Random, cast: Cast, corpus: Corpus, record_id: int | None,
                   classification: str | None, funders: list[str]) -> list[str]:
    """The labelled sections, each label followed by its values; some labels come without values, as in the corpus."""
    def values(items: list[str]) -> list[str]:
        return [] if rng.random() < 0.08 else items

    authors = [cast.people[0].listed()] if rng.random() < 0.7 else [cast.organizations[0]]
    uploaded = date(2011, 1, 1) + timedelta(days=rng.randrange(14 * 365))
    sections = [
        ("Author(s):", values(authors)),
        ("Associated People & Organizations", values([p.listed() for p in cast.people[1:]] + cast.organizations[1:])),
        ("Associated Places", values(cast.places)),
        ("Subjects Discussed", values(subjects(rng, cast, corpus))),
        ("Document Information", []),
        ("Source", values([citation(rng, cast, corpus)])),
        ("Original Archive", values([rng.choice(corpus.archives)] if corpus.archives else [])),
        ("Rights", list(RIGHTS) if rng.random() < 0.7 else [RIGHTS[1]]),
        ("Original Uploaded Date", [uploaded.isoformat()]),
        ("Language", [rng.choice(LANGUAGES)]),
        ("Record ID", [str(record_id)] if record_id else []),
        ("Original Classification", [classification] if classification else []),
    ]
    if funders:
        sections.append(("Donors", funders))
    return [line for label, items in sections for line in (label, *items)]


def make_record(index: int, seed: int, corpus: Corpus) -> str:
    """The text of synthetic record number ``index`` (1-based), a function of ``seed`` and ``index`` only."""
    rng = random.Random(f"docket-synth-{seed}-{index}")
    cast = make_cast(rng, corpus)
    classification = rng.choice(CLASSIFICATIONS) if rng.random() < 0.6 else None
    funders = rng.sample(corpus.funders, rng.randint(1, 2)) if corpus.funders and rng.random() < 0.3 else []
    with_apparatus = classification is not None and rng.random() < 0.3
    lines = [date_line(rng, cast), title_line(rng, cast, index)]
    if funders:
        lines.append(f"This document was made possible with support from {funders[0]}")
    if with_apparatus:
        lines += apparatus_head(rng, cast, classification)
    elif classification and rng.random() < 0.5:
        lines.append(classification)
    lines += body_lines(rng, cast, corpus)
    if with_apparatus:
        lines += apparatus_tail(rng, cast)
    summary = summary_line(rng, cast)
    if summary:
        lines.append(summary)
    record_id = 400000 + index if rng.random() < 0.95 else None  # unique where given; a few records carry none
    lines += metadata_lines(rng, cast, corpus, record_id, classification, funders)
    return "\n".join(lines) + "\n"


# --- command line ----------------------------------------------------------------------------------------------------


def write_records(count: int, out: Path, seed: int, corpus: Corpus) -> None:
    """Write ``count`` records as ``out/synthetic-00001.txt`` ... ."""
    out.mkdir(parents=True, exist_ok=True)
    width = max(5, len(str(count)))
    for index in range(1, count + 1):
        (out / f"synthetic-{index:0{width}d}.txt").write_text(make_record(index, seed, corpus), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and write the records."""
    parser = argparse.ArgumentParser(description="Write synthetic records in docket's text layout.")
    parser.add_argument("--records", type=int, default=1000, help="how many records (default: %(default)s)")
    parser.add_argument("--out", type=Path, required=True, help="output directory (created if missing)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus directory (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.records < 1:
        parser.error("--records must be at least 1")
    write_records(args.records, args.out, args.seed, load_corpus(args.corpus))
    return 0


if __name__ == "__main__":
    sys.exit(main())
