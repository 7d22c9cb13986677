"""The per-user caches (issue #7): loaded content, parsed plans, compiled templates, and the
incremental plan dump. A cache may make deflect faster, never different, and never break it."""

from __future__ import annotations

import os
import pickle
import random
import shutil
from pathlib import Path

import pytest

from deflect_cli import yamlio
from deflect_cli.content import cache, conditions, resources
from deflect_cli.content import model as content_module
from deflect_cli.errors import ContentError
from deflect_cli.plan.model import new_plan
from deflect_cli.plan.store import save_plan

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("DEFLECT_CACHE_DIR", str(folder))
    monkeypatch.delenv("DEFLECT_NO_CACHE", raising=False)
    monkeypatch.setattr(cache, "SETTLE_SECONDS", 0)  # files made by the test are seconds old
    return folder


@pytest.fixture
def mini(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", target)
    return target


def fresh_load(folder, use_cache=True):
    """resources.load without its once-per-process memo, as a new process would run it."""
    return resources.load.__wrapped__(str(folder), use_cache)


def forbid_parsing(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("the content was parsed although the cache should have been used")

    monkeypatch.setattr(content_module, "load_content", refuse)


def test_a_second_load_comes_from_the_cache_without_parsing(cache_dir, mini, monkeypatch):
    first = fresh_load(mini)
    assert list(cache_dir.glob("content-*.pickle"))
    forbid_parsing(monkeypatch)
    conditions._TREES.clear()
    second = fresh_load(mini)
    assert second == first
    assert [q.key for q in second.questions()] == [q.key for q in first.questions()]
    # The condition trees came along: evaluating needs no parse.
    monkeypatch.setattr(conditions, "compile_condition", lambda source: pytest.fail(f"parsed {source!r}"))
    when = next(q.when for q in second.questions() if q.when)
    assert conditions.evaluate(when, {"models": {"chosen": ["qrt"]}}) is True


def test_editing_the_content_is_noticed(cache_dir, mini):
    fresh_load(mini)
    path = mini / "sections" / "03-launch.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("prompt: ", "prompt: Edited. ", 1), encoding="utf-8")
    reloaded = fresh_load(mini)
    assert any(q.prompt.startswith("Edited. ") for q in reloaded.questions())


def test_adding_a_section_file_is_noticed(cache_dir, mini):
    before = fresh_load(mini)
    text = (mini / "sections" / "03-launch.yaml").read_text(encoding="utf-8")
    (mini / "sections" / "04-more.yaml").write_text(text.replace("id: launch", "id: more", 1), encoding="utf-8")
    after = fresh_load(mini)
    assert len(after.sections) == len(before.sections) + 1


def test_broken_content_is_never_served_from_the_cache(cache_dir, mini):
    fresh_load(mini)
    path = mini / "sections" / "01-models.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nbogus_field: 1\n", encoding="utf-8")
    with pytest.raises(ContentError):
        fresh_load(mini)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_corrupt_cache_file_means_a_normal_load(cache_dir, mini, damage):
    expected = fresh_load(mini)
    [entry] = cache_dir.glob("content-*.pickle")
    data = entry.read_bytes()
    entry.write_bytes({"garbage": b"\x80\x05not a pickle" * 50, "truncated": data[: len(data) - 200],
                       "empty": b""}[damage])
    assert fresh_load(mini) == expected
    assert cache.load(mini, str(mini)) is not None  # and the cache was written afresh


def test_a_tampered_cache_cannot_run_code(cache_dir, mini, tmp_path):
    fresh_load(mini)
    [entry] = cache_dir.glob("content-*.pickle")
    key, _ = cache.stamp(mini, str(mini))
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    entry.write_bytes(cache._header(key) + pickle.dumps((Evil(), {})))
    assert cache.load(mini, str(mini)) is None
    assert not marker.exists()
    assert fresh_load(mini).title  # a normal load instead


def test_a_cache_file_others_can_write_is_ignored(cache_dir, mini):
    fresh_load(mini)
    [entry] = cache_dir.glob("content-*.pickle")
    entry.chmod(0o666)
    assert cache.load(mini, str(mini)) is None


@pytest.mark.parametrize("how", ["a file in the way", "turned off"])
def test_an_unusable_cache_never_breaks_a_command(tmp_path, monkeypatch, cli, how):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    if how == "turned off":
        monkeypatch.setenv("DEFLECT_NO_CACHE", "1")
    else:
        monkeypatch.setenv("DEFLECT_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(cache, "SETTLE_SECONDS", 0)
    mini = str(FIXTURES / "mini")
    assert fresh_load(mini).title
    code, _, err = cli("start", "--no-input", "--content", mini)
    assert "Traceback" not in err
    for command in (["status"], ["export", "--format", "md", "-o", "-"], ["lint"]):
        code, out, err = cli(*command, "--content", mini)
        assert code == 0, (command, err)
    assert blocker.read_text() == "x"


def test_lint_always_parses(cache_dir, mini, cli, monkeypatch):
    fresh_load(mini)

    def refuse(*_args):
        raise AssertionError("lint read the cache")

    monkeypatch.setattr(cache, "load", refuse)
    code, out, err = cli("lint", "--content", str(mini))
    assert code == 0, err
    assert "no problems found" in out


def test_fresh_content_is_not_cached_until_it_settles(tmp_path, monkeypatch, mini):
    monkeypatch.setenv("DEFLECT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "SETTLE_SECONDS", 3600)  # everything counts as just written
    fresh_load(mini)
    assert not list((tmp_path / "cache").glob("content-*.pickle"))


# --------------------------------------------------------------------------- no parsed plans


def test_reading_a_plan_leaves_no_copy_of_its_answers(cache_dir, tmp_path, content, cli):
    """The parse of a plan is no longer kept: `status` writes nothing, anywhere (issue 13.8/15.6)."""
    plan = new_plan(tmp_path / "deflection-plan.yaml", content)
    plan.set_answer("profile.agency", "Zqx unique answer 4711")
    save_plan(plan)
    cli("status")  # fills the content cache
    before = sorted(p.name for p in tmp_path.iterdir())
    cached = sorted(p.name for p in cache_dir.rglob("*"))
    code, out, err = cli("status")
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not any(".parsed" in name for name in before)
    assert sorted(p.name for p in cache_dir.rglob("*")) == cached
    for path in cache_dir.rglob("*"):
        assert not path.is_file() or b"Zqx unique answer" not in path.read_bytes()


def test_stale_parse_caches_of_older_versions_go_under_the_lock(tmp_path, cli):
    mini = str(FIXTURES / "mini")
    cli("start", "--no-input", "--content", mini)
    stale = [".deflection-plan.yaml.parsed", ".deflection-plan.yaml.bak.parsed",
             "..deflection-plan.yaml.parsed.4242.tmp"]
    for name in stale:
        (tmp_path / name).write_bytes(b"answers")
    cli("status", "--content", mini)
    assert all((tmp_path / name).exists() for name in stale)  # reading takes no lock, so deletes nothing
    cli("resume", "--no-input", "--content", mini)
    assert not any((tmp_path / name).exists() for name in stale)


# --------------------------------------------------------------------------- compiled templates


def test_templates_compile_once_and_export_the_same(cache_dir, tmp_path, cli):
    mini = str(FIXTURES / "mini")
    cli("start", "--no-input", "--content", mini)
    first = cli("export", "--format", "html", "-o", "-", "--content", mini)  # Markdown needs no template
    assert list(cache_dir.glob("templates-*/*.jinja"))
    second = cli("export", "--format", "html", "-o", "-", "--content", mini)
    assert first == second and first[0] == 0


# --------------------------------------------------------------------------- incremental dump


def whole(data) -> str:
    return yamlio._dump_whole(data)


def test_the_incremental_dump_is_byte_identical(content):
    rng = random.Random(5)
    samples = [1, 1.0, True, False, None, "", "yes", "1", "null", "- x", "a: b", "#", "multi\nline\n",
               "  padded  ", "ünïcödé ✓", "x" * 150, [], ["a", "b"], [{"name": "Ann", "n": 2}], {"k": "v"}]
    for _ in range(60):
        answers = {}
        for question in rng.sample(list(content.questions()), 40):
            answers.setdefault(question.section_id, {})[question.id] = rng.choice(samples)
        data = {"deflect_plan": 2, "answers": answers, "skipped": ["a.b"],
                "fingerprints": {f"{s}.{q}": "text/0123456789" for s, qs in answers.items() for q in qs},
                "empty": {}, "end_of_plan": True}
        assert yamlio.dump(data) == whole(data)
        assert yamlio.dump(data) == whole(data)  # and again, from the kept fragments


def test_values_that_compare_equal_but_differ_in_type_are_dumped_apart():
    for first, second in ((1, True), (0, False), (1, 1.0), ("1", 1), ([1], [True])):
        assert yamlio.dump({"answers": {"s": {"q": first}}}) == whole({"answers": {"s": {"q": first}}})
        assert yamlio.dump({"answers": {"s": {"q": second}}}) == whole({"answers": {"s": {"q": second}}})


# --------------------------------------------------------------------------- incremental evaluation


def reference_evaluate(content, answers):
    """flow.evaluate as first written: one plain pass, nothing remembered."""
    from deflect_cli.content.answers import is_empty
    from deflect_cli.content.model import LIST_TYPES

    context, applicable = {}, []
    for section in content.all_sections:
        values = context.setdefault(section.id, {})
        given = answers.get(section.id) or {}
        for question in section.questions:
            values[question.id] = [] if question.type in LIST_TYPES else None
            if question.when and not conditions.evaluate(question.when, context):
                continue
            applicable.append(question.key)
            if not is_empty(given.get(question.id)):
                values[question.id] = given[question.id]
    return applicable, context


def test_remembered_sections_give_the_same_evaluation(content):
    import copy

    from deflect_cli.plan import flow
    from test_conditions import sample

    rng = random.Random(9)
    questions = list(content.questions())
    answers: dict = {}
    for step in range(400):
        question = rng.choice(questions)
        section = answers.setdefault(question.section_id, {})
        current = section.get(question.id)
        if isinstance(current, list) and current and isinstance(current[0], dict) and rng.random() < 0.3:
            current[0].clear()  # a table row edited in place
        elif isinstance(current, list) and rng.random() < 0.6:
            current[:] = sample(question, rng) or []  # a list changed in place
        else:
            section[question.id] = sample(question, rng)
        if step % 7 == 0:
            answers = copy.deepcopy(answers)  # equal values in new objects, as after a reload
        evaluation = flow.evaluate(content, answers)
        keys, context = reference_evaluate(content, answers)
        assert [q.key for q in evaluation.applicable] == keys
        assert evaluation.context == context


def test_a_change_of_type_alone_is_noticed(content):
    from deflect_cli.plan import flow
    context = {"s": {"n": 1}}
    assert conditions.evaluate("s.n == true", context) is True  # conditions cannot tell 1 from True
    # Real plans never change an answer's type, but 1 == True must not fool the memo either.
    question = next(q for q in content.questions() if q.type == "yes_no")
    answers = {question.section_id: {question.id: 1}}
    first = flow.evaluate(content, answers)
    answers[question.section_id][question.id] = True
    second = flow.evaluate(content, answers)
    assert second.context[question.section_id][question.id] is True
    assert first.context[question.section_id][question.id] == 1


def test_an_earlier_answer_changed_in_place_reaches_later_sections(content):
    from deflect_cli.plan import flow
    answers = {"program_types": {"models": ["hub"]}}
    before = flow.evaluate(content, answers)
    answers["program_types"]["models"][:] = ["self_referral", "qrt"]  # same list object, new contents
    after = flow.evaluate(content, answers)
    keys, context = reference_evaluate(content, answers)
    assert [q.key for q in after.applicable] == keys
    assert [q.key for q in after.applicable] != [q.key for q in before.applicable]


def test_the_cache_folder_is_private_even_under_umask_000(tmp_path, monkeypatch, cli):
    home = tmp_path / "home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.delenv("DEFLECT_CACHE_DIR", raising=False)
    monkeypatch.delenv("DEFLECT_NO_CACHE", raising=False)
    monkeypatch.setattr(cache, "SETTLE_SECONDS", 0)
    old = os.umask(0)
    try:
        code, _, err = cli("export", "--blank", "--format", "md", "-o", "-")
        assert code == 0, err
    finally:
        os.umask(old)
    made = [home / ".cache", home / ".cache" / "deflect", *(home / ".cache" / "deflect").iterdir()]
    assert len(made) > 2  # the content cache and the templates' folder were written
    for path in made:
        if path.is_dir():
            assert path.stat().st_mode & 0o777 == 0o700, path
        else:
            assert path.stat().st_mode & 0o077 == 0, path
