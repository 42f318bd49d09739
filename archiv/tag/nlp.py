"""The one spaCy pipeline every page goes through, built once per process.

No sentencizer: no component reads sentence boundaries (dates find the sentence around a
date with a cheap regex), and setting them cost about 7 % of the tagging time.

Order matters: references run before dates so that a date never claims the digits of a
Drucksache number; places and bodies come from their own modules and join the pipeline when
those modules are present.

``tag_pages`` stores each page's text in ``doc.user_data["archiv_text"]``: spaCy rebuilds
``Doc.text`` from the tokens on every access, which costs more than tagging a page does, so
components read the text from there (falling back to ``doc.text`` for a plain ``nlp(text)``).
"""

from __future__ import annotations

import importlib
import logging
from functools import cache

import spacy
from spacy.language import Language

from archiv.tag import dates as _dates  # noqa: F401  (registers the "archiv_dates" factory)
from archiv.tag import references

log = logging.getLogger(__name__)

# (module, factory name): components owned by other modules, added when they can be imported.
_OPTIONAL_COMPONENTS = (
    ("archiv.tag.places", "archiv_places"),
    ("archiv.tag.bodies", "archiv_bodies"),
)


def _optional(module: str, factory: str) -> bool:
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name != module:
            raise  # the module exists but one of its own imports is missing: a real bug
        log.info("%s is not available; tagging without %s", module, factory)
        return False
    return Language.has_factory(factory)


@cache
def build_nlp() -> Language:
    """``spacy.blank("de")`` + references, dates, places, bodies."""
    references.register()
    nlp = spacy.blank("de")
    nlp.add_pipe("archiv_references")
    nlp.add_pipe("archiv_dates")
    for module, factory in _OPTIONAL_COMPONENTS:
        if _optional(module, factory):
            nlp.add_pipe(factory)
    return nlp
