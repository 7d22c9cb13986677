"""`deflect paperwork`: drafts built from the plan, placeholders for what it lacks, golden files.

Golden files live in tests/fixtures/golden/paperwork/; regenerate them with
`UPDATE_GOLDEN=1 pytest tests/test_paperwork.py` and review the diff before committing.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
import zipfile

import pytest

from deflect_cli.export import paperwork as pw
from deflect_cli.plan.store import load_plan
from test_export_formats import Page, docx_outline, docx_text, md_text, norm

from conftest import FIXTURES

GOLDEN = FIXTURES / "golden" / "paperwork"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
PLAN = FIXTURES / "export_plan.yaml"
HOSPITAL = "Riverton General Hospital"
NAMES = [("mou", HOSPITAL), ("data-sharing", None), ("referral-protocol", None), ("pocket-card", None),
         ("one-pager", None)]
RESPONSE = "[Response time for referrals: answer treatment.warm_handoff]"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing; create it with UPDATE_GOLDEN=1"
    if text != path.read_text(encoding="utf-8"):
        import difflib

        diff = "".join(list(difflib.unified_diff(path.read_text(encoding="utf-8").splitlines(True),
                                                 text.splitlines(True), name, "now", n=1))[:40])
        pytest.fail(f"{name} differs from its golden file; if intended, run "
                    f"`UPDATE_GOLDEN=1 pytest tests/test_paperwork.py` and review:\n{diff}")


@pytest.fixture(scope="module")
def plan():
    return load_plan(PLAN)


@pytest.fixture(scope="module")
def drafts(content, plan):
    out = {}
    for name, partner in NAMES:
        out[name] = {fmt: pw.render(content, plan, name, fmt, partner=partner)[0] for fmt in ("md", "html", "docx")}
    return out


@pytest.mark.parametrize("name", [n for n, _ in NAMES])
def test_each_document_matches_its_golden_files(drafts, name):
    check_golden(f"{name}.md", drafts[name]["md"])
    check_golden(f"{name}.html", drafts[name]["html"])
    check_golden(f"{name}.docx.txt", docx_outline(drafts[name]["docx"]))


@pytest.mark.parametrize("name", [n for n, _ in NAMES])
def test_every_draft_is_marked_for_counsel(drafts, name):
    for fmt, text in (("md", md_text(drafts[name]["md"])), ("html", Page(drafts[name]["html"]).body_text),
                      ("docx", docx_text(drafts[name]["docx"]))):
        assert "counsel" in text.lower(), (name, fmt)
        assert "draft" in text.lower(), (name, fmt)


def test_data_sharing_outline_says_it_is_not_legal_advice_and_names_the_2024_rule(drafts):
    text = md_text(drafts["data-sharing"]["md"])
    assert "This outline is not legal advice." in text
    assert "February 16, 2026" in text and "treatment, payment and health care operations" in text
    for partner in (HOSPITAL, "Lakeside Recovery Center", "Lane County Health Department"):
        assert text.count(partner) >= 2  # the rules table and the consent form outline
    assert "federally assisted substance use disorder program" in text


def test_mou_carries_the_partners_roles_and_the_plans_answers(drafts):
    text = md_text(drafts["mou"]["md"])
    assert "Riverton Police Department" in text and HOSPITAL in text
    assert "Same-day buprenorphine at the bridge clinic" in text  # the partner's role on the register
    assert "Name, date of birth, referral date" in text          # its row of the data flows
    assert "The recovery coach stays with the person" in text     # treatment.warm_handoff
    for heading in ("Parties", "Purpose", "Roles and responsibilities", "Referral process and response times",
                    "Information sharing", "Meetings and contacts", "Term, review and termination", "Signatures"):
        assert heading in text


def test_a_missing_answer_is_a_placeholder_in_every_format_and_listed(content):
    plan = load_plan(PLAN)
    plan.answers["treatment"].pop("warm_handoff")
    md, result = pw.render(content, plan, "mou", "md", partner=HOSPITAL)
    assert RESPONSE in result.placeholders
    assert RESPONSE in md_text(md)
    html, _ = pw.render(content, plan, "mou", "html", partner=HOSPITAL)
    assert f'<mark class="placeholder">{RESPONSE}</mark>' in html
    data, _ = pw.render(content, plan, "mou", "docx", partner=HOSPITAL)
    document = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    at = document.index(RESPONSE)
    assert '<w:highlight w:val="yellow"/>' in document[document.rindex("<w:r>", 0, at):at]
    assert RESPONSE in pw.listing(content, plan)
    assert "The recovery coach stays" not in md_text(md)


def test_an_answered_question_leaves_no_placeholder(content, plan):
    _, result = pw.render(content, plan, "mou", "md", partner=HOSPITAL)
    assert RESPONSE not in result.placeholders
    assert RESPONSE not in pw.listing(content, plan)


def test_the_field_table_names_real_questions(content):
    """Every key in FIELDS is today's question, or a workbook 2 id the content does not have yet."""
    workbook_two = {"policies.pathway", "policies.eligible_offenses", "policies.completion"}
    # Cut by workbook 2 (each measure names its data owner); the protocol shows a placeholder instead.
    workbook_two.add("data.designees")
    for name, (_label, keys) in pw.FIELDS.items():
        for key in keys:
            assert content.question(key) is not None or key in workbook_two, (name, key)


