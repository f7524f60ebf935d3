"""Extraction: names, events and dates mined from a record's text, resolved, mapped with evidence, stored."""

from __future__ import annotations

import json
from pathlib import Path
import pytest
from rdflib import DC, DCTERMS, RDF, RDFS, SKOS, Graph, Literal, URIRef

from conftest import shared_dir
from ld.authority import Authority, load_authority
from ld.evaluate import match_names
from ld.extract import Extractor
from ld.ingest import Ingester, Pipeline, expand_paths
from ld.iris import Minter
from ld.names import match_key
from ld.namespaces import CRM, OA
from ld.readers import read_path
from ld.resources import vocab_dir
from ld.store import OxigraphStore

BASE = "http://example.org/"
CORPUS = shared_dir() / "corpus"
EXAMPLE = CORPUS / "journal-ivanov-1955-12-06.txt"


def person(key: str) -> URIRef:
    return URIRef(f"{BASE}id/person/{key}")


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(BASE)


@pytest.fixture(scope="module")
def example(pipeline):
    mapped = pipeline.map(pipeline.read(EXAMPLE))
    assert pipeline.validate(mapped).conforms
    return mapped


def names_of(mapped, entity) -> set[str]:
    return {str(o) for p in (RDFS.label, SKOS.altLabel) for o in mapped.entities.objects(entity, p)}


def referred(mapped, cls) -> list[URIRef]:
    return [e for e in mapped.graph.objects(mapped.iri, CRM.P67_refers_to) if (e, RDF.type, cls) in mapped.entities]


def test_example_record_resolves_all_its_people_and_no_one_twice(example):
    truth = json.loads(EXAMPLE.with_suffix(".json").read_text(encoding="utf-8"))
    people = referred(example, CRM.E21_Person)
    matched, missed, _ = match_names(truth["people"], [names_of(example, p) for p in people])
    assert missed == [] and len(matched) == 17
    # every printed form of Ivanov (title, "IVANOV", "(V. IVANOV)", "Drafted by Ivanov") is one IRI
    ivanovs = [p for p in people if any("ivanov" in match_key(n) for n in names_of(example, p))]
    assert ivanovs == [person("v-i-ivanov")]
    kims = [p for p in people if any(match_key(n) == match_key("Kim Il Sung") for n in names_of(example, p))]
    assert kims == [person("kim-il-sung")]


def test_units_are_part_of_their_groups(example):
    group = lambda key: URIRef(f"{BASE}id/group/{key}")  # noqa: E731
    member = CRM.P107i_is_current_or_former_member_of
    assert (group("ussr-mfa-far-east-department"), member, group("ussr-mfa")) in example.entities
    assert (group("kwp-cc-agitprop-department"), member, group("kwp-cc")) in example.entities
    assert (group("kwp-cc"), member, group("korean-workers-party")) in example.entities
    assert (group("ussr-mfa"), RDFS.label, Literal("USSR MFA")) in example.entities
    # the record names the department, not the ministry: no link from the record to the ministry
    assert (example.iri, CRM.P67_refers_to, group("ussr-mfa")) not in example.graph


def test_example_record_documents_the_6_december_meeting_in_pyongyang(example):
    g = example.graph
    meetings = list(g.objects(example.iri, CRM.P70_documents))
    assert len(meetings) == 1
    meeting = meetings[0]
    assert (meeting, RDF.type, CRM.E7_Activity) in g
    assert set(g.objects(meeting, CRM.P11_had_participant)) == {
        person("v-i-ivanov"), person("nam-il"), person("ri-dong-yong")}
    span = g.value(meeting, CRM["P4_has_time-span"])
    assert str(g.value(span, CRM.P82a_begin_of_the_begin)).startswith("1955-12-06")
    assert g.value(meeting, CRM.P7_took_place_at) == URIRef(f"{BASE}id/place/pyongyang")


