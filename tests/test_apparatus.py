"""Tests for ld.apparatus: the example journal record, other corpus shapes, and lines that must *not* be read."""

from datetime import datetime

import pytest

from conftest import shared_dir
from ld.apparatus import classification_in_title, read_apparatus
from ld.dates import parse_date
from ld.readers import read_path

EXAMPLE = "journal-ivanov-1955-12-06.txt"


@pytest.fixture(scope="module")
def example():
    path = shared_dir() / "corpus" / EXAMPLE
    if not path.exists():
        pytest.skip(f"corpus record {EXAMPLE} not available")
    return read_path(path).apparatus


def test_example_markings(example):
    assert example.classification == "Secret"
    assert example.copy_number == "3"
    assert example.copies_total == 4
    assert example.issuer == "SOVIET EMBASSY IN THE DPRK"
    assert example.drafted_by == "Ivanov"


def test_example_outgoing_number(example):
    assert example.outgoing.number == "854"
    assert example.outgoing.date.iso == "1955-12-21"


def test_example_stamp(example):
    (stamp,) = example.stamps
    assert stamp.number == "4865s"
    assert stamp.date.iso == "1955-12-31"
    assert stamp.office == "USSR MFA Far East Department"
    assert "[[4865]]s" in stamp.text


def test_example_distribution(example):
    assert [(d.copy, d.recipient, d.to_file) for d in example.distribution] == [
        (1, "Molotov", False), (2, "Fedorenko", False), (3, "Kurdyukov", False), (4, None, True),
    ]


def test_example_covered_period(example):
    period = example.covered_period
    assert (period.begin, period.end) == (datetime(1955, 12, 4), datetime(1955, 12, 15, 23, 59, 59))


REF = parse_date("June 29, 1977")


@pytest.mark.parametrize(
    ("line", "marking"),
    [
        ("Top Secret", "Top Secret"),
        ("Secret.", "Secret"),
        ("CONFIDENTIAL", "CONFIDENTIAL"),
        ("Strictly secret", "Strictly secret"),
        ("SECRET, copy No. 2", "SECRET"),
        ("M e m o r a n d u m - for internal use only", "for internal use only"),
    ],
)
def test_marking_lines_near_the_top(line, marking):
    assert read_apparatus(f"Heading\n{line}\nText of the document.", REF).classification == marking


@pytest.mark.parametrize(
    "body",
    [
        "The situation remains secret and confidential, he said.",  # words in a sentence
        "[Stamp: SECRET\nIncoming Nº 12\n7 February 1956]\nText.",  # the receiver's stamp, not the document's marking
        "\n".join(["Line of text."] * 20 + ["Secret"]),  # far from the top
    ],
)
def test_no_marking_is_invented(body):
    assert read_apparatus(body, REF).classification is None


@pytest.mark.parametrize(
    ("line", "copy", "total"),
    [("Copy Nº 3", "3", None), ("Copy No. 1", "1", None), ("copy 2", "2", None), ("Copy 19 of 50", "19", 50),
     ("No. 2 of 40 copies", "2", 40), ("Only copy", None, 1)],
)
def test_copy_numbers(line, copy, total):
    found = read_apparatus(f"{line}\nText.", REF)
    assert (found.copy_number, found.copies_total) == (copy, total)


@pytest.mark.parametrize("line", ["Copy sent to P.R./UN.", "Copy filed on 417/153", "Making Copies Prohibited"])
def test_copy_phrases_that_are_not_numbers(line):
    assert read_apparatus(f"{line}\nText.", REF).copy_number is None


def test_copies_printed_and_outgoing_with_blank_lines():
    body = "Text.\n\nNº 2395\n\n12 October 1950.\n\nTwo copies printed. Nº 2 to file."
    found = read_apparatus(body, parse_date("October 12, 1950"))
    assert found.copies_total == 2
    assert (found.outgoing.number, found.outgoing.date.iso) == ("2395", "1950-10-12")


def test_number_without_date_line_is_not_an_outgoing_number():
    assert read_apparatus("In addition to my Nº 2390.\nNº 17\nThe text goes on.", REF).outgoing is None


def test_numbered_paragraphs_are_not_a_distribution_list():
    body = "1. The formation of the delegation.\n2. Two plans on the representatives.\n3. Suggest a secretary."
    assert read_apparatus(body, REF).distribution == ()


def test_distribution_after_copies_line_and_honorifics():
    body = "Text.\nThree copies\n1. Comrade Gromyko\n2. to Cdes. Andropov\n3. file"
    found = read_apparatus(body, REF)
    assert found.copies_total == 3
    assert [(d.recipient, d.to_file) for d in found.distribution] == [("Gromyko", False), ("Andropov", False),
                                                                    (None, True)]


def test_multiline_stamp_with_incoming_number():
    body = "ref 01089\n[USSR MFA Far\nEast Department\nStamp: SECRET Top Secret\nIncoming Nº 0404s Copy Nº ___\n" \
           "7 February 1956]\nText."
    (stamp,) = read_apparatus(body, parse_date("December 24, 1955")).stamps
    assert (stamp.number, stamp.date.iso, stamp.office) == ("0404s", "1956-02-07", "USSR MFA Far East Department")


def test_bracketed_notes_are_not_stamps():
    assert read_apparatus("[…]\n[signature]\n[handwritten] P179\nText.", REF).stamps == ()


def test_covered_period_on_one_line():
    body = "JOURNAL\nof Cde. V. I. IVANOV for the period from 20 December 1955 through 19 January 1956\nText."
    period = read_apparatus(body, parse_date("December 24, 1955")).covered_period
    assert (period.iso, period.end.date().isoformat()) == ("1955-12-20", "1956-01-19")


def test_issuer_needs_an_upper_case_office_heading():
    assert read_apparatus("Soviet Embassy in the DPRK\nText.", REF).issuer is None
    assert read_apparatus("MEETING OF CC CPSU POLITBURO\nText.", REF).issuer is None
    assert read_apparatus("EMBASSY OF HUNGARY\nText.", REF).issuer == "EMBASSY OF HUNGARY"


def test_classification_in_title():
    assert classification_in_title("Telegram from Washington, DC, No.084.504, Urgent, SECRET") == "SECRET"
    assert classification_in_title("Confidential Report from Thomas J. Kieran (Ottawa) to Con Cremin") is None
