"""Guess the language of a record's text from function words: enough to tell a translation from an original.

Records state the original's language at best; whether the text shown is that original or an English translation
is not stated, so docket looks. Only the languages whose originals appear in such archives are scored.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

# Frequent short function words, distinctive per language (ISO 639-2 bibliographic codes, as id.loc.gov uses).
_FUNCTION_WORDS = {
    "eng": "the and of to in that is was with for on as by this be are not it from have which".split(),
    "ger": "der die und das nicht mit ist den zu sich des dem ein eine auch auf für von wir sie".split(),
    "fre": "le la les et des est une que dans pour pas qui sur du au avec nous il".split(),
    "spa": "el la los las y que del una por con para se es no su al como".split(),
    "por": "o a os as e que do da em um uma para com não por se dos".split(),
    "ita": "il di che la e non per una sono della del con si le gli".split(),
    "rus": "и в не на что с по как это он к из то за".split(),
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def guess_language(text: str, *, sample: int = 4000) -> str | None:
    """The ISO 639-2 code of the language ``text`` is most likely written in, or None if too little to tell."""
    return _guess(text[:sample])


@lru_cache(maxsize=16)  # extraction and the mapper both ask about the same record's text
def _guess(text: str) -> str | None:
    printed = _WORD.findall(text)
    count = Counter(map(str.casefold, printed)).get  # .get: a Counter's default for missing words is slow
    scores = {code: sum([count(w, 0) for w in vocab]) for code, vocab in _FUNCTION_WORDS.items()}
    best = max(scores, key=scores.get)
    total = len(printed)
    if total < 20 or scores[best] < 0.1 * total:
        return None
    return best
