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
# Illustrative figures (an example table of targets) are not findings and need no citation.
EXAMPLE_MARKER = re.compile(r"^\s*\[//\]:\s*#\s*\(example\b", re.I)

# (regular expression, what to say instead, gate): whole words, any case. The gate is a word (or words)
# the text must contain before the regular expression is tried: most text holds none, so this keeps
# the check cheap.
AVOID = (
    (r"\b(?:former |ex-)?addicts?\b", "person with a substance use disorder", "addict"),
    (r"\bsubstance abusers?\b", "person who uses substances", "abuser"),
    (r"\b(?:drug |alcohol )?abusers?\b", "person who uses drugs", "abuser"),
    (r"\b(?:substance|drug|alcohol|opioid) abuse\b", "substance use, or substance use disorder", "abuse"),
    (r"\bjunk(?:ie|y|ies)\b", "person who uses drugs", "junk"),
    (r"\b(?:druggies?|crackheads?|dope fiends?|tweakers?|potheads?)\b", "person who uses drugs",
     ("drugg", "crackhead", "dope", "tweaker", "pothead")),
    (r"\balcoholics?\b", "person with an alcohol use disorder", "alcoholic"),
    (r"\b(?:known |active |chronic |IV |injection |drug |opioid |heroin |fentanyl |meth |cocaine |crack )users?\b",
     "people who use drugs", "user"),
    (r"\b(?:tested|tests|test|screens?|screened|urine|urinalysis|results?|came back|comes back) "
     r"(?:was |were |is |are )?(?:clean|dirty)\b", "negative or positive (for a test result)", ("clean", "dirty")),
    (r"\b(?:clean|dirty) (?:urine|tests?|screens?|drug tests?|samples?|results?|UAs?)\b",
     "negative or positive (for a test result)", ("clean", "dirty")),
    (r"\b(?:stay|stays|staying|stayed|get|gets|getting|got|be|being|been|is|was|are|were|remain|remains|remained) "
     r"clean\b", "in recovery, or not using drugs", "clean"),
    (r"\bclean (?:and sober|time)\b", "in recovery", "clean"),
    (r"\brelapsed? publicly\b", "return to use (a common part of recovery)", "publicly"),
    (r"\bdrug habits?\b", "substance use disorder", "habit"),
    (r"\bfrequent flyers?\b", "people with frequent contact", "flyer"),
    (r"\b(?:opioid )?replacement therapy\b", "medication for opioid use disorder", "replacement"),
    (r"\bcustomers of (?:arrested )?dealers\b", "people who bought drugs from (arrested) dealers", "customers"),
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


_WORD = re.compile(r"(?<!\w)[A-Za-z]+(?!\w)")
_LOWER_WORD = re.compile(r"[a-z]+")


class Rules:
    """The compiled lists: one regex per list, so a whole content tree is checked quickly."""

    def __init__(self, avoid: Iterable = AVOID, spelling: Iterable = SPELLING, allow: Iterable = ALLOW):
        self.avoid = []
        for entry in avoid:
            pattern, use, gate = (tuple(entry) + (None,))[:3]
            gate = (gate,) if isinstance(gate, str) else gate
            self.avoid.append((re.compile(pattern, re.I), use, tuple(g.lower() for g in gate) if gate else None))
        self.spelling = {" ".join(b.lower().split()): u for b, u in spelling}
        # Single words are looked up word by word (a set lookup: hundreds of alternatives in one regex
        # made loading content noticeably slower); the few phrases ("per cent") get a small regex.
        phrases = sorted((w for w in self.spelling if " " in w), key=len, reverse=True)
        self._spelling_re = re.compile(r"\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in phrases)
                                       + r")\b", re.I) if phrases else None
        names = sorted({a for a in allow if a.strip()}, key=len, reverse=True)
        self._allow_re = re.compile("|".join(re.escape(a).replace(r"\ ", r"\s+") for a in names), re.I) \
            if names else None

    def hits(self, text: str) -> list:
        """[(matched text, message)] for one piece of prose, in order of appearance."""
        found = self._find(text)
        if found and self._allow_re is not None:  # proper names are masked only when something was found
            masked = self._allow_re.sub(lambda m: " " * len(m.group(0)), text)
            if masked != text:
                found = self._find(masked)
        return found

    def _find(self, text: str) -> list:
        found = []
        lower = text.lower()
        for regex, use, gate in self.avoid:
            if gate is not None and not any(g in lower for g in gate):
                continue
            for match in regex.finditer(text):
                found.append((match.start(), match.group(0),
                              f"language: {_shown(match.group(0))!r} stigmatizes; say {use!r} instead"))
        spelled = []
        if not self.spelling.keys().isdisjoint(_LOWER_WORD.findall(lower)):
            spelled += _WORD.finditer(text)
        if self._spelling_re is not None:
            spelled += self._spelling_re.finditer(text)
        for match in spelled:
            word = match.group(0)
            us = self.spelling.get(" ".join(word.lower().split()))
            if us is not None:
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
            report(getattr(item, "line", line),
                   "workbook language avoid: each item needs 'term' (or 'pattern') and 'use'")
            continue
        if isinstance(item.get("pattern"), str):
            try:
                re.compile(item["pattern"])
            except re.error as exc:
                report(getattr(item, "line", line),
                       f"workbook language avoid: 'pattern' is not a valid regular expression: {exc}")
                continue
            avoid.append((item["pattern"], item["use"]))
        else:
            term = re.escape(" ".join(item["term"].split())).replace(r"\ ", r"\s+")
            avoid.append((rf"\b{term}s?\b", item["use"], item["term"].split()[0].lower()))
    for item in _items(node, "spelling", report):
        if not isinstance(item, dict) or not isinstance(item.get("british"), str) \
                or not isinstance(item.get("us"), str):
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


def _strip_exempt(value: str, marker=EXEMPT_MARKER) -> str:
    if "[//]" not in value:
        return value
    kept, active = [], False
    for line in value.split("\n"):
        if marker.match(line):
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


# --------------------------------------------------------------------------- citations
#
# A paragraph of reading matter that states a figure (a percentage, a dollar amount, a count) cites
# one of its section's sources with an author-year key in square brackets, `[Schiff 2017]` or
# `[Xuan 2023; Kimmel 2023]`, equal to that source's `id`. A reader can then find the work itself.

CITED_FIELDS = ("summary", "guide", "objectives", "recommendations", "practices")
PRACTICE_TEXT = ("what", "results")
SOURCE_FIELDS = ("id", "title", "author", "publisher", "year", "url", "doi", "pmid")

_CITATION = re.compile(r"\[([^\[\]\n]*?(?:\b(?:1[89]|20)\d\d[a-z]?|\bn\.d\.))\](?!\()")
_DIGIT = re.compile(r"\d")
_SPLIT_CITATION = re.compile(r"\[([^\[\]\n]*\n[^\[\]\n]*?(?:\b(?:1[89]|20)\d\d[a-z]?|\bn\.d\.))\](?!\()")
_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_FIGURE = re.compile(
    r"(?P<pct>\d+(?:\.\d+)?\s?(?:%|percent\b))"
    r"|(?P<usd>\$\s?\d[\d,.]*(?:\s?(?:million|billion|[kKmMbB])\b)?)"
    r"|(?P<num>(?<![\w/:.-])\d{1,3}(?:,\d{3})+(?![\w/:])|(?<![\w/:.,-])\d+(?:\.\d+)?(?![\w/:%]|,\d))"
)
_NOT_A_COUNT = re.compile(
    r"^(?:911|311|988)$"
)


def figures(paragraph: str) -> list:
    """The figures a paragraph states: percentages, dollar amounts, and counts of ten or more.

    Years, days of a date, time spans, times of day, phone-style numbers (911), rule names (42 CFR
    Part 2) and ages are not figures. Numbers under ten are left alone: "3 days" is advice, not a finding."""
    text = re.sub(rf"\b\d{{1,2}}(?:[-\u2013]\d{{1,2}})?\s+{_MONTHS}\b|\b{_MONTHS}\s+\d{{1,2}}\b", " ", paragraph)
    # a time span ("within 72 hours", "30 to 90 days", "a 90-day review") is advice, not a finding
    text = re.sub(r"\b\d+(?:\s*(?:to|or|and|-|\u2013)\s*\d+)?[- ](?:hours?|days?|weeks?|months?|years?|minutes?|h)\b",
                  " ", text)
    text = re.sub(r"\b42 CFR Part 2\b|\b24/7\b|\b\d{1,2}:\d{2}\b|\b(?:under|aged|over)[- ]\d+s?\b|\b\d+ and over\b",
                  " ", text, flags=re.I)
    found = []
    for match in _FIGURE.finditer(text):
        if match.group("pct") or match.group("usd"):
            found.append(match.group(0).strip())
            continue
        number = match.group("num")
        value = float(number.replace(",", ""))
        if _NOT_A_COUNT.match(number) or value < 10:
            continue
        if re.fullmatch(r"(?:1[89]|20)\d\d", number):  # a year
            continue
        found.append(number)
    return found


def citations(paragraph: str) -> list:
    """The source keys a paragraph cites: `[Schiff 2017; Xuan 2023]` gives both."""
    keys = []
    for match in _CITATION.finditer(paragraph):
        keys += [" ".join(k.split()) for k in re.split(r"\s*;\s*", match.group(1)) if k.strip()]
    return keys


def _paragraphs(value: str) -> list:
    """(line offset, paragraph) pieces: blank-line blocks, with each list item and table row its own."""
    pieces, current, start = [], [], 0
    for offset, line in enumerate(value.split("\n")):
        stripped = line.strip()
        starts_item = bool(re.match(r"^(?:[-*+]|\d+[.)]|\|)\s", stripped))
        if not stripped or starts_item:
            if current:
                pieces.append((start, "\n".join(current)))
            current = [stripped] if starts_item else []
            start = offset
            continue
        if not current:
            start = offset
        current.append(stripped)
    if current:
        pieces.append((start, "\n".join(current)))
    return pieces


def _blank_marked(value: str) -> str:
    """The text with example blocks (and their marker) blanked, keeping line offsets."""
    if "[//]" not in value:
        return value
    lines, active = value.split("\n"), False
    for index, line in enumerate(lines):
        if EXAMPLE_MARKER.match(line) or EXEMPT_MARKER.match(line):
            active = bool(EXAMPLE_MARKER.match(line))
            lines[index] = ""
            continue
        if not line.strip():
            active = False
        elif active:
            lines[index] = ""
    return "\n".join(lines)


def source_problems(source: dict) -> list:
    """What a cited source lacks for a reader to find it."""
    missing = [f for f in ("title", "publisher", "year") if not str(source.get(f) or "").strip()]
    if not any(str(source.get(f) or "").strip() for f in ("doi", "pmid", "url")):
        missing.append("doi, pmid or url")
    return missing


def check_citations(data, text: str, report: Callable[[int, str], None]) -> None:
    """Every figure in a section's reading matter cites one of the section's (findable) sources."""
    if not isinstance(data, dict):
        return
    sources = [s for s in (data.get("sources") or []) if isinstance(s, dict)]
    check = _Citations(text.splitlines(), {" ".join(str(s.get("id")).split()): s for s in sources if s.get("id")},
                       report)
    for value, start, what in _cited_texts(data):
        check.text(value, start, what)
    for key in sorted(check.cited & set(check.by_id)):
        missing = source_problems(check.by_id[key])
        if missing:
            report(getattr(check.by_id[key], "line", 0) or _key_line(data, "sources"),
                   f"source {key!r} is cited but has no {', '.join(missing)}: a reader could not find it")


def _cited_texts(data: dict):
    """(text, line of its field, what to call it) for each piece of a section's reading matter."""
    for key in CITED_FIELDS:
        value = data.get(key)
        start = _key_line(data, key)
        if isinstance(value, str):
            yield value, start, key
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str):  # strings carry no line: line_of looks from the field's
                    yield item, start, key
                elif isinstance(item, dict) and key == "practices":
                    for field_name in PRACTICE_TEXT:
                        yield item.get(field_name), _key_line(item, field_name), f"practice {field_name}"


