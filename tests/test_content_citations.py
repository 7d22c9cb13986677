"""Facts a reader can find: every figure cites one of its section's sources, and the review's fact table holds.

The fact table is in ../shared/research/content-review.md ("Fact check"); each row below checks the
corrected wording and the source it now cites (title, publisher, year and a DOI, PMID or exact URL).
"""

from __future__ import annotations

import shutil

import pytest

from deflect_cli.content import lint as content_lint
from deflect_cli.content.model import load_content, reference
from deflect_cli.errors import ContentError

from conftest import FIXTURES

CITED_SECTION = """\
id: facts
title: Facts
summary: A section with figures.
guide: |
  ## Findings

  Placement was confirmed in 75% of encounters.

  Placement was confirmed in 75% of encounters [Schiff 2017].

  Visits happen within 72 hours, and a 90-day review follows; 911 calls come first. Since 2016.

  A grant of $930,000 paid for it [Nobody 2020].

  [//]: # (example: made-up figures)
  | Measure | Target |
  | --- | --- |
  | Placement | 60% in year 1 |

  - a list item stating 214 encounters
  - a cited item stating 214 encounters [Schiff 2017]

  Coaches are paid below a living wage [Wages
  2024].
practices:
  - program: Somewhere
    results: >-
      About 450 situations handled.
sources:
  - id: Schiff 2017
    title: A police-led addiction treatment referral program in Gloucester, MA
    publisher: Journal of Substance Abuse Treatment 82:41-47
    year: 2017
    pmid: "29021114"
  - id: Wages 2024
    title: The wages of peer recovery workers
    year: 2024
questions:
  - id: q
    prompt: Anything?
    help: A question so the section is valid.
    type: text
"""


def _problems(tmp_path, text=CITED_SECTION) -> list:
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", root)
    (root / "sections" / "04-facts.yaml").write_text(text)
    with pytest.raises(ContentError) as info:
        load_content(root, display_root="c")
    return info.value.problems


def test_a_figure_without_a_citation_is_a_file_line_problem(tmp_path):
    problems = _problems(tmp_path)
    mine = [p for p in problems if "04-facts.yaml" in p]
    assert "c/sections/04-facts.yaml:7: guide states '75%' with no citation; add [Author YEAR] naming one of the " \
           "section's sources" in mine
    assert "c/sections/04-facts.yaml:13: citation [Nobody 2020] in guide names no source of this section " \
           "(sources need `id: Nobody 2020`)" in mine
    assert "c/sections/04-facts.yaml:13: guide states '$930,000' with no citation; add [Author YEAR] naming one " \
           "of the section's sources" in mine
    assert "c/sections/04-facts.yaml:20: guide states '214' with no citation; add [Author YEAR] naming one of the " \
           "section's sources" in mine
    assert "c/sections/04-facts.yaml:23: citation [Wages 2024] in guide is split across lines; keep it on one" in mine
    assert "c/sections/04-facts.yaml:28: practice results states '450' with no citation; add [Author YEAR] naming " \
           "one of the section's sources" in mine
    # the cited paragraph, the time spans, 911, years and the marked example table pass
    assert not any(f"04-facts.yaml:{n}:" in p for p in mine for n in (9, 11, 16, 17, 18, 21))
    # a cited source must be findable; an uncited incomplete source is not reported
    assert not any("'Schiff 2017'" in p for p in mine)
    assert len(mine) == 6, mine


def test_a_cited_source_needs_publisher_year_and_an_identifier(tmp_path):
    text = CITED_SECTION.replace("    publisher: Journal of Substance Abuse Treatment 82:41-47\n", "") \
                        .replace('    pmid: "29021114"\n', "")
    problems = _problems(tmp_path, text)
    assert "c/sections/04-facts.yaml:30: source 'Schiff 2017' is cited but has no publisher, doi, pmid or url: " \
           "a reader could not find it" in problems


