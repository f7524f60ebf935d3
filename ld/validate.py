"""Validate a record's graph against docket's SHACL shapes (``shapes/*.ttl``) and report what is wrong, for people.

Settings follow MODEL.md: no inference (with RDFS inference CRM's ranges would make every P2 value a type and every
title an identifier, so such checks could never fail), with the CRM class hierarchy and the vocabulary concepts
available, so ``sh:class crm:E39_Actor`` accepts an ``E21_Person`` and ``sh:class skos:Concept`` accepts a concept of
``vocab/``. That context is added per record: just the superclass chains of the classes the record uses and the
descriptions of the concepts and entities it links to (about a hundred triples), not a whole ontology.

Two engines give the same reports:

- ``"compiled"`` (the default): the shapes are compiled once, at construction, into plain Python checks over an
  index of the record's triples (its graph's own subject index, predicates as plain strings); the class hierarchy
  is read from the vocabulary's closure when the record states none of its own; ``sh:sparql`` constraints run on
  pyoxigraph, once a record when the query allows it (``_batchable``). About 1 ms a record. It implements the
  SHACL Core subset the shapes use, with pySHACL's reading of it (messages, values, paths, severities), and
  refuses shapes that use anything else: then the validator falls back to pySHACL as a whole.
- ``"pyshacl"``: pySHACL 0.40, the reference (20-40 ms a record). ``tests/test_validate_engines.py`` checks that
  both give equal reports on the corpus, on every breaking graph of ``tests/test_shapes.py`` and on mutated records.

Non-conformance is a result (:class:`Report`), not an exception; only broken input raises.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Callable, Iterable

import pyoxigraph as ox
from pyshacl.graph_abstraction import DataGraph
from pyshacl.shapes_graph import ShapesGraph
from pyshacl.validator import Validator as ShaclRun
from rdflib import OWL, RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from ld.iris import DEFAULT_BASE_URI, check_base_uri
from ld.namespaces import PREFIXES, SH
from ld.resources import shapes_dir
from ld.terms import is_bnode, is_iri, is_literal, of_kind, subject_index, to_oxigraph, to_rdflib, triples_of
from ld.vocab import load_vocabulary

ENGINES = ("compiled", "pyshacl")
# What of a vocabulary concept or an entity is copied next to a record for validation: enough for sh:class and the
# concept and entity shapes, nothing that would make the record's graph look like it holds entity descriptions.
_DESCRIPTION_PREDICATES = (RDF.type, RDFS.label, SKOS.prefLabel, SKOS.inScheme, SKOS.altLabel)
# MODEL.md: no inference; report every result. inplace: the data graph is already a private copy (see _with_context),
# so pySHACL need not clone it again.
_OPTIONS = {"inference": "none", "abort_on_first": False, "allow_warnings": True, "inplace": True, "advanced": False}
_SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_PATH_OPERATORS = {
    SH.inversePath: "^{}",
    SH.zeroOrOnePath: "{}?",
    SH.zeroOrMorePath: "{}*",
    SH.oneOrMorePath: "{}+",
}


@dataclass(frozen=True)
class Finding:
    """One SHACL result: the node it is about, the property path (as text), the message and the severity.

    ``severity`` is "Violation", "Warning" or "Info"; ``value`` is the offending value where there is one.
    """

    focus: str
    path: str | None
    message: str
    severity: str
    value: str | None = None

    def text(self) -> str:
        """One line for people: severity, node, path and message."""
        where = f"{self.focus} {self.path}" if self.path else self.focus
        value = f" (value: {self.value})" if self.value is not None else ""
        return f"{self.severity}: {where}: {self.message}{value}"


@dataclass
class Report:
    """The outcome of validating one graph. ``conforms`` is True when there is no violation; warnings are allowed."""

    conforms: bool
    violations: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def text(self) -> str:
        """A readable summary: a first line with the verdict and counts, then one line per finding."""
        verdict = "conforms" if self.conforms else "does not conform"
        head = f"{verdict}: {len(self.violations)} violation(s), {len(self.warnings)} warning(s)"
        return "\n".join([head, *(f"  {f.text()}" for f in self.violations + self.warnings)])


class Validator:
    """docket's SHACL validator: shapes and ontology context are read once, at construction, for one base URI.

    ``engine`` is ``"compiled"`` (default) or ``"pyshacl"`` (the reference); see the module's docstring. When the
    shapes use a feature the compiled engine does not implement, it quietly runs pySHACL (``self.engine`` says which
    engine runs).
    """

    def __init__(self, base: str = DEFAULT_BASE_URI, engine: str = "compiled"):
        if engine not in ENGINES:
            raise ValueError(f"unknown validation engine {engine!r}; one of {', '.join(ENGINES)}")
        self.base = check_base_uri(base)
        self.shapes = _parse_shapes(self.base)
        vocabulary = load_vocabulary(self.base)
        self._superclasses = _superclass_triples(vocabulary.graph)
        self._descriptions = _descriptions(vocabulary.graph)
        # The compiled engine's forms of the same context: each concept's description as an index block, and the
        # class hierarchy as closures (see _Data).
        self._blocks = {node: _block(triples) for node, triples in self._descriptions.items()}
        self._closure = _Closure(vocabulary.graph)
        self._compiled: _CompiledShapes | None = None
        self._shapes_graph: ShapesGraph | None = None
        if engine == "compiled":
            try:
                self._compiled = _CompiledShapes(self.shapes)
            except _Unsupported:
                engine = "pyshacl"
        if engine == "pyshacl":
            # pySHACL's validate() wraps the shapes in a new ShapesGraph, and harvests the shapes again, on every
            # call; one harvested ShapesGraph is kept instead and handed to each run.
            self._shapes_graph = ShapesGraph(self.shapes)
            self._shapes_graph.shapes  # noqa: B018 (the property harvests and caches the shapes)
        self.engine = engine

    def validate(self, graph: Graph, entities: Graph | None = None) -> Report:
        """Validate ``graph`` (one record's graph) and return a :class:`Report`.

        ``entities`` is the entities graph (or any graph holding the descriptions of the persons, groups, places and
        subject concepts the record links to): their classes and labels are needed for checks such as "an author is
        a person or group". ``graph`` is not modified.
        """
        if self._compiled is not None:
            return _results_report(self._compiled.validate(self._data(graph, entities)))
        triples = triples_of(graph)
        context = self._context(triples, entities)
        data = _QueryCachingGraph()
        for triple in triples:
            data.add(triple)
        for triple in context:
            data.add(triple)
        run = ShaclRun(DataGraph.from_rdflib(data), shacl_graph=self.shapes, options=dict(_OPTIONS))
        run.shacl_graph = self._shapes_graph
        _, report_graph, _ = run.run()
        return _report(report_graph)

    def validate_many(self, records: Iterable[tuple[Graph, Graph | None]]) -> list[Report]:
        """A :class:`Report` per ``(graph, entities)`` pair, each validated on its own (as by :meth:`validate`)."""
        return [self.validate(graph, entities) for graph, entities in records]

    def _data(self, graph: Graph, entities: Graph | None) -> _Data:
        """The compiled engine's index of ``graph`` and of the context :meth:`_context` would add to it.

        The record's own subject index is indexed as it is (its object collections are read, never copied); the
        concepts' descriptions are prepared blocks. The superclass chains are left out when the record states no
        rdfs:subClassOf of its own and no shape reads that predicate: the data's class hierarchy is then exactly
        the vocabulary's, and sh:class and sh:targetClass read the vocabulary's closure (_Closure) instead of
        walking chains added to every record."""
        compiled = self._compiled
        data = _Data(compiled.backwards, compiled.targeted)
        linked = data.add_graph(subject_index(graph))
        blocks = self._blocks
        for node in linked:
            block = blocks.get(node)
            if block is not None:
                data.add(node, block)
        if entities is not None:
            for node, block in _entity_blocks(entities, linked):
                data.add(node, block)
        if data.own_subclasses or compiled.reads_subclasses:
            # the chains of the classes used, as _context adds them
            classes = {o for by_p in data.out.values() for o in by_p.get(_TYPE_KEY, ())}
            chains = {t for cls in classes for t in self._superclasses.get(cls, ())}
            for node, block in _blocks(chains):
                data.add(node, block)
        if not data.own_subclasses:
            data.closure = self._closure
        return data

    def _context(self, triples: list, entities: Graph | None) -> set:
        """The descriptions of the concepts and entities the triples link to, and the superclass chains of classes."""
        context: set = set()
        linked = {o for _, _, o in triples if isinstance(o, URIRef)}
        for node in linked:
            context.update(self._descriptions.get(node, ()))
        if entities is not None:
            context.update(_entity_descriptions(entities, linked))
        # set membership, not ==: URIRef.__eq__ is a Python call per triple, a hash miss costs none
        classes = {o for _, p, o in triples if p in _TYPES}
        classes.update(o for _, p, o in context if p in _TYPES)
        for cls in classes:
            context.update(self._superclasses.get(cls, ()))
        return context


def _entity_blocks(entities: Graph, linked: set) -> Iterable[tuple]:
    """(node, block) for each node of ``linked`` that ``entities`` describes: its type, labels and scheme (the
    triples _entity_descriptions gives)."""
    index = subject_index(entities)
    wanted = _DESCRIPTION_KEYS
    if len(index) <= len(linked):
        pairs = ((s, by_p) for s, by_p in index.items() if s in linked)
    else:
        pairs = ((s, index.get(s)) for s in linked)
    for s, by_p in pairs:
        if by_p:
            block = {}
            for p, objects in by_p.items():
                if type(p) is URIRef:  # as _key makes keys
                    key = str(p)
                    if key in wanted and objects:
                        block[key] = objects
            if block:
                yield s, block


def _block(triples: Iterable[tuple]) -> dict:
    """The index block ``{predicate key: objects}`` of triples about one subject."""
    block: dict = {}
    for _, p, o in triples:
        block.setdefault(_key(p), set()).add(o)
    return {k: frozenset(v) for k, v in block.items()}


def _blocks(triples: Iterable[tuple]) -> list:
    """(subject, block) for triples about several subjects."""
    by_subject: dict = {}
    for t in triples:
        by_subject.setdefault(t[0], []).append(t)
    return [(s, _block(ts)) for s, ts in by_subject.items()]


def _entity_descriptions(entities: Graph, linked: set) -> Iterable[tuple]:
    """The triples of ``entities`` that describe a node of ``linked`` (type, labels, scheme)."""
    wanted = set(_DESCRIPTION_PREDICATES)
    if len(entities) <= 4 * len(linked):
        # A record's own entities graph: one pass over it is cheaper than a look-up per linked node.
        return [(s, p, o) for s, p, o in entities if p in wanted and s in linked]
    return [(node, p, o) for node in linked for p, o in entities.predicate_objects(node) if p in wanted]


class _QueryCachingGraph(Graph):
    """A graph that parses each SPARQL text once per process.

    pySHACL hands a ``sh:sparql`` constraint's text to ``Graph.query`` once per focus node (the focus is passed as an
    initial binding, so the text does not change) and rdflib parses it every time: about 35 ms per query, the whole
    budget of several records. Prepared queries are reused instead.
    """

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=64)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


# ---------------------------------------------------------------------------------------------- the compiled engine
# It mirrors pySHACL 0.40 where SHACL leaves room (tests/test_validate_engines.py holds it to that): value nodes are
# sets (collections without duplicates: sets, frozensets, tuples, a graph index's {node: 1} dicts, read only);
# sh:class follows rdf:type/rdfs:subClassOf* in the data; sh:datatype also checks that the lexical form is well
# formed; nested shapes (sh:or, sh:qualifiedValueShape) conform when they have no result or have severity
# Warning/Info (pySHACL's allow_warnings); sh:hasValue, counts and qualified counts report no value; a node shape's
# own constraints report the focus node as value; a SPARQL result's message has {?var} replaced by str(value).


class _Unsupported(Exception):
    """The shapes use a SHACL feature the compiled engine does not implement (the validator then runs pySHACL)."""


# Constraints whose checks _Shape.passes also runs, as plain data (counts, kinds, members, values, per-value tests).
_SIMPLE = {SH.minCount, SH.maxCount, SH["class"], SH.nodeKind, SH.datatype, SH.minLength, SH.pattern, SH["in"],
           SH.hasValue}
# Predicates on a shape node that carry no constraint.
_INERT = {RDF.type, RDFS.label, RDFS.comment, SH.name, SH.description, SH.order, SH.group, SH.defaultValue}
_TARGETS = (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
_SHAPE_LINKS = (SH.property, SH["or"], SH.qualifiedValueShape)
_NODE_KINDS = {
    SH.IRI: (URIRef,),
    SH.Literal: (Literal,),
    SH.BlankNode: (BNode,),
    SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal),
    SH.IRIOrLiteral: (URIRef, Literal),
}
_PYTHON_TYPES = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: (int,), XSD.float: (float,),
    XSD.boolean: (bool,), XSD.decimal: (Decimal,), XSD.date: (date,), XSD.time: (time,), XSD.dateTime: (datetime,),
}


class _Closure:
    """The vocabulary's class hierarchy, for records that state no rdfs:subClassOf of their own: each class's
    superclasses (itself included) and subclasses, as predicate-index keys (plain strings; see _key)."""

    def __init__(self, ontology: Graph):
        above: dict = {}
        for cls, triples in _superclass_triples(ontology).items():
            if type(cls) is URIRef:  # as _key makes keys
                above[str(cls)] = frozenset({str(cls)} | {str(o) for _, _, o in triples if type(o) is URIRef})
        below: dict = {}
        for cls, classes in above.items():
            for parent in classes:
                below.setdefault(parent, {parent}).add(cls)
        self.above = above
        self.below = {cls: frozenset(classes) for cls, classes in below.items()}


def _key(node):
    """A node as a key of _Data's indexes: an IRI as a plain string, anything else as it is.

    rdflib builds a new URIRef on every attribute access (``RDF.type``, ``CRM.P2_has_type``), so the mapper's
    predicates and the shapes' are equal but distinct objects, and a dict look-up that finds an equal key that is
    another object calls rdflib's ``__eq__`` (a Python call, hundreds per record). Plain strings compare in C.
    rdflib's ``__eq__`` compares exact types: a string never equals a BNode, a Literal or a URIRef subclass (such as
    a skolem ``Genid``), which stay keys as they are, and only exact URIRefs become strings, so keys are equal
    exactly when the terms are."""
    return str(node) if type(node) is URIRef else node


class _Data:
    """The triples to validate, indexed: ``out[s][p]`` holds the objects of ``s`` and ``p``; ``into[o][p]`` the
    subjects of the triples whose predicate is in ``backwards``; ``by_predicate[p]`` the (s, o) pairs of those
    whose predicate is in ``targeted``. Predicates (and the objects keying ``into``) are keys as _key makes them.

    The object collections are the graphs' own (a ``SimpleMemory`` subject index's dicts, description blocks):
    they are read, never modified. ``closure``, when set, is the class hierarchy sh:class and sh:targetClass
    read (the data's own rdfs:subClassOf triples are walked otherwise)."""

    def __init__(self, backwards: frozenset, targeted: frozenset):
        self.out: dict = {}
        self.into: dict = {}
        self.by_predicate: dict = {}
        self._backwards, self._targeted = backwards, targeted
        self.own_subclasses = False  # whether the graph added by add_graph has rdfs:subClassOf triples
        self.closure: _Closure | None = None
        self._above: dict = {}
        self._classes: dict = {}
        self._stores: dict = {}  # predicates -> a pyoxigraph store of those triples
        self._rows: dict = {}  # a batched sh:sparql query -> its rows by focus node

    def add_graph(self, index: dict) -> set:
        """Index a graph's ``{s: {p: objects}}``, before anything else, and return the IRIs among its objects.

        What :meth:`add` does for each subject, in one loop: a record has a hundred or more subjects, and this is
        a tenth of its validation."""
        if self.out:
            raise ValueError("add_graph indexes the first graph of the data")
        out, into, by_predicate = self.out, self.into, self.by_predicate
        backwards, targeted = self._backwards, self._targeted
        linked: set = set()
        for s, by_p in index.items():
            block = {}
            for p, objects in by_p.items():
                k = str(p) if type(p) is URIRef else _key(p)
                block[k] = objects
                for o in objects:
                    t = type(o)
                    if t is URIRef or (t is not Literal and is_iri(o)):  # is_iri, inline for literals
                        linked.add(o)
                if k in backwards:
                    if k == _SUBCLASS_KEY:
                        self.own_subclasses = True
                    for o in objects:
                        key = str(o) if type(o) is URIRef else _key(o)
                        subjects = into.get(key)
                        if subjects is None:
                            into[key] = {k: {s}}
                        elif k in subjects:
                            subjects[k].add(s)
                        else:
                            subjects[k] = {s}
                if k in targeted:
                    pairs = by_predicate.get(k)
                    if pairs is None:
                        pairs = by_predicate[k] = []
                    pairs.extend([(s, o) for o in objects])
            out[s] = block  # the index's subjects are distinct: nothing to merge
        return linked

    def add(self, s, block: dict) -> None:
        """Index the triples of subject ``s``: ``block`` is ``{predicate key: objects}`` (kept, not modified)."""
        out = self.out
        known = out.get(s)
        if known is None:
            out[s] = block
        else:  # a subject described twice (the record and an entity's description): merged into new collections
            merged = dict(known)
            for k, objects in block.items():
                have = merged.get(k)
                merged[k] = objects if have is None else {*have, *objects}
            out[s] = merged
        backwards, targeted = self._backwards, self._targeted
        for k, objects in block.items():
            if k in backwards:
                into = self.into
                for o in objects:
                    key = str(o) if type(o) is URIRef else _key(o)
                    by_p = into.get(key)
                    if by_p is None:
                        into[key] = {k: {s}}
                    else:
                        subjects = by_p.get(k)
                        if subjects is None:
                            by_p[k] = {s}
                        else:
                            subjects.add(s)
            if k in targeted:
                pairs = self.by_predicate.get(k)
                if pairs is None:
                    pairs = self.by_predicate[k] = []
                pairs.extend([(s, o) for o in objects])

    def objects(self, s, p: str):
        """The objects of ``s`` and predicate key ``p`` (a collection to read, not to modify)."""
        by_p = self.out.get(s)
        return by_p.get(p, _EMPTY) if by_p else _EMPTY

    def subjects(self, p: str, o):
        by_p = self.into.get(_key(o))
        return by_p.get(p, _EMPTY) if by_p else _EMPTY

    def is_instance(self, node, cls: str) -> bool:
        """SHACL instance: some rdf:type of ``node`` is the class ``cls`` (a key) or reaches it by rdfs:subClassOf."""
        classes = self._classes.get(node)
        if classes is None:
            classes = self._classes[node] = self._classes_of(node)
        return cls in classes

    def _classes_of(self, node) -> frozenset:
        """The keys of the classes ``node`` is an instance of."""
        if is_literal(node):
            return _EMPTY
        types = self.objects(node, _TYPE_KEY)
        if not types:
            return _EMPTY
        if self.closure is not None:
            above = self.closure.above
            found = set()
            for t in types:
                if type(t) is URIRef:  # as _key makes keys
                    key = str(t)
                    classes = above.get(key) or frozenset((key,))
                    if len(types) == 1:
                        return classes  # most nodes have one class
                    found.update(classes)
            return frozenset(found)
        return frozenset(_key(c) for t in types for c in self._superclasses(t) if type(c) is URIRef)

    def _superclasses(self, cls) -> set:
        """``cls`` and every class it reaches by rdfs:subClassOf in the data."""
        above = self._above.get(cls)
        if above is None:
            above, todo = {cls}, [cls]
            while todo:
                for parent in self.objects(todo.pop(), _SUBCLASS_KEY):
                    if parent not in above:
                        above.add(parent)
                        todo.append(parent)
            self._above[cls] = above
        return above

    def instances(self, cls) -> set:
        """The nodes typed ``cls`` (an IRI) or a subclass of it."""
        key = str(cls)
        if self.closure is not None:
            classes = self.closure.below.get(key) or (key,)
            into = self.into
            found = set()
            for c in classes:
                by_p = into.get(c)
                if by_p:
                    found.update(by_p.get(_TYPE_KEY, ()))
            return found
        classes, todo = {cls}, [cls]
        while todo:
            for sub in self.subjects(_SUBCLASS_KEY, todo.pop()):
                if sub not in classes:
                    classes.add(sub)
                    todo.append(sub)
        return {s for c in classes for s in self.subjects(_TYPE_KEY, c)}

    def triples(self, predicates: frozenset | None = None) -> Iterable[tuple]:
        """The triples (predicates as keys) whose predicate key is in ``predicates`` (all when None)."""
        if predicates is not None and predicates <= self._targeted:
            # indexed by predicate: no pass over the whole record (its evidence is a third of it)
            return [(s, p, o) for p in predicates for s, o in self.by_predicate.get(p, ())]
        return [(s, p, o) for s, by_p in self.out.items() for p, objects in by_p.items()
                if predicates is None or p in predicates for o in objects]

    def store(self, predicates: frozenset | None = None) -> ox.Store:
        """The triples in a pyoxigraph store (for sh:sparql), built on first use: only those whose predicate is in
        ``predicates`` when given (a constraint's query names every predicate it matches; loading the whole record
        for a query over time-spans cost more than the query)."""
        store = self._stores.get(predicates)
        if store is None:
            store = self._stores[predicates] = ox.Store()
            store.extend([ox.Quad(to_oxigraph(s), _ox_predicate(p), to_oxigraph(o))
                          for s, p, o in self.triples(predicates)])
        return store

    def rows(self, query: str, predicates: frozenset | None) -> dict:
        """A batched query's solutions, run once over the data: {pyoxigraph term bound to ?this: [solutions]}."""
        by_focus = self._rows.get(query)
        if by_focus is None:
            by_focus = self._rows[query] = {}
            solutions = self.store(predicates).query(query)
            names = solutions.variables
            for row in solutions:
                this = row["this"]
                if this is None:
                    raise _Unsupported("a batched SPARQL constraint with a solution that does not bind $this")
                by_focus.setdefault(this, []).append({v.value: row[v] for v in names if row[v] is not None})
        return by_focus


def _ox_predicate(p) -> ox.NamedNode | ox.BlankNode:
    """The pyoxigraph term of a predicate key (remembered by key: a few predicates, in every record)."""
    node = _OX_PREDICATES.get(p) if type(p) is str else None
    if node is None:
        node = to_oxigraph(URIRef(p) if type(p) is str else p)
        if type(p) is str and len(_OX_PREDICATES) < 1024:
            _OX_PREDICATES[p] = node
    return node


_OX_PREDICATES: dict = {}


_EMPTY: frozenset = frozenset()
_TYPE, _SUBCLASS = RDF.type, RDFS.subClassOf  # attribute look-ups on rdflib's RDF and RDFS are slow
_TYPE_KEY, _SUBCLASS_KEY = str(_TYPE), str(_SUBCLASS)
_TYPES = frozenset({_TYPE})
_DESCRIPTION_KEYS = frozenset(str(p) for p in _DESCRIPTION_PREDICATES)


# A compiled path: a function from a node to its value nodes (a collection without duplicates, read only).
_Path = Callable[[_Data, Node], Iterable]
# A compiled constraint: from the data, the focus node and its value nodes to a list of (focus, value, bindings)
# results; bindings are a SPARQL result's variables (None for core constraints).
_Check = Callable[[_Data, Node, Iterable], list]


@dataclass
class _Shape:
    node: Node
    severity: str
    message: str | None
    path: _Path | None = None
    path_text: str | None = None
    predicate: str | None = None  # the path's key when the path is one IRI (read straight from the index)
    checks: list = field(default_factory=list)  # (_Check, message override or None)
    properties: list = field(default_factory=list)  # the active ones (a deactivated shape gives no result)
    targets: dict = field(default_factory=dict)
    deactivated: bool = False
    # The simple constraints (counts, node kinds, sh:in, sh:hasValue and per-value tests) twice: as checks that say
    # what fails, and as the plain data ``passes`` tests in one call. Most value nodes pass, and a check per
    # constraint (a call and a list each) was most of the cost of shapes such as the annotations' (a record has
    # dozens of those).
    simple: list = field(default_factory=list)  # (_Check, None)
    low: int = 0
    high: int | None = None
    kinds: list = field(default_factory=list)  # tuples of Python types (sh:nodeKind)
    allowed: list = field(default_factory=list)  # sets of keys (sh:in; see _key)
    has: list = field(default_factory=list)  # nodes (sh:hasValue)
    tests: list = field(default_factory=list)  # (data, value) -> bool (sh:class, sh:datatype, sh:pattern, ...)
    # Known once compiled (_CompiledShapes._finish): whether no value node at all gives no result (most property
    # shapes of a record find no value on most focus nodes), and whether the simple constraints are all there is
    # (then ``passes`` says there is no result). A check that can report with no value (a qualified minimum
    # count, a SPARQL constraint) sets reports_empty.
    reports_empty: bool = False
    empty_ok: bool = False
    lean: bool = False
    # (data, values) -> whether the simple constraints give no result for the values (exactly when their checks
    # give none); made once compiled (_passes), for the constraints the shape has.
    passes: Callable = field(default=lambda data, values: True, repr=False)
    kind_only: tuple | None = None  # a node kind, when it is a lean node shape's only constraint

    def results(self, data: _Data, focus: Node) -> list:
        """The (focus, path, message, severity, value) results of this shape for one focus node."""
        if self.deactivated:
            return []
        # a node shape's one value node in a tuple: every check only counts, iterates or tests membership
        return self.report(data, focus, self.path(data, focus) if self.path is not None else (focus,))

    def report(self, data: _Data, focus: Node, values) -> list:
        """:meth:`results`, given the value nodes."""
        out = []
        checks = self.checks
        if self.simple and not self.passes(data, values):
            checks = self.simple + checks  # which of them fail, with their values
        for check, message in checks:
            for f, value, path_text, bindings in check(data, focus, values):
                text = message if message is not None else self.message
                if text is None:
                    raise _Unsupported(f"no sh:message on {self.node}")
                if bindings is not None:
                    text = _substitute(text, bindings)
                out.append((f, path_text or self.path_text, text, self.severity, value))
        if self.properties:
            index = data.out
            for f in values:
                by_p = index.get(f)
                for prop in self.properties:
                    key = prop.predicate
                    if key is None:
                        out.extend(prop.results(data, f))
                        continue
                    found = by_p.get(key, _EMPTY) if by_p else _EMPTY
                    if found:
                        if prop.lean and prop.passes(data, found):
                            continue
                    elif prop.empty_ok:
                        continue
                    out.extend(prop.report(data, f, found))
        return out

    def conforms(self, data: _Data, focus: Node) -> bool:
        """pySHACL's verdict for a nested shape (sh:or, sh:qualifiedValueShape): no result, or a lenient severity."""
        if self.severity != "Violation" or self.deactivated:
            return True
        values = self.path(data, focus) if self.path is not None else (focus,)
        if self.simple and not self.passes(data, values):
            return False
        for check, _ in self.checks:
            if check(data, focus, values):
                return False
        for prop in self.properties:
            key = prop.predicate
            for f in values:
                if key is not None and prop.lean and prop.severity == "Violation":
                    by_p = data.out.get(f)
                    if not prop.passes(data, by_p.get(key, _EMPTY) if by_p else _EMPTY):
                        return False
                elif not prop.conforms(data, f):
                    return False
        return True

    def focus_nodes(self, data: _Data) -> set:
        if not self.targets:
            return set()
        nodes, classes, subjects_of, objects_of = (self.targets.get(t, ()) for t in _TARGETS)
        found = set(nodes)
        for cls in classes:
            found.update(data.instances(cls))
        for p in subjects_of:
            found.update(map(_FIRST, data.by_predicate.get(_key(p), ())))
        for p in objects_of:
            found.update(map(_SECOND, data.by_predicate.get(_key(p), ())))
        return found


def _passes(shape: _Shape) -> Callable:
    """``shape.passes``: a function of the data and the value nodes that runs only the kinds of simple constraint
    the shape has (they run hundreds of times a record: a loop over empty lists costs more than their tests)."""
    low, high = shape.low, shape.high
    kinds, allowed, tests, has = tuple(shape.kinds), tuple(shape.allowed), tuple(shape.tests), tuple(shape.has)
    if high is None:
        high = sys.maxsize
    if not (kinds or allowed or tests or has):
        return lambda data, values: low <= len(values) <= high
    if len(kinds) == 1 and not (allowed or tests or has):
        kind = kinds[0]

        def all_of_kind(data, values) -> bool:
            if not low <= len(values) <= high:
                return False
            for v in values:
                if type(v) not in kind and not of_kind(v, kind):
                    return False
            return True
        return all_of_kind
    if len(tests) == 1 and not (kinds or allowed or has):
        test = tests[0]

        def tested(data, values) -> bool:
            if not low <= len(values) <= high:
                return False
            for v in values:
                if not test(data, v):
                    return False
            return True
        return tested

    def passes(data, values) -> bool:
        if not low <= len(values) <= high:
            return False
        for v in values:
            for k in kinds:
                if not of_kind(v, k):
                    return False
            for a in allowed:
                if (str(v) if type(v) is URIRef else v) not in a:  # _key, inline
                    return False
            for test in tests:
                if not test(data, v):
                    return False
        for value in has:
            if value not in values:
                return False
        return True
    return passes


_FIRST, _SECOND = itemgetter(0), itemgetter(1)
_NONE = ()  # no result


def _substitute(message: str, bindings: dict) -> str:
    for var, value in bindings.items():
        message = re.sub("{{[?$]{}}}".format(var), str(value), message)
    return message


class _CompiledShapes:
    """docket's shapes as Python checks; raises :class:`_Unsupported` for a feature it does not implement."""

    def __init__(self, shapes: Graph):
        self.graph = shapes
        self._compiled: dict = {}
        self._compiling: set = set()
        # The predicates (as _Data's keys) the checks read from object to subject (class instances, inverse paths),
        # and those of sh:targetSubjectsOf / sh:targetObjectsOf: _Data indexes only these both ways. _reads: the
        # predicates paths, targets and SPARQL constraints read (None among them: a query reads every predicate).
        self._backwards: set = {_TYPE_KEY, _SUBCLASS_KEY}
        self._sparql_predicates: set = set()
        self._reads: set = set()
        for cls in (RDFS.Class, OWL.Class):
            if any(shapes.subjects(RDF.type, cls)):
                raise _Unsupported("a shape that is also a class (implicit class target)")
        roots = sorted({s for t in _TARGETS for s in shapes.subjects(t, None)}, key=str)
        self.roots = [self._shape(node) for node in roots]
        for shape in self._compiled.values():
            self._finish(shape)
        self.backwards = frozenset(self._backwards)
        targets = {_key(p) for shape in self.roots for t in (SH.targetSubjectsOf, SH.targetObjectsOf)
                   for p in shape.targets.get(t, ())}
        self.targeted = frozenset(targets) | frozenset(self._sparql_predicates)
        # Whether rdfs:subClassOf triples are read other than through sh:class and sh:targetClass (which may read
        # the vocabulary's closure instead; see Validator._data).
        self.reads_subclasses = bool({_SUBCLASS_KEY, None} & (self._reads | targets))

    def validate(self, data: _Data) -> list:
        results = []
        for shape in self.roots:
            if shape.lean and shape.path is None and not shape.deactivated:
                # a node shape of simple constraints only (no blank nodes, entity IRIs): most focus nodes pass
                nodes = shape.focus_nodes(data)
                if shape.kind_only is not None:  # a focus node of one of the kinds' exact types passes
                    kinds = shape.kind_only
                    nodes = [f for f in nodes if type(f) not in kinds]
                for focus in nodes:
                    if not shape.passes(data, (focus,)):
                        results.extend(shape.results(data, focus))
                continue
            for focus in shape.focus_nodes(data):
                results.extend(shape.results(data, focus))
        return results

    @staticmethod
    def _finish(shape: _Shape) -> None:
        """What is known of a shape once every shape is compiled (see _Shape.empty_ok and lean)."""
        # a deactivated shape gives no result, and a deactivated property shape no failure to its node shape
        shape.properties = [p for p in shape.properties if not p.deactivated]
        shape.lean = not shape.checks and not shape.properties
        shape.empty_ok = shape.low == 0 and not shape.has and not shape.reports_empty
        shape.passes = _passes(shape)
        if shape.lean and len(shape.kinds) == 1 and not (shape.allowed or shape.tests or shape.has) \
                and shape.low <= 1 and (shape.high is None or shape.high >= 1):
            shape.kind_only = shape.kinds[0]

    # -- compiling
    def _one(self, node, predicate):
        values = list(self.graph.objects(node, predicate))
        if len(values) > 1:
            raise _Unsupported(f"more than one {predicate} on {node}")
        return values[0] if values else None

    def _shape(self, node) -> _Shape:
        if node in self._compiled:
            return self._compiled[node]
        if node in self._compiling:
            raise _Unsupported(f"recursive shape {node}")
        self._compiling.add(node)
        g = self.graph
        severity_node = self._one(node, SH.severity) or SH.Violation
        if severity_node not in _SEVERITIES:
            raise _Unsupported(f"custom severity {severity_node}")
        messages = list(g.objects(node, SH.message))
        if len(messages) > 1:
            raise _Unsupported(f"several sh:message on {node}")
        shape = _Shape(node, _SEVERITIES[severity_node], str(messages[0]) if messages else None)
        shape.deactivated = self._one(node, SH.deactivated) == Literal(True)
        path = self._one(node, SH.path)
        if path is not None:
            shape.path = self._path(path, top=True)
            shape.path_text = _path_text(g, path)
            if isinstance(path, URIRef):
                shape.predicate = str(path)
        handled = set(_INERT) | {SH.message, SH.severity, SH.deactivated, SH.path}
        for t in _TARGETS:
            values = list(g.objects(node, t))
            if values:
                if t != SH.targetNode and not all(isinstance(v, URIRef) for v in values):
                    raise _Unsupported(f"a target that is not an IRI on {node}")
                shape.targets[t] = values
            handled.add(t)
        shape.properties = [self._shape(p) for p in sorted(g.objects(node, SH.property), key=str)]
        handled.add(SH.property)
        for predicate in set(g.predicates(node, None)):
            if predicate in handled:
                continue
            maker = self._makers().get(predicate)
            if maker is None:
                raise _Unsupported(f"{predicate} on {node}")
            for value in g.objects(node, predicate):
                (shape.simple if predicate in _SIMPLE else shape.checks).extend(maker(node, value, shape))
        self._compiling.discard(node)
        self._compiled[node] = shape
        return shape

    def _makers(self) -> dict:
        return {
            SH.minCount: self._min_count, SH.maxCount: self._max_count, SH["class"]: self._class,
            SH.nodeKind: self._node_kind, SH.datatype: self._datatype, SH.minLength: self._min_length,
            SH.pattern: self._pattern, SH.flags: lambda *a: [], SH["in"]: self._in, SH.hasValue: self._has_value,
            SH["or"]: self._or, SH.qualifiedValueShape: self._qualified,
            SH.qualifiedMinCount: lambda *a: [], SH.qualifiedMaxCount: lambda *a: [],
            SH.qualifiedValueShapesDisjoint: self._disjoint, SH.sparql: self._sparql,
        }

    def _path(self, node, top: bool = False) -> _Path:
        g = self.graph
        if isinstance(node, URIRef):
            key = str(node)
            self._reads.add(key)
            return lambda data, f, p=key: data.objects(f, p)
        if (node, RDF.first, None) in g:
            steps = [self._path(step) for step in Collection(g, node)]
            if len(steps) < 2:
                raise _Unsupported("a sequence path of fewer than two steps")

            def sequence(data, f, steps=steps):
                current = {f}
                for step in steps:
                    current = {v for c in current for v in step(data, c)}
                return current
            return sequence
        inverse = self._one(node, SH.inversePath)
        if inverse is not None:
            if not isinstance(inverse, URIRef):
                raise _Unsupported("an inverse of a complex path")
            key = str(inverse)
            self._backwards.add(key)
            self._reads.add(key)
            return lambda data, f, p=key: data.subjects(p, f)
        alternatives = self._one(node, SH.alternativePath)
        if alternatives is not None:
            branches = [self._path(step) for step in Collection(g, alternatives)]
            if len(branches) < 2:
                raise _Unsupported("an alternative path of fewer than two paths")
            return lambda data, f, branches=branches: set().union(*(b(data, f) for b in branches))
        for operator, with_focus, repeat in (
            (SH.zeroOrOnePath, True, False), (SH.zeroOrMorePath, True, True), (SH.oneOrMorePath, False, True)
        ):
            inner = self._one(node, operator)
            if inner is not None:
                return self._repeat(self._path(inner), with_focus, repeat)
        raise _Unsupported(f"path {node}")

    @staticmethod
    def _repeat(inner: _Path, with_focus: bool, repeat: bool) -> _Path:
        def walk(data, f):
            found = {f} if with_focus else set()
            if not repeat:
                return found.union(inner(data, f))
            todo = set(inner(data, f))
            while todo:
                node = todo.pop()
                if node not in found:
                    found.add(node)
                    todo.update(inner(data, node))
            return found
        return walk

    # -- constraints: each returns a list of (_Check, message override)
    @staticmethod
    def _each(test, shape: _Shape | None = None) -> list:
        """A constraint that reports each value node failing ``test(data, value)`` (value reported); given the
        ``shape``, the test is one of those its ``passes`` runs."""
        if shape is not None:
            shape.tests.append(test)

        def check(data, f, values):
            failed = _NONE  # a loop, not a list comprehension: most values pass, and a comprehension is a call
            for v in values:
                if not test(data, v):
                    failed = [*failed, (f, v, None, None)]
            return failed
        return [(check, None)]

    def _min_count(self, node, value, shape):
        n = int(value)
        shape.low = max(shape.low, n)
        return [(lambda data, f, values: [] if len(values) >= n else [(f, None, None, None)], None)]

    def _max_count(self, node, value, shape):
        n = int(value)
        shape.high = n if shape.high is None else min(shape.high, n)
        return [(lambda data, f, values: [] if len(values) <= n else [(f, None, None, None)], None)]

    def _class(self, node, cls, shape):
        if not isinstance(cls, URIRef):
            raise _Unsupported(f"sh:class {cls}")
        key = str(cls)

        def test(data, v):  # _Data.is_instance, its remembered answers read here (a call less per value)
            classes = data._classes.get(v)
            return key in classes if classes is not None else data.is_instance(v, key)
        return self._each(test, shape)

    def _node_kind(self, node, kind, shape):
        if kind not in _NODE_KINDS:
            raise _Unsupported(f"sh:nodeKind {kind}")
        kinds = _NODE_KINDS[kind]
        shape.kinds.append(kinds)
        return self._each(lambda data, v: of_kind(v, kinds))

    def _datatype(self, node, datatype, shape):
        if datatype in (RDFS.Literal, RDFS.Datatype):
            raise _Unsupported(f"sh:datatype {datatype}")
        types = _PYTHON_TYPES.get(datatype)

        def test(data, v):
            if not is_literal(v):
                return False
            if v.datatype == datatype:
                if getattr(v, "ill_typed", None) is True:
                    return False
            elif not (v.datatype is None and (
                    (v.language is None and datatype == XSD.string) or (v.language and datatype == RDF.langString))):
                return False
            return types is None or isinstance(v.value, types)
        return self._each(test, shape)

    def _min_length(self, node, value, shape):
        n = int(value)
        if n < 0:
            raise _Unsupported("negative sh:minLength")
        return self._each(lambda data, v: n == 0 or (not is_bnode(v) and len(_string(v)) >= n), shape)

    def _pattern(self, node, value, shape):
        flags = self._one(node, SH.flags)
        re_flags = 0
        for letter in str(flags or ""):
            re_flags |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}.get(letter, 0)
            if letter not in "imsx":
                raise _Unsupported(f"sh:flags {flags}")
        pattern = re.compile(str(value), re_flags)
        return self._each(lambda data, v: not is_bnode(v) and bool(pattern.search(_string(v))), shape)

    def _in(self, node, members, shape):
        allowed = set(Collection(self.graph, members))
        shape.allowed.append(frozenset(_key(m) for m in allowed))  # passes tests keys (see _key)
        return self._each(lambda data, v: v in allowed)

    def _has_value(self, node, value, shape):
        shape.has.append(value)
        return [(lambda data, f, values: [] if value in values else [(f, None, None, None)], None)]

    def _or(self, node, members, shape):
        alternatives = [self._shape(m) for m in Collection(self.graph, members)]
        if not alternatives:
            raise _Unsupported("empty sh:or")
        def test(data, v):
            for alternative in alternatives:  # a loop, not any(): a generator per value node costs more
                if alternative.conforms(data, v):
                    return True
            return False
        return self._each(test)

    def _qualified(self, node, value, shape):
        inner = self._shape(value)
        low, high = self._one(node, SH.qualifiedMinCount), self._one(node, SH.qualifiedMaxCount)
        low = None if low is None else int(low)
        high = None if high is None else int(high)

        shape.reports_empty = shape.reports_empty or bool(low)

        def check(data, f, values):
            n = sum(1 for v in values if inner.conforms(data, v))
            out = []
            if high is not None and n > high:
                out.append((f, None, None, None))
            if low is not None and n < low:
                out.append((f, None, None, None))
            return out
        return [(check, None)]

    def _disjoint(self, node, value, shape):
        if value != Literal(False):
            raise _Unsupported("sh:qualifiedValueShapesDisjoint")
        return []

    def _sparql(self, node, constraint, shape):
        g = self.graph
        allowed = {RDF.type, SH.select, SH.message, RDFS.comment, RDFS.label}
        extra = set(g.predicates(constraint, None)) - allowed
        if extra:
            raise _Unsupported(f"{sorted(extra)} on a SPARQL constraint")
        select, messages = self._one(constraint, SH.select), list(g.objects(constraint, SH.message))
        if select is None or len(messages) != 1 or shape.message is not None or "$" in str(select).replace("$this", ""):
            raise _Unsupported("a SPARQL constraint other than one SELECT with one message on a shape without one")
        query, is_property_shape = str(select), self._one(node, SH.path) is not None
        predicates = _query_predicates(query)
        if predicates is not None:
            predicates = frozenset(str(p) for p in predicates)
            self._sparql_predicates.update(predicates)  # _Data indexes them by predicate
            self._reads.update(predicates)
        else:
            self._reads.add(None)
        shape.reports_empty = True  # the query does not read the value nodes
        batched = _batchable(query)

        def check(data, f, values):
            if batched:
                solutions = data.rows(query, predicates).get(to_oxigraph(f), ())
            else:
                result = data.store(predicates).query(query, substitutions={ox.Variable("this"): to_oxigraph(f)})
                solutions = [{v.value: row[v] for v in result.variables if row[v] is not None} for row in result]
            found, out = [], []
            for solution in solutions:
                bound = {name: to_rdflib(term) for name, term in solution.items()}
                if "failure" in bound:
                    raise _Unsupported("?failure in a SPARQL constraint")
                p, v, t = bound.pop("path", None), bound.pop("value", None), bound.pop("this", None)
                if p is None and v is None and t is None or (t, p, v, bound) in found:
                    continue
                found.append((t, p, v, bound))
                value = v if v is not None else (None if is_property_shape else f)
                names = dict(bound)
                for name, term in (("this", t), ("path", p), ("value", value)):
                    if term is not None:
                        names[name] = term
                out.append((t or f, value, _curie(p) if isinstance(p, URIRef) else None, names))
            return out
        return [(check, str(messages[0]))]