def test_example_record_refers_to_the_5_december_conference_and_the_29_november_decree(example):
    g = example.graph
    events = {e: str(g.value(g.value(e, CRM["P4_has_time-span"]), CRM.P82a_begin_of_the_begin))[:10]
              for e in g.objects(example.iri, CRM.P67_refers_to) if (e, CRM["P4_has_time-span"], None) in g}
    conference = [e for e, day in events.items() if day == "1955-12-05"]
    decree = [e for e, day in events.items() if day == "1955-11-29"]
    assert len(conference) == 1 and len(decree) == 1
    assert (conference[0], RDF.type, CRM.E7_Activity) in g
    assert (conference[0], CRM.P14_carried_out_by, person("kim-il-sung")) in g
    assert (decree[0], RDF.type, CRM.E65_Creation) in g
    issuer = g.value(decree[0], CRM.P14_carried_out_by)
    assert "USSR Supreme Soviet Presidium" in names_of(example, issuer)
    document = g.value(decree[0], CRM.P94_has_created)
    assert (example.iri, CRM.P67_refers_to, document) in g


def test_every_text_mention_has_evidence_that_quotes_the_text_at_its_offsets(example, pipeline):
    record = pipeline.read(EXAMPLE)
    g = example.graph
    key = str(example.iri).rsplit("/", 1)[1]
    texts = {example.iri: record.text, URIRef(f"{example.iri}#title"): record.title,
             URIRef(f"{example.iri}#summary"): record.summary}
    annotations = list(g.subjects(OA.motivatedBy, OA.identifying))
    assert len(annotations) > 30
    for annotation in annotations:
        # the target is a span of the text as published: an RFC 5147 fragment of its text/plain resource
        target = str(g.value(annotation, OA.hasTarget))
        resource, _, fragment = target.partition("#char=")
        assert resource in (f"{BASE}text/{key}", f"{BASE}text/{key}/title", f"{BASE}text/{key}/summary")
        holder = g.value(URIRef(resource), DCTERMS.isFormatOf)
        assert (URIRef(resource), DC.format, Literal("text/plain")) in g
        start, end = map(int, fragment.split(","))
        assert texts[holder][start:end] == str(g.value(URIRef(target), CRM.P190_has_symbolic_content))
        assert g.value(annotation, OA.hasBody) is not None
        assert len(set(g.predicate_objects(annotation))) == 4  # type, motivation, body, target: compact evidence
    # what the metadata and apparatus name is told apart from what the text yields
    tagged = set(g.objects(URIRef(f"{example.iri}#metadata"), OA.hasBody))
    assert person("vyacheslav-molotov") in tagged  # distribution list "1 - Cde. Molotov"
    assert person("ri-dong-yong") not in tagged  # only the text names him


def test_a_record_without_names_still_ingests(tmp_path, pipeline):
    path = tmp_path / "plain.txt"
    path.write_text("March 3, 1960\nA note on the weather\nit rained all day, and then it stopped.\n", encoding="utf-8")
    with OxigraphStore.open(tmp_path / "store", minter=Minter(BASE)) as store:
        [outcome] = Ingester(store, pipeline).ingest([path])
        assert outcome.status == "ingested"
        graph = store.record_graph(outcome.iri)
    assert not list(graph.subjects(OA.motivatedBy, OA.identifying))


class _FailingExtractor(Extractor):
    """An extractor with a bug: extraction must not block the record."""

    def extract(self, record):
        raise RuntimeError("boom")


def test_a_failing_extraction_never_blocks_a_record(tmp_path):
    pipeline = Pipeline(BASE)
    pipeline.extractor = _FailingExtractor(pipeline.authority)
    with OxigraphStore.open(tmp_path / "store", minter=Minter(BASE)) as store:
        [outcome] = Ingester(store, pipeline).ingest([EXAMPLE])
        assert outcome.status == "ingested"
        assert any("text extraction failed" in n and "boom" in n for n in outcome.notices)
        graph = store.record_graph(outcome.iri)
    assert (outcome.iri, CRM.P67_refers_to, person("vyacheslav-molotov")) in graph  # the metadata is all there


def _person_names(graph: Graph, entities: Graph, doc: URIRef) -> dict[URIRef, set[frozenset[str]]]:
    people = [e for e in graph.objects(doc, CRM.P67_refers_to) if (e, RDF.type, CRM.E21_Person) in entities]
    return {p: {frozenset(w for w in match_key(str(n)).split() if len(w) > 1)
                for pr in (RDFS.label, SKOS.altLabel) for n in entities.objects(p, pr)} for p in people}


