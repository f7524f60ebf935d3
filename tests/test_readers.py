"""Tests for ld.readers: the whole corpus against its ground truth, the JSON format, and refused inputs."""

import json

import pytest

from conftest import shared_dir
from ld.errors import RecordError
from ld.readers import DEFAULT_MAX_BYTES, read_bytes, read_path

CORPUS = shared_dir() / "corpus"
RECORDS = sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []

SCALARS = ["title", "date_iso", "summary", "source_citation", "original_archive", "classification", "record_id",
           "language", "translator"]
# Record attribute -> ground-truth key of the metadata sections.
SECTIONS = {"authors": "authors", "associated": "associated_people_orgs", "contributors": "document_contributors",
            "places": "places", "subjects": "subjects"}

_SEARCH_LISTING = "ground-truth summary comes from a search listing; the stored text stops part-way and prints none"
_FROM_URL = "ground-truth record ID comes from the page URL; the text does not print it"
# Ground-truth values the text cannot give (or that look wrong); the tests stay strict so a change shows up.
KNOWN = {
    ("cable-339-czechoslovak-embassy-havana-1962-10-31", "summary"): _SEARCH_LISTING,
    ("cable-terebin-stalin-kuznetsov-1948-07-17", "summary"): _SEARCH_LISTING,
    ("diary-stepanov-mamaladze-shevardnadze-kim-yong-nam-1986-01-20", "summary"): _SEARCH_LISTING,
    ("kohl-meeting-kwasniewski-chancellors-office-1996-01-10", "summary"): _SEARCH_LISTING,
    ("tsedenbal-diary-conversation-mikoyan-1956-02-24", "summary"): _SEARCH_LISTING,
    ("composition-chinese-delegation-asian-african-conference-1955-03-31", "record_id"): _FROM_URL,
    ("telegram-dobrynin-ussr-mfa-robert-kennedy-1962-10-24", "record_id"): _FROM_URL,
    ("telegram-washington-bucharest-084504-1973-06-07", "record_id"): _FROM_URL,
    ("kohl-meeting-kwasniewski-chancellors-office-1996-01-10", "language"):
        "ground-truth language is inferred from the German text; the record has no Language section",
    ("kohl-conversation-guterres-1997-10-22", "classification"):
        "ground truth says null, but the memorandum is marked 'for internal use only' (line 4)",
    ("report-kieran-cremin-poland-policy-uno-1957-12-12", "classification"):
        "ground truth says null, but the report is marked CONFIDENTIAL (line 4)",
}