def _query_predicates(query: str) -> frozenset | None:
    """The predicates a constraint's query can match, or None (load everything) when it has a variable predicate,
    a property path, prefixed names or "a". docket's queries write full IRIs in predicate position."""
    pattern = query[query.find("{"):]  # the projection ("SELECT $this ?value ?begin") is not a triple pattern
    if re.search(r"[?$]\w+\s+[?$]\w+\s+[?$]\w+|\sa\s|[|/^*+]\s*<|>\s*[|/*+]|\b\w+:\w", pattern):
        return None
    return frozenset(URIRef(iri) for iri in re.findall(r"<([^<>\s]+)>", query))


def _batchable(query: str) -> bool:
    """Whether running ``query`` once with $this unbound and keeping each focus node's solutions (those binding
    ?this to it) gives exactly the solutions of running it with $this bound to that focus node: one pass over the
    record instead of one per focus node (a record has a few time-spans, and a query costs more than the data).

    That holds for a SELECT that projects ?this over one group without nested groups (no OPTIONAL, UNION, MINUS,
    EXISTS, VALUES or subqueries), whose first triple pattern binds ?this as a subject (so every solution binds
    it, to a node of the data, before any BIND reads it), with plain IRIs as predicates (no zero-length path
    matching a focus node outside the data), nothing after the group (no LIMIT, ORDER BY, GROUP BY), and no
    function whose value changes between runs. Anything else runs once per focus node."""
    head, brace, rest = query.partition("{")
    body, close, tail = rest.rpartition("}")
    if not brace or not close or tail.strip() or "{" in body or "}" in body:
        return False
    projection = re.fullmatch(r"\s*SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?((?:[?$]\w+\s+)*[?$]\w+|\*)\s*(?:WHERE\s*)?",
                              head, re.IGNORECASE)
    if projection is None or not (projection.group(1) == "*" or re.search(r"[?$]this\b", projection.group(1))):
        return False
    if not re.match(r"\s*[?$]this\s+<[^<>\s]+>", body) or _query_predicates(query) is None:
        return False
    return not re.search(r"\bAS\s+[?$]this\b|\b(?:RAND|NOW|UUID|STRUUID|BNODE)\s*\(|[>)]\s*\?(?!\w)|\)\s*[*+]|!",
                         body, re.IGNORECASE)


