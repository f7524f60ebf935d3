"""Validate a record's graph against docket's SHACL shapes (``shapes/*.ttl``) and report what is wrong, for people.

Settings follow MODEL.md: pySHACL without inference (with RDFS inference CRM's ranges would make every P2 value a
type and every title an identifier, so such checks could never fail), with the CRM class hierarchy and the vocabulary
concepts available, so ``sh:class crm:E39_Actor`` accepts an ``E21_Person`` and ``sh:class skos:Concept`` accepts a
concept of ``vocab/``.

That ontology context is added here rather than through pySHACL's ``ont_graph``: pySHACL copies only RDFS/OWL axioms
from ``ont_graph`` (not the concepts' ``rdf:type skos:Concept``) and walks the whole ontology on every call. Instead
the validator adds, per record, just the superclass chains of the classes the record uses and the descriptions of
the concepts and entities it links to (about a hundred triples), which keeps one validation at a few milliseconds.

Non-conformance is a result (:class:`Report`), not an exception; only broken input raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from pyshacl.graph_abstraction import DataGraph
from pyshacl.monkey import apply_patches
from pyshacl.shapes_graph import ShapesGraph
from pyshacl.validator import Validator as ShaclRun
from rdflib import RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from ld.iris import DEFAULT_BASE_URI, check_base_uri
from ld.namespaces import PREFIXES, SH
from ld.resources import shapes_dir
from ld.vocab import load_vocabulary

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
    """docket's SHACL validator: shapes and ontology context are read once, at construction, for one base URI."""

    def __init__(self, base: str = DEFAULT_BASE_URI):
        self.base = check_base_uri(base)
        _speed_up_pyshacl()
        self.shapes = _parse_shapes(self.base)
        # pySHACL's validate() wraps the shapes in a new ShapesGraph, and harvests the shapes again, on every call;
        # one harvested ShapesGraph is kept instead and handed to each run.
        self._shapes_graph = ShapesGraph(self.shapes)
        self._shapes_graph.shapes  # noqa: B018 (the property harvests and caches the shapes)
        vocabulary = load_vocabulary(self.base)
        self._superclasses = _superclass_triples(vocabulary.graph)
        self._descriptions = _descriptions(vocabulary.graph)

    def validate(self, graph: Graph, entities: Graph | None = None) -> Report:
        """Validate ``graph`` (one record's graph) and return a :class:`Report`.

        ``entities`` is the entities graph (or any graph holding the descriptions of the persons, groups, places and
        subject concepts the record links to): their classes and labels are needed for checks such as "an author is
        a person or group". ``graph`` is not modified.
        """
        data = self._with_context(graph, entities)
        run = ShaclRun(DataGraph.from_rdflib(data), shacl_graph=self.shapes, options=dict(_OPTIONS))
        run.shacl_graph = self._shapes_graph
        _, report_graph, _ = run.run()
        return _report(report_graph)

    def _with_context(self, graph: Graph, entities: Graph | None) -> Graph:
        """A copy of ``graph`` plus the descriptions of linked concepts and entities and the superclass chains."""
        context: set = set()
        for node in {o for o in graph.objects() if isinstance(o, URIRef)}:
            context.update(self._descriptions.get(node, ()))
            if entities is not None:
                context.update(
                    (node, predicate, value)
                    for predicate in _DESCRIPTION_PREDICATES
                    for value in entities.objects(node, predicate)
                )
        classes = set(graph.objects(None, RDF.type))
        classes.update(o for _, p, o in context if p == RDF.type)
        for cls in classes:
            context.update(self._superclasses.get(cls, ()))
        data = _QueryCachingGraph()
        for triple in graph:
            data.add(triple)
        for triple in context:
            data.add(triple)
        return data


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


class _SetBackedList(list):
    """A list whose ``in`` is a set look-up (same items, same order, same list behaviour otherwise)."""

    def __init__(self, items):
        super().__init__(items)
        self._members = frozenset(items)

    def __contains__(self, item) -> bool:
        return item in self._members


def _speed_up_pyshacl() -> None:
    """Make pySHACL's constraint look-up a set look-up; results are unchanged.

    For every shape on every run pySHACL tests each of the shape's predicates for membership in a *list* of about
    40 constraint parameters (``pyshacl/shape.py``, ``CONSTRAINT_PARAMS``): half a million URIRef comparisons, a
    third of the time of one record's validation. The module caches that list on first use; pre-seeding the cache
    with a set-backed list of the same parameters removes the cost. Checked against pyshacl 0.40.
    """
    import pyshacl.shape as shape_module
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    parameters = getattr(shape_module, "CONSTRAINT_PARAMS", (None, None))[0]
    apply_patches()  # what pyshacl.validate() does before each run; idempotent
    if not isinstance(parameters, _SetBackedList):
        shape_module.CONSTRAINT_PARAMS = (_SetBackedList(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)


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
    """Turn pySHACL's report graph into a :class:`Report`, findings sorted for stable output."""
    violations, warnings = [], []
    for result in report_graph.objects(None, SH.result):
        finding = _finding(report_graph, result)
        (violations if finding.severity == "Violation" else warnings).append(finding)
    order = lambda f: (f.focus, f.path or "", f.message, f.value or "")  # noqa: E731
    return Report(conforms=not violations, violations=sorted(violations, key=order), warnings=sorted(warnings, key=order))


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