def test_no_record_of_the_corpus_gives_one_person_two_iris(tmp_path, pipeline):
    with OxigraphStore.open(tmp_path / "store", minter=Minter(BASE)) as store:
        outcomes = list(Ingester(store, pipeline).ingest(expand_paths([CORPUS])))
        entities = store.graph(pipeline.minter.entities_graph)
        for outcome in outcomes:
            assert outcome.status == "ingested", outcome.reason
            names = _person_names(store.record_graph(outcome.iri), entities, outcome.iri)
            for a, a_names in names.items():
                for b, b_names in names.items():
                    # one person's name (initials aside) inside another's: "Ivanov" / "V. I. Ivanov"
                    clash = a != b and any(x and y and x == y for x in a_names for y in b_names)
                    assert not clash, f"{outcome.source}: {a} and {b} share a name"


def _edited_authority(edit) -> Authority:
    graph = Graph()
    graph.parse(data=(vocab_dir() / "authority.ttl").read_bytes(), format="turtle", publicID=BASE)
    edit(graph)
    return Authority.from_graph(graph, Minter(BASE), digest="edited")


def test_reingest_after_an_authority_edit_renames_and_merges(tmp_path):
    journal = CORPUS / "journal-ivanov-1955-12-24.txt"
    store_dir = tmp_path / "store"
    with OxigraphStore.open(store_dir, minter=Minter(BASE)) as store:
        first = list(Ingester(store, Pipeline(BASE)).ingest([EXAMPLE, journal]))
        assert {o.status for o in first} == {"ingested"}
        assert (person("suntsov"), RDF.type, CRM.E21_Person) in store.graph(Minter(BASE).entities_graph)

    ivanov, suntsov = person("v-i-ivanov"), person("ivan-suntsov")

    def edit(graph: Graph) -> None:
        graph.set((ivanov, RDFS.label, Literal("Vasily Ivanovich Ivanov")))  # a rename
        graph.add((ivanov, SKOS.altLabel, Literal("V. I. Ivanov")))
        graph.add((suntsov, RDF.type, CRM.E21_Person))  # Suntsov becomes known: a merge into a file entry
        graph.add((suntsov, RDFS.label, Literal("Ivan Suntsov")))
        graph.add((suntsov, SKOS.altLabel, Literal("Suntsov")))

    edited = Pipeline(BASE, authority=_edited_authority(edit))
    with OxigraphStore.open(store_dir, minter=Minter(BASE)) as store:
        second = list(Ingester(store, edited).ingest([EXAMPLE, journal]))
        assert {o.status for o in second} == {"ingested"}  # not "unchanged": the authority file changed
        entities = store.graph(Minter(BASE).entities_graph)
        assert list(entities.objects(ivanov, RDFS.label)) == [Literal("Vasily Ivanovich Ivanov")]
        assert (ivanov, SKOS.altLabel, Literal("V. I. Ivanov")) in entities
        graphs = [store.record_graph(o.iri) for o in second]
        assert all((o.iri, CRM.P67_refers_to, ivanov) in g for o, g in zip(second, graphs))
        journal_graph = graphs[1]
        assert (second[1].iri, CRM.P67_refers_to, suntsov) in journal_graph
        assert (second[1].iri, CRM.P67_refers_to, person("suntsov")) not in journal_graph
        again = list(Ingester(store, edited).ingest([EXAMPLE, journal]))
        assert {o.status for o in again} == {"unchanged"}


@pytest.mark.parametrize("text, expected", [
    ("Chaired by Comrade BREZHNEV, L.I. and attended by Coms. Andropov, Iu.V., Gromyko, A.A.",
     {("person", "BREZHNEV, L.I."), ("person", "Andropov, Iu.V."), ("person", "Gromyko, A.A.")}),
    ("[Deputy Foreign Minister Antonin] Gregor met the Ambassador.", {("person", "Antonin Gregor")}),
    ("The Hungarian Foreign Ministry informed the Embassy of Hungary in North Korea.",
     {("group", "Hungarian Foreign Ministry"), ("group", "Embassy of Hungary in North Korea"),
      ("place", "Hungary"), ("place", "North Korea")}),
    ("the Soviet government and the KWP CC Agitprop Department", {
        ("group", "Soviet government"), ("group", "KWP CC Agitprop Department")}),
    ("Then Chen Boda said that Pak Sang-ho agreed.", {("person", "Chen Boda"), ("person", "Pak Sang-ho")}),
    ("Der Bundeskanzler begrüßte Herrn Václav Havel in Prag.", {("person", "Václav Havel"), ("place", "Prag")}),
    ("The North Vietnamese delegation took the Moscow-Beijing train.",
     {("place", "North Vietnam"), ("place", "Moscow"), ("place", "Beijing")}),
    # works and clubs named after a person or town are groups, not a given name and a surname
    ("Yesterday Dynamo Moscow played against Spartak Leningrad in Moscow.",
     {("group", "Dynamo Moscow"), ("group", "Spartak Leningrad"), ("place", "Moscow"), ("place", "Leningrad")}),
    ("He raised the case of the Thälmann-Werke Magdeburg with Minister Schmidt.",
     {("group", "Thälmann-Werke Magdeburg"), ("person", "Schmidt")}),
])
def test_recognizer_on_unseen_sentences(text, expected):
    found = {(s.kind, s.text) for s in Extractor(load_authority(BASE)).recognizer.find(text, strict="Der" in text)}
    assert found == expected


