"""Name cleaning and variant matching, and the authority file lookups built on them."""

import pytest

from ld.authority import load_authority
from ld.entities import guess_kind
from ld.iris import slugify
from ld.names import clean, direct_order, fold, match_key

BASE = "http://example.org/"


@pytest.mark.parametrize("a, b", [
    ("Kohl, Helmut", "Helmut Kohl"),
    ("Cde. Molotov", "Molotov"),
    ("Kim Il-sung", "Kim Il Sung"),
    ("Satō, Eisaku", "Eisaku Sato"),
    ("Chiang, Ching-kuo (Jiang Jingguo)", "Chiang Ching-kuo"),
    ("Ambassador V. I. Ivanov", "V. I. Ivanov"),
])
def test_variants_share_a_match_key(a, b):
    assert match_key(a) == match_key(b)


@pytest.mark.parametrize("a, b", [("Kim Il Sung", "Kim Jong Il"), ("Ri Dong-yong", "Ri Gi-yeong")])
def test_different_people_do_not_match(a, b):
    assert match_key(a) != match_key(b)


def test_clean_fold_and_direct_order():
    assert clean("  Cde.  Kurdyukov ") == "Kurdyukov"
    assert clean("Comrade") == "Comrade"  # an honorific alone is left as printed, not emptied
    assert fold("Pavlíček") == "pavlicek"
    assert direct_order("Kohl, Helmut") == "Helmut Kohl"
    assert direct_order("Japan. Foreign Ministry") == "Japan. Foreign Ministry"


@pytest.mark.parametrize("name, kind", [
    ("Japan. Foreign Ministry", "group"),
    ("Japan-China Import-Export Association", "group"),
    ("Poland. Embassy (Canada)", "group"),
    ("KWP CC", "group"),
    ("Kohl, Helmut", "person"),
    ("Blair, Anthony Charles Lynton (\"Tony\")", "person"),
    ("Cremin, Cornelius Christopher (\"Con\")", "person"),
])
def test_guess_kind(name, kind):
    assert guess_kind(name) == kind


def test_authority_resolves_variants_to_one_entity():
    authority = load_authority(BASE)
    a = authority.resolve("Kohl, Helmut", "person")
    b = authority.resolve("Helmut Kohl", "person")
    assert a == b and a.known and a.key == "helmut-kohl"
    assert authority.resolve("BArch", "archive").key == authority.resolve("German Federal Archives", "group").key


def test_unknown_names_get_stable_keys_from_the_name():
    authority = load_authority(BASE)
    first = authority.resolve("Gi Seok-pok", "person")
    assert not first.known
    assert first.key == slugify("Gi Seok-pok") == "gi-seok-pok"
    assert authority.resolve("Gi Seok-pok", "person") == first
    # a place and a person with one name stay apart
    assert authority.resolve("Georgia", "place").kind == "place"


def test_resolved_names_memo_is_bounded_and_answers_alike(monkeypatch):
    import ld.authority

    monkeypatch.setattr(ld.authority, "_MAX_RESOLVED", 8)
    authority = load_authority(BASE)
    names = [f"Person Number{i}" for i in range(30)] + ["Helmut Kohl"]
    first = [authority.resolve(name, "person") for name in names]
    assert len(authority._resolved) <= 8
    assert [authority.resolve(name, "person") for name in names] == first
    assert first[-1].known and first[-1].key == "helmut-kohl"