# Looked up once: an attribute of rdflib's RDF or XSD namespace costs microseconds, and _string runs per value node.
_STRING_DATATYPES = (None, RDF.langString, XSD.string)


def _string(v) -> str:
    """pySHACL's string form of a value node for sh:minLength and sh:pattern."""
    if type(v) is URIRef:
        return str(v)
    if is_literal(v) and v.value is not None and v.datatype in _STRING_DATATYPES:
        return str(v.value)
    return str(v)


def _results_report(results: list) -> Report:
    """A :class:`Report` of the compiled engine's (focus, path, message, severity, value) results."""
    return _sorted_report(
        Finding(_node_text(focus), path, message, severity, None if value is None else _node_text(value))
        for focus, path, message, severity, value in results
    )


def _sorted_report(findings: Iterable[Finding]) -> Report:
    """Findings split by severity and sorted for stable output."""
    violations, warnings = [], []
    for finding in findings:
        (violations if finding.severity == "Violation" else warnings).append(finding)
    order = lambda f: (f.focus, f.path or "", f.message, f.value or "")  # noqa: E731
    return Report(not violations, sorted(violations, key=order), sorted(warnings, key=order))


def _parse_shapes(base: str) -> Graph:
    """All ``shapes/*.ttl`` in one graph; relative concept IRIs resolve against ``base``."""
    graph = Graph()
    for f in sorted((f for f in shapes_dir().iterdir() if f.name.endswith(".ttl")), key=lambda f: f.name):
        with f.open("rb") as stream:
            graph.parse(stream, format="turtle", publicID=base)
    return graph