def test_a_recognizer_finds_the_same_whatever_it_read_before():
    """A recognizer remembers how it read each run with what it looked at around it; the same words in other
    surroundings (a verb after a lone name, "of ..." after a group, initials after a surname) are read afresh, so
    what it finds never depends on the texts it read before."""
    authority = load_authority(BASE)
    texts = ["Nam said that the Ministry of Foreign Affairs agreed. Brezhnev, L.I. arrived.",
             "Then Nam and the Ministry of Trade met. Brezhnev, A.P. left. The newspaper Pravda wrote.",
             "Pravda and Nam (Nam) were present, via Nam. Cable, Nam to Kim Il Sung.",
             *(read_path(path).text or "" for path in sorted(CORPUS.glob("*.txt")))]
    shared = Extractor(authority).recognizer
    for text in texts + texts[::-1]:
        assert shared.find(text) == Extractor(authority).recognizer.find(text)


ANCHORED_TEXTS = [
    "On 5 December Kim Il Sung had held a conference. The 29 November decree of the USSR Supreme Soviet Presidium.",
    "Fidel's speech of 1 November, the talks on December 5, 1955, the elections dated 3 May [19]56 and on\u00a06 May.",
    "the 5 December 12 meeting; a xdecree of 5 May; decree  of  5 May; On 12 May, the CC  convened its plenum",
    "R. Kennedy came to see me. He visited us. Nam was also present at the conversation; they were present at the talks",
    "the Soviet government, [The Soviet] geological ministry, a Hungarian organization, the embassy, xembassy",
    "I visited Nam Il. We  had a talk with him! \u0130 met with Ri; Hi we\u00a0called on Kim. A. Smith? \"Yes.\" 5 May 12",
    "the North Korean and South Vietnamese, East German and West Yemeni sides; NorthKorean, South  Korean",
    "The talks took place on 5 March [19]56 in the Kremlin; this meeting was held on 6 May at the Embassy; xtalks",
]

# Windows before a name where a group cue ("the newspaper Pravda") stands or almost stands: cases, "the", no-break
# spaces, a line break before the name, a cue cut by the window's start, cues inside other words.
GROUP_CUE_TEXTS = [
    "the newspaper Pravda, the Newspaper the Izvestia, NEWSPAPER\u00a0the\u00a0Trud and the news agency  TASS",
    "the newspaper \nPravda, the radio the \nMoscow, the radio\nMoscow, the radio \n\nMoscow, a firm\u00a0 Krupp",
    "bathe Nam, the  Nam, newspapers Pravda, paperthe Trud, the paper, Izvestia, thepaper the  Trud, company  the X",
    "x" * 25 + "spaper Pravda; " + "y" * 27 + "firm the Krupp; " + "z" * 28 + "io the  Moscow; agency\tTASS",
]