def test_lint_reports_citation_problems(cli, tmp_path):
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", root)
    (root / "sections" / "04-facts.yaml").write_text(CITED_SECTION)
    code, _, err = cli("lint", "--content", str(root))
    assert code == 1 and "04-facts.yaml:7: guide states '75%' with no citation" in err


@pytest.mark.parametrize("text, found", [
    ("75% of encounters (160 of 214)", ["75%", "160", "214"]),
    ("a $1.2 million ceiling", ["$1.2 million"]),
    ("from 16 February 2024 to 16-22 July", []),
    ("within 12 to 72 hours, a 90-day review, 30 or 90 days", []),
    ("42 CFR Part 2, 911, 24/7, 10:00, adults aged 18", []),
    ("3 days, 5 officers", []),
    ("in 2015 and 2019", []),
    ("10,536 visits", ["10,536"]),
])
def test_what_counts_as_a_figure(text, found):
    assert content_lint.figures(text) == found


def test_every_bundled_citation_names_a_complete_source(content):
    """The bundled guide cites by key, and every key leads to a source a reader can find."""
    cited = 0
    for section in content.sections:
        by_id = {s["id"]: s for s in section.sources if s.get("id")}
        texts = [section.summary, section.guide, *section.recommendations]
        texts += [p.get(f, "") for p in section.practices for f in ("what", "results")]
        for text in texts:
            for key in content_lint.citations(text):
                cited += 1
                assert key in by_id, (section.id, key)
                assert content_lint.source_problems(by_id[key]) == [], (section.id, key)
    assert cited >= 60


# ------------------------------------------------------------------ the review's fact table


def _paragraphs(content, section_id: str) -> list:
    section = content.section(section_id)
    texts = [section.summary, section.guide, *section.recommendations]
    texts += [p.get(f, "") for p in section.practices for f in ("what", "results")]
    out = []
    for text in texts:
        out += [" ".join(piece.split()) for _, piece in content_lint._paragraphs(text)]
    return out


def _cites(content, section_id: str, phrase: str, key: str) -> dict:
    """The paragraph holding `phrase` cites `key`; returns that source."""
    holding = [p for p in _paragraphs(content, section_id) if phrase in p]
    assert holding, f"{section_id}: no paragraph says {phrase!r}"
    for paragraph in holding:
        assert key in content_lint.citations(paragraph), (section_id, paragraph)
    source = next(s for s in content.section(section_id).sources if s.get("id") == key)
    assert content_lint.source_problems(source) == []
    return source


def _nowhere(content, phrase: str) -> None:
    for section in content.sections:
        assert not any(phrase in p for p in _paragraphs(content, section.id)), (section.id, phrase)


def test_fact_moud_roughly_halves_mortality(content):
    for section in ("introduction", "treatment"):
        source = _cites(content, section, "half", "NASEM 2019")
        assert source["doi"] == "10.17226/25310"


def test_fact_wakeman_cohort_is_40885_and_fully_cited(content):
    for section in ("introduction", "treatment"):
        source = _cites(content, section, "40,885 people", "Wakeman 2020")
        assert source["doi"] == "10.1001/jamanetworkopen.2019.20622" and "JAMA Network Open" in source["publisher"]
        _cites(content, section, "76% lower", "Wakeman 2020")
    _nowhere(content, "40,800")


def test_fact_xuan_counts_and_the_six_percent_estimate_is_a_before_after_abstract(content):
    source = _cites(content, "introduction", "compared 58 that ran post-overdose outreach with 35", "Xuan 2023")
    assert source["pmid"] == "36920385"
    six = _cites(content, "introduction", "about 6% a year", "Walley 2022")
    assert "conference abstract" in six["title"]
    assert any("before each program began, not against other towns" in p
               for p in _paragraphs(content, "introduction"))
    _nowhere(content, "by about 6% a year relative to the others")
    _cites(content, "data", "93 Massachusetts municipalities", "Xuan 2023")