def _norm(value):
    """Whitespace-normalised strings (lists item by item); other values unchanged."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, (list, tuple)):
        return [_norm(item) for item in value]
    return value


def _got(record, field):
    if field == "date_iso":
        return record.date.iso
    if field == "funders":
        return list(record.funders)
    return getattr(record, field)


def _cases():
    for path in RECORDS:
        truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        fields = [*SCALARS, *(["funders"] if "funders" in truth else [])]
        # Hand-annotated entity lists ("entities_from") are not the record's sections, so they are not compared.
        if "entities_from" not in truth:
            fields += [attr for attr, key in SECTIONS.items() if key in truth]
        for field in fields:
            reason = KNOWN.get((path.stem, field))
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            yield pytest.param(path, field, id=f"{path.stem}-{field}", marks=marks)


@pytest.fixture(scope="module")
def corpus_records():
    return {path: read_path(path) for path in RECORDS}


@pytest.mark.skipif(not RECORDS, reason="shared corpus not available")
@pytest.mark.parametrize(("path", "field"), list(_cases()))
def test_corpus_field_matches_ground_truth(corpus_records, path, field):
    truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    expected = truth[SECTIONS.get(field, field)]
    got = _got(corpus_records[path], field)
    if field == "classification":
        got, expected = (v.lower() if v else v for v in (got, expected))
    assert _norm(got) == _norm(expected)


@pytest.mark.skipif(not RECORDS, reason="shared corpus not available")
def test_corpus_records_have_bodies_and_checksums(corpus_records):
    for path, record in corpus_records.items():
        assert record.text.strip(), path.name
        assert record.checksum.startswith("sha256:") and len(record.checksum) == 7 + 64
        assert record.source == path.name
        # Nothing of the summary or metadata leaks into the body.
        assert "Document Information" not in record.text
        if record.summary:
            assert record.summary.split("\n")[0] not in record.text


# --- the text layout on small made-up records ---------------------------------------------------------------------

def _read(text: str, source: str = "x.txt"):
    return read_bytes(text.encode("utf-8"), source)


def test_summary_absent_when_text_stops_part_way():
    record = _read("May 1, 1960\nA title\nFirst line of the body.\nThe text breaks off in the mid")
    assert record.summary is None
    assert record.text.endswith("in the mid")


def test_first_person_last_line_is_body_not_summary():
    record = _read("May 1, 1960\nA title\nWe met the minister.\nHe told me that the talks were over, he said.\n")
    assert record.summary is None


def test_summary_before_metadata_and_labels_without_values():
    record = _read(
        "May 1, 1960\nA title\nThis document was made possible with support from the Example Fund\nBody line.\n"
        "The ambassador reports on his talks with the minister about trade.\nAssociated Places\nSource\n"
        "Original Archive\nRights\nSome rights boilerplate.\nRecord ID\n42\nDonors\nOther Trust\nExample Fund\n")
    assert record.summary == "The ambassador reports on his talks with the minister about trade."
    assert record.text == "Body line."
    assert record.places == () and record.source_citation is None
    assert (record.record_id, record.rights) == ("42", "Some rights boilerplate.")
    assert record.funders == ("Example Fund", "Other Trust")


def test_unlabelled_source_and_rights_under_document_information():
    record = _read(
        "May 1, 1960\nA title\nBody.\n\nThe minister reports on the talks in the capital.\n\nDocument Information\n\n"
        "Archive X, f. 1, op. 2, d. 3. Translated by Ann Smith.\n\nThe History and Public Policy Program welcomes "
        "reuse of Digital Archive materials.\n")
    assert record.source_citation == "Archive X, f. 1, op. 2, d. 3. Translated by Ann Smith."
    assert record.translator == "Ann Smith"
    assert record.rights.startswith("The History and Public Policy Program welcomes reuse")


@pytest.mark.parametrize(
    ("citation", "translator"),
    [
        ("AVP RF, copy courtesy of NSA; translation by Mark H. Doctoroff", "Mark H. Doctoroff"),
        ("Folder no. 1495. Obtained and translated for NKIDP by Eliza Gheorghe.", "Eliza Gheorghe"),
        ("BArch, B 136/59748. Contributed, transcribed, and translated by Stephan Kieninger.", "Stephan Kieninger"),
        ("PRC FMA 207-00004-11, 77. Obtained by Amitav Acharya and translated by Yang Shanhou.", "Yang Shanhou"),
        ("Nehru Memorial Museum and Library, File No. JNSG, vol. 21-1.", None),
    ],
)
def test_translator_from_citation(citation, translator):
    from ld.readers.text import translator_from_citation

    assert translator_from_citation(citation) == translator


def test_original_classification_section_wins_over_marking():
    record = _read("May 1, 1960\nA title\nSecret\nBody.\nThe minister reports on trade talks with the envoy.\n"
                   "Document Information\nOriginal Classification\nTop Secret\n")
    assert record.classification == "Top Secret"
    assert record.apparatus.classification == "Secret"


# --- refused and repaired inputs ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty file"),
        (b"  \n\r\n\t", "empty file"),
        (b"May 1, 1960\x00\x01\x02binary", "binary file"),
        (bytes(range(1, 32)) * 20, "binary file"),
        (b"A Title Without Date\nBody text.", "line 1: no date line"),
        (b"Foo 32, 19x5\nA title\nBody.", "line 1: cannot read date 'Foo 32, 19x5'"),
        (b"May 1, 1960\n\nBody after an empty title line.", "line 2: no title"),
        (b"May 1, 1960", "no title"),
    ],
)
def test_bad_inputs_are_refused_naming_the_problem(data, problem):
    with pytest.raises(RecordError) as caught:
        read_bytes(data, "bad.txt")
    assert caught.value.source == "bad.txt"
    assert problem in caught.value.reason
    assert "\n" not in caught.value.reason


def test_oversized_input_is_refused(tmp_path):
    data = b"May 1, 1960\nTitle\n" + b"x" * 200
    with pytest.raises(RecordError, match="too large"):
        read_bytes(data, "big.txt", max_bytes=100)
    path = tmp_path / "big.txt"
    path.write_bytes(data)
    with pytest.raises(RecordError, match="too large"):
        read_path(path, max_bytes=100)
    assert DEFAULT_MAX_BYTES == 5 * 1024 * 1024


def test_cp1252_is_decoded_with_a_notice():
    record = read_bytes("May 1, 1960\nCafé Müller’s cable\nBody – text.\n".encode("cp1252"), "old.txt")
    assert record.title == "Café Müller’s cable"
    assert record.notices == ("not UTF-8; decoded as cp1252",)


def test_undefined_cp1252_bytes_fall_back_to_latin1():
    record = read_bytes(b"May 1, 1960\nTitle \x81\nBody.\n", "odd.txt")
    assert "latin-1" in record.notices[0]


def test_bom_and_line_endings_are_normalised():
    data = "\ufeffMay 1, 1960\r\nA title\r\nBody one.\rBody two.\r\n".encode("utf-8")
    record = read_bytes(data, "bom.txt")
    assert (record.date.iso, record.title, record.text) == ("1960-05-01", "A title", "Body one.\nBody two.")
    assert record.notices == ()


def test_checksum_is_of_the_raw_bytes():
    import hashlib

    data = b"May 1, 1960\nA title\nBody.\n"
    assert read_bytes(data, "a.txt").checksum == "sha256:" + hashlib.sha256(data).hexdigest()


# --- JSON records --------------------------------------------------------------------------------------------------

def _json(source="r.json", **fields):
    base = {"date": "December 6, 1955", "title": "Journal"}
    return read_bytes(json.dumps({**base, **fields}).encode("utf-8"), source)


def test_json_record_fields():
    record = _json(date_iso="1955-12-06", summary="S.", people=["Nam Il"], organizations=["KWP CC"],
                   places=["DPRK"], subjects=["Korea"], source_citation="Archive; translated by Ann Smith.",
                   record_id=1234, funders=["Fund A"], donors=["Fund B"], text="Secret\nCopy Nº 3\nBody.",
                   original_uploaded_date="2023-10-02", notes="ignored")
    assert (record.title, record.date.iso, record.summary) == ("Journal", "1955-12-06", "S.")
    assert record.associated == ("Nam Il", "KWP CC")
    assert (record.record_id, record.translator) == ("1234", "Ann Smith")
    assert record.funders == ("Fund A", "Fund B")
    assert record.classification == "Secret" and record.apparatus.copy_number == "3"
    assert record.uploaded.iso == "2023-10-02"


def test_json_sniffed_without_suffix():
    assert _json(source="record").title == "Journal"


@pytest.mark.skipif(not RECORDS, reason="shared corpus not available")
def test_ground_truth_files_read_as_json_records():
    for path in RECORDS:
        record = read_path(path.with_suffix(".json"))
        truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        assert (record.title, record.date.iso, record.translator) == (truth["title"], truth["date_iso"],
                                                                      truth["translator"])


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"title": ["x"]}, "field 'title': expected a string, got a list"),
        ({"title": "  "}, "field 'title': missing or empty"),
        ({"date": None}, "field 'date': missing or empty"),
        ({"date": "Foo 32, 19x5"}, "field 'date': cannot read date"),
        ({"date_iso": "1955-12-07"}, "field 'date_iso': '1955-12-07' disagrees"),
        ({"places": "DPRK"}, "field 'places': expected a list of strings, got a string"),
        ({"subjects": ["a", 3]}, "field 'subjects': item 1 is a number"),
        ({"record_id": True}, "field 'record_id': expected a string, got a boolean"),
    ],
)
def test_json_field_errors_name_the_field(fields, problem):
    with pytest.raises(RecordError) as caught:
        _json(**fields)
    assert problem in caught.value.reason


@pytest.mark.parametrize(("data", "problem"), [(b"{not json", "not valid JSON: line 1"), (b"[1, 2]", "expected an object")])
def test_json_document_errors(data, problem):
    with pytest.raises(RecordError, match=problem):
        read_bytes(data, "bad.json")