def test_patterns_tried_only_where_they_can_begin_find_what_a_scan_finds():
    """Patterns matched only where a match can begin (ld.extract.scan: after the dates found, at the words they open
    with) find what scanning the whole text finds: the shortcut changes nothing."""
    from ld.extract import events, recognize
    from ld.extract.scan import anchored, occurrences, openings

    texts = ANCHORED_TEXTS + [read_path(path).text or "" for path in sorted(CORPUS.glob("*.txt"))]
    for text in texts:
        dates = events.date_starts(text)
        assert dates == [m.start() for m in events._DATE_STARTS.finditer(text)]
        assert events._Sentences(text)._breaks == [m.span() for m in events._SENTENCE_END.finditer(text)]
        for pattern, starts in [(events._DATED_HEAD, dates),
                                (events._DATE_ACTOR_HEAD, events._on_before(text, dates)),
                                (events._HEAD_DATE, events._head_before(text, dates)),
                                (events._VISITED_ME, occurrences(text, events._VISITED_ME_OPENS)),
                                (events._PRESENT, occurrences(text, events._PRESENT_OPENS)),
                                (events._FIRST_PERSON, openings(events._FIRST_PERSON_OPENS, text)),
                                (events._TOOK_PLACE, occurrences(text, events._TOOK_PLACE_OPENS)),
                                (recognize._LOWER_HEAD, occurrences(text, recognize._LOWER_HEAD_OPENS)),
                                (recognize._COMPASS_ADJECTIVE, occurrences(text, recognize._COMPASS_OPENS))]:
            scanned = [(m.span(), m.groups()) for m in pattern.finditer(text)]
            assert [(m.span(), m.groups()) for m in anchored(pattern, text, starts)] == scanned, (pattern, text[:80])
    for pattern in (events._HEAD_DATE, events._DATE_ACTOR_HEAD, events._FIRST_PERSON, recognize._COMPASS_ADJECTIVE,
                    events._TOOK_PLACE):
        assert any(pattern.search(t) for t in ANCHORED_TEXTS)  # the texts exercise the patterns


def test_the_quick_tests_of_a_group_cue_before_a_name_decide_as_the_full_test():
    """``_after_group_cue`` first tests the ends of the window before a name (cheap), then scans it: at every place
    of texts with cues and near-cues, it answers as the scan of the window alone does."""
    from ld.extract import recognize
    from ld.extract.lexicon import GROUP_CUES
    from ld.names import fold

    def scanned(text: str, start: int) -> bool:  # the test as it was, without the quick one
        window = text[max(0, start - 30):start]
        preceding = recognize._PRECEDING_WORD.search(window)
        return bool(preceding) and fold(preceding.group(1)) in GROUP_CUES

    texts = GROUP_CUE_TEXTS + [read_path(path).text or "" for path in sorted(CORPUS.glob("*.txt"))]
    for text in texts:
        answers = [(at, recognize._after_group_cue(text, at)) for at in range(len(text) + 1)]
        assert answers == [(at, scanned(text, at)) for at in range(len(text) + 1)], text[:80]
    assert sum(recognize._after_group_cue(t, at) for t in GROUP_CUE_TEXTS for at in range(len(t))) >= 12


# Runs of capitalised words with every kind of token: abbreviations, initials (two-letter ones too), brackets,
# particles, words, and near-misses of each.
RUN_TEXTS = [
    "Cde. Kim, Cdes. Pak and Coms. Ri; Com. Li, Mr. and Mrs. Smith, Ms. Lee, Dr. No, Prof. X, Gen. Y, Col. Z, Amb. A",
    "Sen. B; Cdex, Mrx. Iu. Andropov, Yu.V. Andropov, Ya. Malik, Ia. Malik, Zh. Li, Ch. Pak, Sh. Ri, I.V. Stalin",
    "[Deputy Foreign Minister Antonin] Gregor, [1956], [a], [USSR MFA Far\nEast], Ludwig van Beethoven, Abu al Qasim",
    "Kirov-Werke, Ho's Approval, A[nastas] I. Mikoyan, Đorđe, Ølund, Þór, DPRK's, Iu, Ya., Mr, Dr, [Ya. Malik]",
]


def test_runs_open_with_a_set_and_are_the_runs_the_lookahead_pattern_finds():
    """``_RUN`` opens with its first character as a set (so that ``re`` skips to it in C); it finds the runs the
    pattern that opens with a lookahead for that character and ``_TOKEN`` finds, at every place it is matched."""
    import re

    from ld.extract import recognize

    plain = re.compile(rf"(?={recognize._RUN_FIRST}){recognize._TOKEN}"
                       rf"(?:(?:{recognize._SP}|{recognize._SP}(?:{recognize._PARTICLE}){recognize._SP}){recognize._TOKEN})*")
    texts = RUN_TEXTS + [read_path(path).text or "" for path in sorted(CORPUS.glob("*.txt"))]
    for text in texts:
        assert [m.span() for m in recognize._RUN.finditer(text)] == [m.span() for m in plain.finditer(text)]
    for text in RUN_TEXTS:
        for at in range(len(text)):
            for end in (len(text), at + 5):
                found, expected = recognize._RUN.match(text, at, end), plain.match(text, at, end)
                assert (found and found.span()) == (expected and expected.span()), (text, at, end)


