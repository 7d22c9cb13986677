"""Language checks on the words people read: person-first terms and one spelling (US English).

The users are US agencies and the subject is stigmatized, so a stray "addict" or "organisation" in a
prompt undoes the care taken elsewhere. The checks run inside content validation, so `deflect lint`
and every loading command report a hit as `FILE:LINE: message` like any other content problem.

Built-in lists cover the common cases; a content directory extends them in `workbook.yaml`:

    language:
      avoid:                     # stigmatizing wording, with what to say instead
        - {term: drug habit, use: substance use disorder}
        - {pattern: "\\bjunk(y|ies)\\b", use: person who uses drugs}
      spelling:                  # British forms and their US spelling
        - {british: whilst, us: while}
      allow:                     # proper names that contain a listed word
        - Canadian Centre on Substance Use and Addiction

A text that names a term in order to say it should not be used (a language table) puts the line
`[//]: # (language: terms to avoid)` before it: Markdown renders nothing for that line, and the
lines after it, up to the next blank line, are not checked.

The module is pure: it gets parsed YAML (whose mappings know their lines) and the file's text.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, Optional

# Fields that hold codes, conditions, addresses or citation data rather than prose people read.
# `sources` keeps each work's title exactly as published (a British title stays British).
SKIP_FIELDS = frozenset({
    "id", "value", "when", "url", "source", "doi", "pmid", "renamed_from", "pattern", "type",
    "version", "sources", "language", "cite",
})

EXEMPT_MARKER = re.compile(r"^\s*\[//\]:\s*#\s*\(language\b", re.I)

# (regular expression, what to say instead). Whole words, any case.
AVOID = (
    (r"\b(?:former |ex-)?addicts?\b", "person with a substance use disorder"),
    (r"\bsubstance abusers?\b", "person who uses substances"),
    (r"\b(?:drug |alcohol )?abusers?\b", "person who uses drugs"),
    (r"\b(?:substance|drug|alcohol|opioid) abuse\b", "substance use, or substance use disorder"),
    (r"\bjunk(?:ie|y|ies)\b", "person who uses drugs"),
    (r"\b(?:druggies?|crackheads?|dope fiends?|tweakers?|potheads?)\b", "person who uses drugs"),
    (r"\balcoholics?\b", "person with an alcohol use disorder"),
    (r"\b(?:known |active |chronic |IV |injection |drug |opioid |heroin |fentanyl |meth |cocaine |crack )users?\b",
     "people who use drugs"),
    (r"\b(?:tested|tests|test|screens?|screened|urine|urinalysis|results?|came back|comes back) (?:was |were |is |are )?"
     r"(?:clean|dirty)\b", "negative or positive (for a test result)"),
    (r"\b(?:clean|dirty) (?:urine|tests?|screens?|drug tests?|samples?|results?|UAs?)\b",
     "negative or positive (for a test result)"),
    (r"\b(?:stay|stays|staying|stayed|get|gets|getting|got|be|being|been|is|was|are|were|remain|remains|remained) "
     r"clean\b", "in recovery, or not using drugs"),
    (r"\bclean (?:and sober|time)\b", "in recovery"),
    (r"\brelapsed? publicly\b", "return to use (a common part of recovery)"),
    (r"\bdrug habits?\b", "substance use disorder"),
    (r"\bfrequent flyers?\b", "people with frequent contact"),
    (r"\b(?:opioid )?replacement therapy\b", "medication for opioid use disorder"),
    (r"\bcustomers of (?:arrested )?dealers\b", "people who bought drugs from (arrested) dealers"),
)

# Proper names that contain a listed word and must keep it.
ALLOW = (
    "Substance Abuse and Mental Health Services Administration",
    "Journal of Substance Abuse Treatment",
    "Substance Abuse Treatment",
    "National Institute on Drug Abuse",
    "National Institute on Alcohol Abuse",
    "Alcoholics Anonymous",
)

_ISE = (
    "organis", "recognis", "prioritis", "realis", "emphasis", "minimis", "maximis", "summaris", "apologis",
    "specialis", "utilis", "criticis", "mobilis", "finalis", "authoris", "stigmatis", "destigmatis",
    "categoris", "standardis", "formalis", "normalis", "optimis", "harmonis", "familiaris", "characteris",
    "institutionalis", "decriminalis", "criminalis", "hospitalis", "visualis", "legitimis", "centralis",
    "localis", "jeopardis", "sanitis", "subsidis", "synthesis", "capitalis", "memoris", "publicis",
    "scrutinis", "sympathis", "incentivis", "operationalis", "contextualis", "conceptualis", "empathis",
    "hypothesis", "individualis", "personalis", "socialis", "energis", "galvanis", "customis", "digitalis",
    "itemis", "randomis", "computeris", "amortis", "reorganis", "modernis", "mobilis", "utilis",
)
_ISE_ENDINGS = ("e", "es", "ed", "ing", "ation", "ations", "ational", "er", "ers")
# A few stems are also real US words with one of those endings ("emphasis", "synthesis").
_ISE_SKIP = {"emphasis", "synthesis", "hypothesis"}

# (British form, US form): whole words, any case; plural and verb forms listed where they differ.
SPELLING = tuple(
    (stem + end, stem[:-1] + "z" + end)
    for stem in _ISE for end in _ISE_ENDINGS if stem + end not in _ISE_SKIP
) + tuple((b, b.replace("our", "or")) for b in (
    "behaviour", "behaviours", "behavioural", "behaviourally", "colour", "colours", "coloured", "favour",
    "favours", "favourable", "favourite", "favoured", "honour", "honours", "honoured", "labour", "labours",
    "neighbour", "neighbours", "neighbourhood", "neighbourhoods", "neighbouring", "rumour", "rumours",
    "humour", "harbour", "vigour", "endeavour", "endeavours", "flavour", "saviour", "candour", "vapour",
)) + (
    ("centre", "center"), ("centres", "centers"), ("centred", "centered"), ("metre", "meter"),
    ("metres", "meters"), ("litre", "liter"), ("litres", "liters"), ("theatre", "theater"),
    ("fibre", "fiber"), ("calibre", "caliber"), ("meagre", "meager"), ("sombre", "somber"),
    ("programme", "program"), ("programmes", "programs"), ("defence", "defense"), ("offence", "offense"),
    ("offences", "offenses"), ("licence", "license"), ("licences", "licenses"), ("pretence", "pretense"),
    ("practise", "practice"), ("practised", "practiced"), ("practising", "practicing"),
    ("analyse", "analyze"), ("analysed", "analyzed"), ("analysing", "analyzing"), ("analyses", None),
    ("paralyse", "paralyze"), ("catalyse", "catalyze"),
    ("judgement", "judgment"), ("judgements", "judgments"), ("acknowledgement", "acknowledgment"),
    ("acknowledgements", "acknowledgments"), ("ageing", "aging"), ("grey", "gray"),
    ("labelled", "labeled"), ("labelling", "labeling"), ("travelled", "traveled"),
    ("travelling", "traveling"), ("traveller", "traveler"), ("travellers", "travelers"),
    ("cancelled", "canceled"), ("cancelling", "canceling"), ("modelled", "modeled"),
    ("modelling", "modeling"), ("counselling", "counseling"), ("counsellor", "counselor"),
    ("counsellors", "counselors"), ("counselled", "counseled"), ("signalled", "signaled"),
    ("signalling", "signaling"), ("fuelled", "fueled"), ("channelled", "channeled"),
    ("totalled", "totaled"), ("levelled", "leveled"), ("focussed", "focused"), ("focussing", "focusing"),
    ("fulfil", "fulfill"), ("fulfils", "fulfills"), ("fulfilment", "fulfillment"), ("enrol", "enroll"),
    ("enrols", "enrolls"), ("enrolment", "enrollment"), ("enrolments", "enrollments"),
    ("instalment", "installment"), ("skilful", "skillful"), ("wilful", "willful"),
    ("catalogue", "catalog"), ("catalogues", "catalogs"), ("paediatric", "pediatric"),
    ("paediatrician", "pediatrician"), ("anaemia", "anemia"), ("haemorrhage", "hemorrhage"),
    ("oesophagus", "esophagus"), ("foetal", "fetal"), ("anaesthetic", "anesthetic"),
    ("orthopaedic", "orthopedic"), ("diarrhoea", "diarrhea"), ("oedema", "edema"),
    ("leukaemia", "leukemia"), ("whilst", "while"), ("amongst", "among"), ("learnt", "learned"),
    ("spelt", "spelled"), ("per cent", "percent"), ("aluminium", "aluminum"), ("tyre", "tire"),
    ("tyres", "tires"), ("cheque", "check"), ("cheques", "checks"), ("sceptical", "skeptical"),
    ("sceptic", "skeptic"), ("mould", "mold"), ("manoeuvre", "maneuver"), ("jewellery", "jewelry"),
    ("storey", "story"), ("cosy", "cozy"), ("aeroplane", "airplane"), ("plough", "plow"),
    ("draught", "draft"), ("pyjamas", "pajamas"), ("towards", None), ("enquiry", "inquiry"),
    ("enquiries", "inquiries"), ("speciality", "specialty"), ("specialities", "specialties"),
)
# `None` entries are British-looking forms that are also correct US English; kept out of the check.
SPELLING = tuple((b, u) for b, u in SPELLING if u)


class Rules:
    """The compiled lists: one regex per list, so a whole content tree is checked quickly."""

    def __init__(self, avoid: Iterable = AVOID, spelling: Iterable = SPELLING, allow: Iterable = ALLOW):
        self.avoid = [(re.compile(p, re.I), use) for p, use in avoid]
        self.spelling = {b.lower(): u for b, u in spelling}
        words = sorted(self.spelling, key=len, reverse=True)
        self._spelling_re = re.compile(r"\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
                                       + r")\b", re.I) if words else None
        names = sorted({a for a in allow if a.strip()}, key=len, reverse=True)
        self._allow_re = re.compile("|".join(re.escape(a).replace(r"\ ", r"\s+") for a in names), re.I) \
            if names else None

    def hits(self, text: str) -> list:
        """[(matched text, message)] for one piece of prose, in order of appearance."""
        if self._allow_re is not None:
            text = self._allow_re.sub(lambda m: " " * len(m.group(0)), text)
        found = []
        for regex, use in self.avoid:
            for match in regex.finditer(text):
                found.append((match.start(), match.group(0),
                              f"language: {_shown(match.group(0))!r} stigmatizes; say {use!r} instead"))
        if self._spelling_re is not None:
            for match in self._spelling_re.finditer(text):
                word = match.group(0)
                us = self.spelling[" ".join(word.lower().split())]
                found.append((match.start(), word, f"spelling: {_shown(word)!r} is British; use US {_us(word, us)!r}"))
        found.sort(key=lambda hit: (hit[0], -len(hit[1])))
        kept, end = [], -1
        for start, text_, message in found:  # "substance abusers" is one problem, not two
            if start < end and message.startswith("language:"):
                continue
            kept.append((text_, message))
            if message.startswith("language:"):
                end = max(end, start + len(text_))
        return kept


def _shown(text: str) -> str:
    return " ".join(text.split())


def _us(word: str, us: str) -> str:
    """The US form in the same case as the word found (`Centre` -> `Center`)."""
    if word.isupper():
        return us.upper()
    if word[:1].isupper():
        return us[:1].upper() + us[1:]
    return us


def default_rules() -> Rules:
    return _DEFAULT


_DEFAULT = Rules()


def rules_from(node, report: Callable[[int, str], None]) -> Rules:
    """The built-in lists extended by a `language:` mapping; problems go to `report(line, message)`."""
    if node is None:
        return _DEFAULT
    line = getattr(node, "line", 0)
    if not isinstance(node, dict):
        report(line, "workbook: 'language' must be a mapping with avoid, spelling and allow lists")
        return _DEFAULT
    avoid, spelling, allow = list(AVOID), list(SPELLING), list(ALLOW)
    for key in node:
        if key not in ("avoid", "spelling", "allow"):
            report(_key_line(node, key), f"workbook language: unknown field {key!r}")
    for item in _items(node, "avoid", report):
        if not isinstance(item, dict) or not isinstance(item.get("use"), str) or \
                not (isinstance(item.get("term"), str) or isinstance(item.get("pattern"), str)):
            report(getattr(item, "line", line), "workbook language avoid: each item needs 'term' (or 'pattern') and 'use'")
            continue
        if isinstance(item.get("pattern"), str):
            try:
                re.compile(item["pattern"])
            except re.error as exc:
                report(getattr(item, "line", line), f"workbook language avoid: 'pattern' is not a valid regular expression: {exc}")
                continue
            avoid.append((item["pattern"], item["use"]))
        else:
            term = re.escape(" ".join(item["term"].split())).replace(r"\ ", r"\s+")
            avoid.append((rf"\b{term}s?\b", item["use"]))
    for item in _items(node, "spelling", report):
        if not isinstance(item, dict) or not isinstance(item.get("british"), str) or not isinstance(item.get("us"), str):
            report(getattr(item, "line", line), "workbook language spelling: each item needs 'british' and 'us'")
            continue
        spelling.append((" ".join(item["british"].split()), item["us"]))
    for item in _items(node, "allow", report):
        if isinstance(item, str):
            allow.append(item)
        else:
            report(line, "workbook language allow: each item must be text (a proper name)")
    return Rules(avoid, spelling, allow)


def _items(node: dict, key: str, report) -> list:
    value = node.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        report(_key_line(node, key), f"workbook language: {key!r} must be a list")
        return []
    return value


def _key_line(node, key) -> int:
    return getattr(node, "key_lines", {}).get(key, getattr(node, "line", 0))


# --------------------------------------------------------------------------- whole files


def exempt_lines(text: str) -> set:
    """1-based line numbers covered by a `[//]: # (language ...)` marker (up to the next blank line)."""
    exempt, active = set(), False
    for number, line in enumerate(text.splitlines(), 1):
        if EXEMPT_MARKER.match(line):
            active = True
            continue
        if not line.strip():
            active = False
        elif active:
            exempt.add(number)
    return exempt


def _strip_exempt(value: str) -> str:
    if "[//]" not in value:
        return value
    kept, active = [], False
    for line in value.split("\n"):
        if EXEMPT_MARKER.match(line):
            active = True
            continue
        if not line.strip():
            active = False
        if not active:
            kept.append(line)
    return "\n".join(kept)


def check_file(data, text: str, rules: Rules, report: Callable[[int, str], None]) -> None:
    """Check every prose value in one parsed content file; `report(line, message)` for each hit."""
    lines = text.splitlines()
    exempt = exempt_lines(text) if "[//]" in text else set()

    def locate(found: str, start: tuple) -> tuple:
        """(line, column) just after the first occurrence at or after `start` of the words found.

        Folded text may wrap a phrase, so only its first word is looked for; a later hit of the same
        word continues from the previous one, so repeats land on their own lines."""
        first = found.split()[0] if found.split() else found
        needle = re.compile(r"\b" + re.escape(first) + r"\b", re.I)
        line, column = start
        for number in range(max(line, 1), len(lines) + 1):
            if number not in exempt:
                match = needle.search(lines[number - 1], column if number == line else 0)
                if match:
                    return number, match.end()
        return start

    def walk(node, start: int) -> None:
        if isinstance(node, str):
            cursor = (start, 0)
            for found, message in rules.hits(_strip_exempt(node)):
                cursor = locate(found, cursor)
                report(cursor[0], message)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key not in SKIP_FIELDS:
                    walk(value, _key_line(node, key))
        elif isinstance(node, list):
            cursor = getattr(node, "line", start) or start
            for item in node:
                walk(item, getattr(item, "line", cursor) or cursor)

    walk(data, getattr(data, "line", 1) or 1)


def text_hits(text: str, rules: Optional[Rules] = None) -> list:
    """[(line, message)] for plain text (docs, templates, program messages): the same lists."""
    rules = rules or _DEFAULT
    found = []
    exempt = exempt_lines(text) if "[//]" in text else set()
    for number, line in enumerate(text.splitlines(), 1):
        if number in exempt:
            continue
        for _, message in rules.hits(line):
            found.append((number, message))
    return found
