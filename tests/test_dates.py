"""Tests for ld.dates: printed dates, ranges, year-less dates and errors."""

from datetime import datetime

import pytest

from ld.dates import is_date_line, parse_date, try_parse_date


@pytest.mark.parametrize(
    ("printed", "iso", "precision"),
    [
        ("December 6, 1955", "1955-12-06", "day"),
        ("6 December 1955", "1955-12-06", "day"),
        ("June 07, 1973", "1973-06-07", "day"),
        ("April 9th 1973", "1973-04-09", "day"),
        ("1st April, 1949", "1949-04-01", "day"),
        ("17 October 1997", "1997-10-17", "day"),
        ("12 October 1950.", "1950-10-12", "day"),
        ("Saturday, 10 May 1997", "1997-05-10", "day"),
        ("Friday, 19 September, 1958,", "1958-09-19", "day"),
        ("25 April [1955]", "1955-04-25", "day"),
        ("5 March [19]56", "1956-03-05", "day"),
        ("Dec. 6, 1955", "1955-12-06", "day"),
        ("31 Dec 55", "1955-12-31", "day"),
        ("20 January 86", "1986-01-20", "day"),
        ("31.10.62", "1962-10-31", "day"),
        ("1.11.62", "1962-11-01", "day"),
        ("13.7.50", "1950-07-13", "day"),
        ("10 Januar 1996", "1996-01-10", "day"),
        ("2023-10-02", "2023-10-02", "day"),
        ("November 1967", "1967-11", "month"),
        ("2023-10", "2023-10", "month"),
        ("1967", "1967", "year"),
    ],
)
def test_single_dates(printed, iso, precision):
    date = parse_date(printed)
    assert (date.iso, date.precision, date.text) == (iso, precision, printed)
    assert not date.is_range


def test_outer_bounds_per_precision():
    day = parse_date("December 6, 1955")
    assert (day.begin, day.end) == (datetime(1955, 12, 6), datetime(1955, 12, 6, 23, 59, 59))
    month = parse_date("February 1956")
    assert (month.begin, month.end) == (datetime(1956, 2, 1), datetime(1956, 2, 29, 23, 59, 59))
    year = parse_date("1967")
    assert (year.begin, year.end) == (datetime(1967, 1, 1), datetime(1967, 12, 31, 23, 59, 59))


@pytest.mark.parametrize(
    ("printed", "begin", "end"),
    [
        ("from 4 through 15 December 1955", datetime(1955, 12, 4), datetime(1955, 12, 15, 23, 59, 59)),
        ("4-15 December 1955", datetime(1955, 12, 4), datetime(1955, 12, 15, 23, 59, 59)),
        ("December 4-15, 1955", datetime(1955, 12, 4), datetime(1955, 12, 15, 23, 59, 59)),
        ("April 9th – June 28th 1973", datetime(1973, 4, 9), datetime(1973, 6, 28, 23, 59, 59)),
        ("from 20 December 1955 through 19 January 1956", datetime(1955, 12, 20), datetime(1956, 1, 19, 23, 59, 59)),
        ("November - December 1955", datetime(1955, 11, 1), datetime(1955, 12, 31, 23, 59, 59)),
    ],
)
def test_ranges(printed, begin, end):
    date = parse_date(printed)
    assert (date.begin, date.end) == (begin, end)
    assert date.is_range


@pytest.mark.parametrize(
    ("printed", "reference", "iso"),
    [
        ("6 December", "December 6, 1955", "1955-12-06"),
        ("on 5 December", "December 6, 1955", "1955-12-05"),
        ("29 December", "December 24, 1955", "1955-12-29"),
        ("28 December", "January 3, 1956", "1955-12-28"),  # nearest is the previous year
        ("3 January", "December 28, 1955", "1956-01-03"),  # nearest is the next year
        ("31 Dec 55", "December 6, 1955", "1955-12-31"),
        ("31 Dec 05", "December 6, 2004", "2005-12-31"),  # two-digit year: the century nearest the reference
    ],
)
def test_relative_dates_use_the_reference(printed, reference, iso):
    assert parse_date(printed, reference=parse_date(reference)).iso == iso


def test_relative_range_takes_year_from_reference():
    period = parse_date("from 4 through 15 December", reference=parse_date("December 6, 1955"))
    assert (period.begin, period.end) == (datetime(1955, 12, 4), datetime(1955, 12, 15, 23, 59, 59))
    wrapped = parse_date("28 December - 3 January", reference=parse_date("December 30, 1955"))
    assert (wrapped.begin.date().isoformat(), wrapped.end.date().isoformat()) == ("1955-12-28", "1956-01-03")


@pytest.mark.parametrize(
    ("printed", "problem"),
    [
        ("Foo 32, 19x5", "cannot read date 'Foo 32, 19x5'"),
        ("32 December 1955", "day 32 is out of range"),
        ("29 February 1955", "out of range for February 1955"),
        ("6 December", "no year"),
        ("15 December - 4 December 1955", "ends before it begins"),
        ("May", "cannot read date"),
        ("Hello world", "cannot read date"),
        ("", "empty"),
    ],
)
def test_unreadable_dates_raise_clear_errors(printed, problem):
    with pytest.raises(ValueError, match=problem.replace("(", r"\(")):
        parse_date(printed)


def test_probe_helpers():
    assert try_parse_date("not a date") is None
    assert try_parse_date("1 May 1960").iso == "1960-05-01"
    assert is_date_line("21 December 1955").iso == "1955-12-21"
    assert is_date_line("1955") is None  # a bare year on a line is too weak to call a date line
    assert is_date_line("I visited Nam Il on 5 December.") is None