def _superclass_triples(ontology: Graph) -> dict[Node, tuple]:
    """For each class: the rdfs:subClassOf triples on every path up from it (what sh:class needs to see)."""
    closure: dict[Node, tuple] = {}
    for cls in set(ontology.subjects(RDFS.subClassOf, None)):
        triples, todo, seen = [], [cls], set()
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            for parent in ontology.objects(current, RDFS.subClassOf):
                triples.append((current, RDFS.subClassOf, parent))
                todo.append(parent)
        closure[cls] = tuple(triples)
    return closure


def _descriptions(vocab: Graph) -> dict[Node, tuple]:
    """For each concept and language of the vocabularies: its type, labels and scheme triples."""
    described = {s for s in vocab.subjects(SKOS.inScheme, None)}
    return {
        node: tuple((node, p, o) for p in _DESCRIPTION_PREDICATES for o in vocab.objects(node, p))
        for node in described
    }


def _report(report_graph: Graph) -> Report:
    """Turn pySHACL's report graph into a :class:`Report`."""
    return _sorted_report(_finding(report_graph, result) for result in report_graph.objects(None, SH.result))


def _finding(report: Graph, result: Node) -> Finding:
    path = report.value(result, SH.resultPath)
    value = report.value(result, SH.value)
    message = report.value(result, SH.resultMessage)
    return Finding(
        focus=_node_text(report.value(result, SH.focusNode)),
        path=_path_text(report, path) if path is not None else None,
        message=str(message) if message is not None else "does not conform",
        severity=_SEVERITIES.get(report.value(result, SH.resultSeverity), "Violation"),
        value=None if value is None else _node_text(value),
    )


def _path_text(report: Graph, path: Node) -> str:
    """A SHACL property path as compact text: ``crm:P94i_was_created_by / crm:P4_has_time-span``."""
    if isinstance(path, URIRef):
        return _curie(path)
    if (path, RDF.first, None) in report:
        return " / ".join(_path_text(report, step) for step in Collection(report, path))
    for operator, template in _PATH_OPERATORS.items():
        inner = report.value(path, operator)
        if inner is not None:
            return template.format(_path_text(report, inner))
    alternatives = report.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + " | ".join(_path_text(report, step) for step in Collection(report, alternatives)) + ")"
    return str(path)


def _node_text(node: Node) -> str:
    if isinstance(node, Literal):
        return str(node)
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def _curie(iri: URIRef) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return str(iri)