def test_workbook_two_pathway_is_preferred_over_the_old_workflow(content, plan, monkeypatch):
    """The first key the content has wins; a key it lacks is skipped (workbook 2 carried the old
    policies.referral_workflow into policies.pathway)."""
    assert content.question("policies.referral_workflow") is None
    facts = pw.Facts(content, plan)
    assert facts.question("pathway").key == "policies.pathway"
    monkeypatch.setitem(pw.FIELDS, "pathway", ("Referral steps", ["policies.referral_workflow", "policies.pathway"]))
    assert pw.Facts(content, plan).question("pathway").key == "policies.pathway"


# ------------------------------------------------------------------ the command


@pytest.fixture
def planned(tmp_path):
    target = tmp_path / "deflection-plan.yaml"
    target.write_bytes(PLAN.read_bytes())
    return target


def test_listing_says_what_can_be_drafted_and_what_each_lacks(cli, planned):
    code, out, err = cli("paperwork")
    assert code == 0, err
    assert f"Partner MOU with {HOSPITAL}" in out
    assert f'deflect paperwork mou --partner "{HOSPITAL}"' in out
    for title in ("Data-sharing and consent outline", "Referral protocol", "Pocket card", "Community one-pager"):
        assert title in out
    assert "placeholders left" in out
    assert "[Supervisor review: answer staffing.supervision]" in out


def test_writes_each_format_0600_and_never_touches_the_plan(cli, planned, tmp_path):
    before = planned.read_bytes()
    for fmt in ("md", "html", "docx"):
        code, out, err = cli("paperwork", "referral-protocol", "--format", fmt)
        assert code == 0, err
        written = tmp_path / f"referral-protocol.{fmt}"
        assert written.exists() and "Wrote" in out and "placeholders left" in out
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
    code, out, err = cli("paperwork", "mou", "--partner", "general hospital")
    assert code == 0, err
    assert (tmp_path / "mou-riverton-general-hospital.md").exists()
    assert planned.read_bytes() == before


def test_refuses_to_write_over_the_plan(cli, planned):
    code, _, err = cli("paperwork", "one-pager", "-o", str(planned))
    assert code == 1 and "that is the plan file itself" in err
    assert planned.read_bytes() == PLAN.read_bytes()


@pytest.mark.parametrize("args, message", [
    (["paperwork", "contract"], "no paperwork called 'contract'"),
    (["paperwork", "mou"], "which partner? Add --partner NAME"),
    (["paperwork", "mou", "--partner", "Nobody"], "no partner called 'Nobody'"),
    (["paperwork", "mou", "--partner", "L"], "matches more than one partner"),
    (["paperwork", "one-pager", "--partner", "Lakeside"], "--partner only applies to the mou"),
    (["paperwork", "one-pager", "--format", "json"], "paperwork comes as md, html, docx or pdf"),
])
def test_mistakes_are_one_line(cli, planned, args, message):
    code, out, err = cli(*args)
    assert code == 1 and message in err and "Traceback" not in err