def test_fact_angel_placement_75_percent_of_214_encounters(content):
    for section in ("introduction", "community_needs", "policies", "staffing", "treatment", "launch"):
        phrase = "75% of encounters" if section == "launch" else "(160 of 214)"
        source = _cites(content, section, phrase, "Schiff 2017")
        assert source["pmid"] == "29021114" and source["doi"] == "10.1016/j.jsat.2017.09.003"


def test_fact_angel_first_year_is_376_people_not_over_400_placed(content):
    for phrase in ("Over 400 people were placed", "more than 400 in the first year", "about 400 people helped"):
        _nowhere(content, phrase)
    for section in ("introduction", "funding", "launch"):
        source = _cites(content, section, "376", "Schiff 2016")
        assert source["doi"] == "10.1056/NEJMc1611640"


def test_fact_angel_260_by_the_end_of_october_2015(content):
    source = _cites(content, "launch", "260 people by the end of October", "Gloucester Daily Times 2015")
    assert source["url"].startswith("http://gloucester.wickedlocal.com/article/20151030")
    _nowhere(content, "in its first four months")


def test_fact_angel_abstinence_showed_no_difference_by_placement(content):
    for section, phrase in (("community_needs", "no difference between people who were placed"),
                            ("policies", "whether or not they had been placed"),
                            ("treatment", "whether or not they had been placed")):
        _cites(content, section, phrase, "Schiff 2017")


def test_fact_post_program_visits_and_engagement(content):
    for section in ("introduction", "treatment"):
        source = _cites(content, section, "3,014", "Formica 2022")
        assert source["pmid"] == "36194799"
        _cites(content, section, "10,536 outreach visits", "Formica 2022")


def test_fact_kimmel_21_percent_cites_the_paper_not_a_homepage(content):
    for section in ("community_needs", "treatment"):
        source = _cites(content, section, "21% fewer fatal", "Kimmel 2023")
        assert source["pmid"] == "37713939"
    assert not any("prontopostoverdose.org" == s.get("url", "").rstrip("/").split("//")[-1]
                   for s in content.section("treatment").sources)


def test_fact_warrant_checks_57_percent_named_and_coercive(content):
    source = _cites(content, "policies", "57% (79 of 138)", "Tori 2022")
    assert source["pmid"] == "34700251"
    assert any("coercive" in p for p in _paragraphs(content, "policies"))
    _nowhere(content, "more than half ran warrant checks")
    _cites(content, "launch", "checked for warrants before visits", "Tori 2022")


def test_fact_colerain_calls_cited_to_the_outlet_that_holds_them(content):
    for section in ("program_types", "partnerships", "treatment"):
        source = _cites(content, section, "139", "WCPO 2020")
        assert "wcpo.com" in source["url"]
        assert not any("icma.org" in (s.get("url") or "") for s in content.section(section).sources)


def test_fact_cincinnati_study_was_of_the_hamilton_county_team(content):
    for section in ("program_types", "partnerships", "treatment"):
        holding = [p for p in _paragraphs(content, section) if "54%" in p]
        assert holding and all("Hamilton County" in p for p in holding), section
        _cites(content, section, "54%", "WCPO 2020")


def test_fact_colerain_259_sought_treatment(content):
    assert any("259 people seeking treatment" in p for p in _paragraphs(content, "treatment"))
    _nowhere(content, "259 people entering treatment")


def test_fact_plymouth_grant_went_to_paari_over_five_years(content):
    for section in ("program_types", "support", "funding"):
        source = _cites(content, section, "$930,000", "Enterprise News 2019")
        assert "enterprisenews.com" in source["url"]
        assert any("$930,000" in p and "PAARI" in p and "five-year" in p for p in _paragraphs(content, section))
    _nowhere(content, "HUB funded by a $930,000 grant")