def test_every_group_cue_a_name_may_follow_is_found_before_the_text_is_read():
    """A run is read without looking for a group cue before it when ``_cue_places`` finds none within reach (in any
    case, the Kelvin sign and the Turkish dotted I in the text too): wherever ``_after_group_cue`` sees one, it is."""
    from ld.extract import recognize

    texts = GROUP_CUE_TEXTS + [
        "the wee\u212aly Nam, the \u0130 newspaper Pravda, NEWSPAPER Trud, the Radio Moscow, é agency TASS",
        "\u00e9\u00e9 the Paper Izvestia \u00e9 " + "x" * 40 + " firm Krupp",
    ] + [read_path(path).text or "" for path in sorted(CORPUS.glob("*.txt"))]
    seen = 0
    for text in texts:
        cues = recognize._cue_places(text)
        for at in range(len(text) + 1):
            if recognize._after_group_cue(text, at):
                seen += 1
                assert recognize._within_reach(cues, at, at + 1), (text[:80], at)
    assert seen >= 15


def test_a_mined_mention_is_the_mention_its_constructor_makes():
    from dataclasses import fields

    from ld.entities import Mention

    mined = Mention.mined("Nam", "person", "participant", 3, 6, "text", "Nam Il")
    made = Mention("Nam", "person", "participant", "text", 3, 6, field="text", full="Nam Il")
    assert mined == made and hash(mined) == hash(made) and repr(mined) == repr(made)
    assert list(vars(mined)) == [f.name for f in fields(Mention)]  # every field set (a new one must be added there)


def test_the_authority_file_says_no_to_a_name_with_a_word_it_lacks_as_its_keys_would():
    """``Authority.lookup`` answers None at once for a plain name holding a word none of the file's names hold; for
    every name (runs and words of the corpus, the file's own names with honorifics, cases, brackets, parentheses) it
    answers what looking the name's key up answers."""
    from ld.extract import recognize

    authority = load_authority(BASE)
    names = set()
    for entity in authority.entities:
        for name in (entity.label, *entity.variants):
            names.update({name, name.upper(), name.lower(), f"Cde. {name}", f"Comrade {name}", f"Mr. {name},",
                          f"Deputy Foreign Minister {name}", f"[{name}]", f"{name} (ret.)", f"Herr {name}",
                          f"{name}s", f"  {name}\t", f"Dr.{name}"})
    for path in sorted(CORPUS.glob("*.txt")):
        for run in recognize._RUN.finditer(read_path(path).text or ""):
            names.add(run.group())
            names.update(run.group().split())
    answers = {name: authority.lookup(name) for name in names}
    assert answers == {name: authority._any.get(match_key(name)) for name in names}
    assert sum(entity is not None for entity in answers.values()) > 1000  # names it knows are among them


def test_a_reference_made_by_of_is_the_reference_its_constructor_makes():
    from dataclasses import fields

    from ld.authority import Entity
    from ld.entities import Mention, Reference

    mention, entity = Mention("Nam", "person", "mentioned", "text", 3, 6, "text"), Entity("person", "nam", "Nam")
    made, quick = Reference(mention, entity), Reference.of(mention, entity)
    assert quick == made and hash(quick) == hash(made) and repr(quick) == repr(made)
    assert list(vars(quick)) == [f.name for f in fields(Reference)]  # every field set (a new one must be added there)


def test_references_resolve_each_name_once_as_resolving_every_mention_would():
    """``Resolver.references`` resolves a name of a kind once (with the role where it counts: an "associated" name
    the authority file lists is taken as listed); the answers are those of resolving every mention in turn."""
    from ld.entities import Mention, Reference, Resolver, metadata_mentions

    authority = load_authority(BASE)
    tricky = [Mention("TASS", "person", "associated", "metadata"), Mention("TASS", "person", "mentioned", "text"),
              Mention("TASS", "group", "mentioned", "text"), Mention("Nam", "person", "mentioned", "text"),
              Mention("Nam", "person", "mentioned", "text", full="Nam Il"), Mention("Nam Il", "person", "author", "metadata")]
    batches = [tricky, tricky[::-1]]
    for path in sorted(CORPUS.glob("*.txt")):
        record = read_path(path)
        extraction = Extractor(authority).extract(record)
        batches.append([*metadata_mentions(record), *extraction.mentions])
    once, each = Resolver(authority), Resolver(authority)
    for mentions in batches:
        assert once.references(mentions) == [Reference(m, each.resolve(m)) for m in mentions]
    assert once.learned == each.learned
    assert len({r.entity for r in once.references(tricky)}) == 4  # the mentions that must differ do