def test_templates_override_per_document(cli, planned, tmp_path):
    folder = tmp_path / "agency"
    folder.mkdir()
    (folder / "paperwork-one-pager.md.j2").write_text(
        "# {{ doc.title }}\n\n{{ doc.fields.purpose | md }}\n"
        "{% for p in doc.placeholders %}- {{ p | md_cell }}\n{% endfor %}")
    (folder / "paperwork.css").write_text("body { color: #123456; }\n")
    code, _, err = cli("paperwork", "one-pager", "--templates", str(folder), "-o", "flyer.md")
    assert code == 0, err
    text = (tmp_path / "flyer.md").read_text()
    assert text.startswith("# Riverton Pathways to Recovery\n") and "\\[Phone number for referrals" in text
    code, _, err = cli("paperwork", "one-pager", "--templates", str(folder), "-o", "flyer.html")
    assert code == 0, err
    assert "#123456" in (tmp_path / "flyer.html").read_text()
    code, _, err = cli("paperwork", "data-sharing", "--templates", str(folder), "-o", "ds.md")
    assert code == 0 and "not legal advice" in (tmp_path / "ds.md").read_text()  # others keep the standard layout


# ------------------------------------------------------------------ the pocket card fits a card


def _pages(pdf: bytes, tmp_path) -> tuple:
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    return pages, size


@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="pdfinfo (poppler) is not installed")
def test_pocket_card_pdf_is_two_card_sides(content, plan, tmp_path):
    pytest.importorskip("weasyprint")
    data, _ = pw.render(content, plan, "pocket-card", "pdf")
    pages, size = _pages(data, tmp_path)
    assert pages == 2 and "288 x 432 pts" in size  # 4 x 6 inches, one page per side


def _word_pages(data: bytes, tmp_path) -> tuple:
    (tmp_path / "card.docx").write_bytes(data)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path / "out"), str(tmp_path / "card.docx")],
                   capture_output=True, timeout=240)
    return _pages((tmp_path / "out" / "card.pdf").read_bytes(), tmp_path)


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdfinfo")),
                    reason="LibreOffice and pdfinfo are needed to count Word pages")
def test_pocket_card_word_is_one_page_with_both_sides(content, plan, tmp_path):
    """Word: one landscape Letter page, each side a column with a card's text area; side 2 starts the
    second column, so a side that ran over would push it to a second page."""
    data, _ = pw.render(content, plan, "pocket-card", "docx")
    pages, size = _word_pages(data, tmp_path)
    assert pages == 1 and "792 x 612 pts" in size
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert '<w:cols w:num="2"' in xml and 'w:type="column"' in xml


def test_paperwork_listing_loads_no_format_library(planned, tmp_path):
    """`deflect paperwork` (the listing) and a Markdown draft load neither Jinja, Word nor WeasyPrint."""
    script = (
        "import sys\n"
        "from deflect_cli.cli import app\n"
        "for args in (['paperwork', '--plan', {plan!r}],\n"
        "             ['paperwork', 'one-pager', '--plan', {plan!r}, '-o', 'x.md']):\n"
        "    try:\n"
        "        app(args)\n"
        "    except SystemExit as exc:\n"
        "        assert not exc.code, exc.code\n"
        "print(sorted(m for m in ('docx', 'markdown_it', 'weasyprint', 'lxml', 'jinja2', 'questionary', 'rich') "
        "if m in sys.modules))\n"
    ).format(plan=str(planned))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert norm((tmp_path / "x.md").read_text()).startswith("# Riverton Pathways to Recovery")


def test_docs_list_every_field_and_every_table_field_has_columns():
    from pathlib import Path

    docs = (Path(__file__).resolve().parent.parent / "docs" / "templates.md").read_text(encoding="utf-8")
    listed = docs.split("Field names:", 1)[1].split("(`retention`", 1)[0]
    import re

    assert set(re.findall(r"`(\w+)`", listed)) == set(pw.FIELDS)
    from deflect_cli.content import resources
    content = resources.load()
    for name, (_, keys) in pw.FIELDS.items():
        if any(content.question(k) is not None and content.question(k).type == "table" for k in keys):
            assert name in pw.COLUMNS, name