def test_fact_chelsea_hub(content):
    for section in ("program_types", "partnerships", "data"):
        _cites(content, section, "450 situations", "Chelsea Police n.d.")


def test_fact_advocates_diversion_is_the_providers_own_figure(content):
    for section in ("program_types", "partnerships", "staffing"):
        holding = [p for p in _paragraphs(content, section) if "75% of people showing criminal behavior" in p]
        assert holding and all("provider" in p or "Advocates reports" in p for p in holding), section
        _cites(content, section, "75% of people showing criminal behavior", "Advocates n.d.")


def test_fact_42_cfr_part_2_compliance_date_and_single_consent(content):
    source = _cites(content, "policies", "16 February 2026", "HHS 2024")
    assert "89 FR 12472" in source["title"]
    assert any("single consent" in p and "treatment, payment and health care operations" in p
               for p in _paragraphs(content, "policies"))
    _cites(content, "data", "16 February 2026", "HHS 2024")


def test_fact_settlements_total_is_sourced(content):
    source = _cites(content, "funding", "$50 billion", "Minhee 2024")
    assert "opioidsettlementtracker.com" in source["url"]
    _nowhere(content, "roughly 18 years")


def test_fact_cossap_ceilings_and_ohio_grant_are_sourced(content):
    _cites(content, "funding", "$1.2 million", "WATCP 2020")
    ohio = _cites(content, "funding", "$4 million over two years", "Daily Advocate 2024")
    assert "2024/04/05" in ohio["url"]
    assert any("$4 million" in p and "2024" in p for p in _paragraphs(content, "funding"))


def test_fact_tasc_academy_one2one_deflection_week_and_planning_are_sourced(content):
    _cites(content, "staffing", "40-hour course", "ICJIA academy n.d.")
    _cites(content, "treatment", "2,556 kits", "PAARI 2023")
    _cites(content, "communications", "16-22 July in 2023", "PAARI 2023b")
    _cites(content, "launch", "three days of facilitated", "ICJIA SI-CERT n.d.")
    _nowhere(content, "29 hours")
    assert "2011" in content.section("program_types").guide  # Prince Albert HUB, a year, not a figure
    assert any("2017" in t["definition"] for t in content.glossary if "PTACC" in t["term"])


def test_added_caveats_cite_their_sources(content):
    _cites(content, "community_needs", "hot spots for investigation", "NIJ 2018")
    _cites(content, "community_needs", "stop calling 911", "Latimore 2017")
    _cites(content, "funding", "civil asset forfeiture", "Knepper 2020")
    _cites(content, "staffing", "below a living wage", "Critical Public Health 2024")


def test_new_questions_for_disparities_and_peer_pay(content):
    reach = content.question("community_needs.reach_gaps")
    assert reach is not None and reach.type == "long_text" and "miss" in reach.prompt
    pay = content.question("staffing.peer_pay")
    assert pay is not None  # asked of every plan since issue 10 cut staffing.staff_mix
    assert "paid" in pay.prompt


def test_reference_reads_as_a_citation():
    source = {"id": "Schiff 2017", "author": "Schiff DM", "title": "A study.", "publisher": "J Subst Abuse Treat",
              "year": "2017", "doi": "10.1/x", "pmid": "1", "url": "https://example.org"}
    assert reference(source) == "[Schiff 2017] Schiff DM. A study. J Subst Abuse Treat, 2017. doi:10.1/x; PMID 1"
    assert reference({"title": "PAARI guide", "url": "https://paaripractices.com/"}) == "PAARI guide"


def test_glossary_carries_the_part_2_update_and_the_odmap_caveat(content):
    definitions = {t["term"]: " ".join(t["definition"].split()) for t in content.glossary}
    assert "16 February 2026" in definitions["42 CFR Part 2"] and "one consent" in definitions["42 CFR Part 2"]
    assert "enforcement" in definitions["ODMAP"]