def test_a_resolver_forgets_its_answers_when_it_adopts_decisions():
    """``Resolver.references`` keeps its answers across records; adopting another resolver's decisions (the
    parallel ingest's workers) may change one, so they are given afresh."""
    from ld.authority import Entity
    from ld.entities import Mention, Resolver

    resolver = Resolver(load_authority(BASE))
    mention = Mention("Ivan Nobodyknows", "person", "mentioned", "text")
    first = resolver.references([mention])[0].entity
    other = Entity("person", "ivan-nobodyknows-2", "Ivan Nobodyknows")
    resolver.adopt([(("person", match_key(mention.name)), other)])
    assert first != other and resolver.references([mention])[0].entity == other


def test_short_forms_join_the_full_name_of_the_same_record(pipeline):
    record = read_path(CORPUS / "journal-ivanov-1955-12-24.txt")
    mentions = pipeline.extractor.extract(record).mentions
    short = {m.name: m.full for m in mentions if m.full}
    assert short.get("Institute") == "Agricultural Scientific Research Institute"



def test_the_name_matching_rule_of_docket_eval():
    expected = ["President Kennedy", "Washington, DC", "Kim Il Sung", "Cde. V. I. IVANOV", "Nobody Known"]
    found = [{"R. Kennedy"}, {"Washington"}, {"Kim Il-sung", "Kim"}, {"V. I. Ivanov"}, {"Someone Else"}]
    matched, missed, extra = match_names(expected, found)
    assert sorted(matched) == sorted(expected[:4]) and missed == ["Nobody Known"] and extra == [{"Someone Else"}]
    # one to one: two people of one surname are not both matched by one entity
    matched, missed, _ = match_names(["Kim Il Sung", "Kim Nam-cheon"], [{"Kim Il Sung"}])
    assert matched == ["Kim Il Sung"] and missed == ["Kim Nam-cheon"]


def test_eval_scores_kinds_events_and_dates(tmp_path):
    from ld.evaluate import evaluate_paths

    for name in ("journal-ivanov-1955-12-06", "memorandum-ratanov-mengistu-1977-06-29"):
        for suffix in (".txt", ".json"):
            (tmp_path / f"{name}{suffix}").write_bytes((CORPUS / f"{name}{suffix}").read_bytes())
    gold = Path(__file__).resolve().parents[1] / "bench" / "gold" / "events.json"
    report = evaluate_paths([tmp_path], base=BASE, events_gold=gold)
    people = report.kinds["annotated from text"]["people"]
    assert people.tp + people.fn == 17 + 3 and people.recall >= 0.9
    assert report.events["events documented"].tp == 2 and report.events["participants"].recall == 1.0
    assert report.events["dates in the text"].tp >= 6
    assert "| all records | people |" in report.table() and "| events documented |" in report.table()


@pytest.mark.parametrize("breakage, message", [
    (lambda g: g.remove((next(o for o in g.objects(None, OA.hasTarget) if "#char=" in o), CRM.P190_has_symbolic_content,
                         None)), "quoting the words"),
    (lambda g: g.remove((next(g.subjects(OA.motivatedBy, OA.identifying)), OA.hasBody, None)), "oa:hasBody"),
])
def test_the_shapes_check_the_evidence(pipeline, breakage, message):
    mapped = pipeline.map(pipeline.read(EXAMPLE))
    broken = Graph()
    for triple in mapped.graph:
        broken.add(triple)
    breakage(broken)
    report = pipeline.validator.validate(broken, mapped.entities)
    assert not report.conforms and any(message in f.message for f in report.violations)


def test_the_authority_decides_the_kind_of_a_name_in_a_mixed_metadata_list():
    from ld.entities import Mention, Resolver, guess_kind

    resolver = Resolver(load_authority(BASE))
    for name, kind in (("Bundeskanzleramt", "group"), ("Kuomintang", "group"), ("Pravda", "group"),
                       ("Kim Il Sung", "person")):
        assert resolver.resolve(Mention(name, guess_kind(name), "associated", "metadata")).kind == kind