def test_a_card_that_cannot_fit_says_so(cli, tmp_path, content):
    """The complete Riverton plan's referral steps are too long for a card: the draft keeps every word
    (nothing is cut or summarized) and the command says which side runs over, in Word and PDF alike."""
    import yaml

    from deflect_cli.plan.migrate import reconcile
    from deflect_cli.plan.model import new_plan
    from deflect_cli.plan.store import save_plan

    # The Riverton plan made with the older workbook, opened with this one (its long written referral
    # procedure is carried into the pathway as one step).
    full = new_plan(tmp_path / "deflection-plan.yaml", content)
    full.answers = yaml.safe_load((FIXTURES / "riverton-answers.yaml").read_text(encoding="utf-8"))
    reconcile(content, full)
    save_plan(full)
    full = load_plan(tmp_path / "deflection-plan.yaml")
    result = pw.draft(content, full, "pocket-card")
    assert result.warnings and result.warnings[0].startswith("Side 1 of the pocket card is likely to run over")
    steps = full.answers["policies"]["pathway"][0]["step"]
    assert norm(steps) in norm(md_text(pw.render(content, full, "pocket-card", "md")[0]))
    code, out, err = cli("paperwork", "pocket-card", "-o", "card.docx")
    assert code == 0 and "Note: Side 1 of the pocket card" in out
    assert "! Side 1 of the pocket card" in pw.listing(content, full)
    assert not pw.draft(content, load_plan(PLAN), "pocket-card").warnings
    if shutil.which("pdfinfo"):
        pytest.importorskip("weasyprint")
        data, drafted = pw.render(content, full, "pocket-card", "pdf")
        assert "The pocket card PDF has 3 pages" in drafted.warnings[-1]
        assert _pages(data, tmp_path)[0] == 3
    if shutil.which("soffice") and shutil.which("pdfinfo"):
        assert _word_pages(pw.render(content, full, "pocket-card", "docx")[0], tmp_path)[0] == 2


def test_listing_shows_control_characters_instead_of_obeying_them(content):
    plan = load_plan(PLAN)
    plan.answers["partnerships"]["roster"][1]["name"] = "Evil\x1b]0;pwned\x07 Clinic"
    text = pw.listing(content, plan)
    assert "\x1b" not in text and "\x07" not in text
    assert "Evil\\x1b]0;pwned\\x07 Clinic" in text


def test_workbook_two_pathway_table_becomes_steps_with_who_and_how_fast(content):
    """Workbook 2's policies.pathway (step, who, within) becomes numbered steps; with no pathway the
    draft says which question to answer."""
    plan = load_plan(PLAN)
    plan.answers["policies"]["pathway"] = [
        {"step": "Page the recovery coach", "who": "Desk officer", "within": "15 minutes"},
        {"step": "Meet the person", "who": "Recovery coach", "within": "1 hour"}]
    md, result = pw.render(content, plan, "referral-protocol", "md")
    assert "1. **Page the recovery coach**: who: Desk officer; within: 15 minutes" in md
    assert "2. **Meet the person**: who: Recovery coach; within: 1 hour" in md
    card, _ = pw.render(content, plan, "pocket-card", "md")
    assert "Page the recovery coach · Desk officer · 15 minutes" in card
    plan.answers["policies"].pop("pathway")
    md, _ = pw.render(content, plan, "referral-protocol", "md")
    assert "answer policies.pathway" in md_text(md)


def test_without_a_plan_or_to_standard_output(cli, tmp_path, planned):
    code, out, _ = cli("paperwork", "one-pager", "-o", "-")
    assert code == 0 and out.startswith("# Riverton Pathways to Recovery") and not list(tmp_path.glob("one-pager*"))
    planned.unlink()
    for args in (("paperwork",), ("paperwork", "pocket-card")):
        code, out, err = cli(*args)
        assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