class _Citations:
    """The citation check of one section file: its lines, its sources by id, and the keys cited so far."""

    def __init__(self, lines: list, by_id: dict, report: Callable[[int, str], None]):
        self.lines, self.by_id, self.report = lines, by_id, report
        self.cited: set = set()

    def text(self, value, start: int, what: str) -> None:
        """Check one field's text (`start` is its field's line); a citation split over two lines is
        reported as such, since it would otherwise not count as a citation at all."""
        if not isinstance(value, str):
            return
        raw = self.lines[start - 1].rstrip() if 0 < start <= len(self.lines) else ""
        literal = bool(re.search(r":\s*\|[-+]?\s*(?:#.*)?$", raw))
        for match in _SPLIT_CITATION.finditer(value):
            before = value[:match.start()].count("\n")
            self.report(start + 1 + before if literal else start,
                        f"citation [{' '.join(match.group(1).split())}] in {what} is split across lines; "
                        "keep it on one")
        for offset, piece in _paragraphs(_blank_marked(value)):
            for message in self.problems(piece, what):
                self.report(self.line_of(piece, start, offset, literal), message)

    def problems(self, piece: str, what: str) -> list:
        """What one paragraph cites wrongly or states without a citation; its keys count as cited."""
        found = []
        keys = citations(piece)
        for key in keys:
            self.cited.add(key)
            if key not in self.by_id:
                found.append(f"citation [{key}] in {what} names no source of this section (sources need `id: {key}`)")
        stated = figures(_CITATION.sub(" ", piece)) if _DIGIT.search(piece) else []
        if stated and not any(k in self.by_id for k in keys):
            found.append(f"{what} states {', '.join(repr(f) for f in stated[:3])} with no citation; "
                         "add [Author YEAR] naming one of the section's sources")
        return found

    def line_of(self, piece: str, start: int, offset: int, literal: bool) -> int:
        """The file line a paragraph starts on: counted in a literal block (`|`); otherwise found by its
        first words from the field's line on, since a plain or folded text's lines are not the file's."""
        if literal:
            return start + 1 + offset
        words = piece.split()[:3]
        needle = re.compile(r"\s+".join(re.escape(w) for w in words)) if words else None
        for number in range(max(start, 1), len(self.lines) + 1):
            if needle is None or needle.search(self.lines[number - 1]):
                return number
        return start
