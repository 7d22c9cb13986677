#!/usr/bin/env python3
"""How fast deflect feels: start-up, per-answer latency, scaling and memory, against targets.

    python bench/run.py                       # the full run: about 5 minutes on 2 cores
    python bench/run.py --quick               # fewer rounds, 1x and 10x only: about 1 minute
    python bench/run.py --markdown bench.md   # also write the table as Markdown (for the README)

Start-up figures are whole-process wall times, interleaved: after warm-ups, every round runs each
command once in a fresh random order, and the table shows medians. Interleaving matters on a noisy
machine, where back-to-back runs of one command drift by 30%. The baseline is `python -c "import
typer"` in the same run: deflect cannot start faster than the library it is built on, so targets
are ratios to it and mean the same thing on a fast laptop and a slow CI box.

Everything runs in a temporary folder with its own content cache (DEFLECT_CACHE_DIR) and bytecode
cache (PYTHONPYCACHEPREFIX), so the run neither reads nor disturbs your plan or caches. The
warm-ups fill both, as a user's first run would (pip byte-compiles an installed package; a source
checkout run with PYTHONDONTWRITEBYTECODE=1 would otherwise recompile deflect on every start).
`deflect lint` always parses the content for real.

Measures and targets (ratios are to the `import typer` baseline of the same run):
- `deflect --help` <= 1.2x, `deflect status` <= 1.6x, `deflect export --format md` <= 2.0x
  (both on a fully answered plan); `deflect lint`, html and docx exports are shown, without a target.
- answer -> saved -> next question (what the wizard does between two prompts: record the answer,
  re-decide which questions apply, find the next one, save the plan atomically with fsync):
  <= 5 ms with the bundled content (every question answered); <= 50 ms with 100 times as much
  content, both for a plan answering the bundled-size part of it and for one answering all of it.
- content load (first run: parse and validate; later runs: the cache) and Markdown export at 1x,
  10x and 100x the bundled content: time may grow no faster than the content (100x content <= 100x
  time). Generated content is copies of the bundled sections under new ids, with their conditions
  rewired to the copy; each measurement runs in a fresh process.
- peak memory (max RSS) of `deflect export --format md` at 100x content: <= 150 MB (again with
  both plans).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGETS = {"help": 1.2, "status": 1.6, "export_md": 2.0}
LATENCY_TARGETS = {1: 5.0, 100: 50.0}
PEAK_MB_TARGET = 150
PARAGRAPH = (
    "The team agreed to start with officer referrals in the two east-side districts, review every "
    "referral at the monthly partners meeting, and revisit the eligibility rules after six months "
    "once the first outcome figures from the treatment partners are in. "
)


# --------------------------------------------------------------------------- the machine


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()} "
            f"({platform.python_implementation()}), {platform.system()} {platform.release()}")


# --------------------------------------------------------------------------- fixtures


def valid_value(rule, rng: random.Random, depth: int = 0):
    """A value that answers.validate accepts for this question or table column."""
    kind = rule.type
    if kind == "text":
        return "planner@example.gov" if rule.pattern else f"Sample answer for {rule.label[:40]}"
    if kind == "long_text":
        return PARAGRAPH * rng.randint(1, 3)
    if kind == "choice":
        return rng.choice(rule.choices).value
    if kind == "multi_choice":
        return [c.value for c in rng.sample(list(rule.choices), min(len(rule.choices), rng.randint(1, 3)))]
    if kind == "yes_no":
        return rng.random() < 0.6
    if kind == "number":
        low = rule.min if rule.min is not None else 0
        high = rule.max if rule.max is not None else low + 5000
        return int(rng.uniform(low, high)) if rule.integer or rng.random() < 0.7 else round(rng.uniform(low, high), 2)
    if kind == "date":
        return f"2027-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if kind == "table":
        return [{c.id: valid_value(c, rng, depth + 1) for c in rule.columns} for _ in range(rng.randint(2, 4))]
    raise ValueError(f"no sample value for type {kind!r}")


def answer_everything(content, path: Path, seed: int = 7):
    """A plan with a valid answer to every question (applicable or not), saved at `path`."""
    from deflect_cli.content.answers import validate
    from deflect_cli.plan.model import new_plan
    from deflect_cli.plan.store import save_plan

    rng = random.Random(seed)
    plan = new_plan(path, content)
    for question in content.questions():
        value, error = validate(question, valid_value(question, rng))
        if error:
            raise SystemExit(f"bench: cannot make an answer for {question.key}: {error}")
        plan.set_answer(question.key, value)
    save_plan(plan)
    return plan


def scaled_content(source: Path, dest: Path, copies: int) -> Path:
    """`copies` copies of every section of `source`, renamed `<id>_c<k>`, conditions rewired."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    dest.mkdir(parents=True)
    (dest / "sections").mkdir()
    files = sorted((source / "sections").glob("*.yaml"))
    sections = [yaml.load(p.read_text(encoding="utf-8"), Loader=loader) for p in files]
    ids = [s["id"] for s in sections]
    refs = re.compile(r"\b(" + "|".join(map(re.escape, ids)) + r")\.")

    def rewire(text: str) -> str:
        return refs.sub(r"\1_zzcopyzz.", text)

    def rewire_refs(node):
        """Every reference to another question (conditions, choices_from, prefill's `from`) points
        into the same copy."""
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("when", "choices_from", "from") and isinstance(value, str):
                    node[key] = rewire(value)
                else:
                    rewire_refs(value)
        elif isinstance(node, list):
            for item in node:
                rewire_refs(item)

    templates = []
    for path, data in zip(files, sections):
        data["id"] = f"{data['id']}_zzcopyzz"
        for question in data.get("questions", []):
            rewire_refs(question)
            question.pop("renamed_from", None)
        for check in data.get("checks", []):
            check["id"] = f"{check['id']}_zzcopyzz"
            check["when"] = rewire(check["when"])
        slug = path.stem.split("-", 1)[1]
        text = yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)
        templates.append((slug, text))
    number = 0
    for copy in range(copies):
        for slug, text in templates:
            number += 1
            (dest / "sections" / f"{number:04d}-{slug}.yaml").write_text(
                text.replace("zzcopyzz", f"c{copy}"), encoding="utf-8")
    workbook = yaml.load((source / "workbook.yaml").read_text(encoding="utf-8"), Loader=loader)
    for check in workbook.get("checks", []) or []:
        check["when"] = rewire(check["when"]).replace("zzcopyzz", "c0")
    workbook.pop("carry", None)  # moves answers of older workbooks: nothing to carry into generated copies
    (dest / "workbook.yaml").write_text(
        yaml.dump(workbook, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
    if (source / "glossary.yaml").exists():
        shutil.copy(source / "glossary.yaml", dest / "glossary.yaml")
    return dest


def first_copy(full: Path, target: Path) -> None:
    """The plan at `full` cut down to the profile and the first copy of each section: what a planner
    who answered the bundled workbook would have, facing a 100x workbook."""
    from deflect_cli.plan.store import load_plan, save_plan

    plan = load_plan(full)
    plan.path = target
    plan.answers = {sid: values for sid, values in plan.answers.items() if sid == "profile" or sid.endswith("_c0")}
    plan.fingerprints = {k: v for k, v in plan.fingerprints.items() if k.split(".")[0] in plan.answers}
    plan.loaded_bytes = None
    save_plan(plan)


def settle(*folders: Path) -> None:
    """Age fresh files past the cache's settle window (see deflect_cli.content.cache.SETTLE_SECONDS)."""
    from deflect_cli.content import cache
    newest = max((p.stat().st_ctime for f in folders for p in f.rglob("*")), default=0)
    wait = newest + cache.SETTLE_SECONDS + 0.1 - time.time()
    if wait > 0:
        time.sleep(wait)


# --------------------------------------------------------------------------- whole-process runs


def deflect_argv() -> list:
    script = Path(sys.executable).parent / "deflect"
    if script.exists():
        return [str(script)]
    found = shutil.which("deflect")
    return [found] if found else [sys.executable, "-m", "deflect_cli"]


def run_once(argv, env, cwd) -> float:
    start = time.perf_counter()
    result = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = (time.perf_counter() - start) * 1000
    if result.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed ({result.returncode}): {result.stderr.decode()[-400:]}")
    return elapsed


def interleaved(commands: dict, rounds: int, warmup: int, env, cwd) -> dict:
    times = {name: [] for name in commands}
    order = list(commands)
    rng = random.Random(11)
    for number in range(warmup + rounds):
        rng.shuffle(order)
        for name in order:
            elapsed = run_once(commands[name], env, cwd)
            if number >= warmup:
                times[name].append(elapsed)
    return times


_WAIT4 = """
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = child.stderr.read()
_, status, usage = os.wait4(child.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss, (time.perf_counter() - start) * 1000)
sys.stderr.write(err.decode(errors="replace"))
"""


def peak_rss(argv, env, cwd) -> tuple:
    """(wall ms, max RSS in MB) of one run of argv, from the kernel's accounting for that process.

    Launched from a small helper process: on Linux a child's max RSS includes what its parent's
    memory looked like when it was forked, and this benchmark's own process is large."""
    result = subprocess.run([sys.executable, "-c", _WAIT4, *argv], env=env, cwd=cwd, capture_output=True, text=True)
    code, maxrss, elapsed = result.stdout.split()
    if int(code) != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed: {result.stderr[-400:]}")
    scale = 1024 if sys.platform != "darwin" else 1  # Linux reports KiB, macOS bytes
    return float(elapsed), int(maxrss) * scale / 1e6


# --------------------------------------------------------------------------- in-process measures


def answer_latency(content, plan_path: Path, iterations: int) -> list:
    """ms from an answer to the next question: set_answer, evaluate, step, save (with fsync)."""
    from deflect_cli.plan import flow
    from deflect_cli.plan.store import load_plan, save_plan

    plan = load_plan(plan_path)
    rng = random.Random(3)
    evaluation = flow.evaluate(content, plan.answers)
    pool = [q for q in evaluation.applicable if q.type not in ("table",)]
    times = []
    for _ in range(iterations):
        current = pool[rng.randrange(len(pool))]
        value = valid_value(current, rng)
        start = time.perf_counter()
        plan.set_answer(current.key, value)
        evaluation = flow.evaluate(content, plan.answers)
        following = flow.step(evaluation, current, 1)
        plan.position = following.key if following else None
        save_plan(plan)
        times.append((time.perf_counter() - start) * 1000)
    return times


def child(mode: str, root: str, plan_path: str, out: str) -> None:
    """One measurement in a fresh process; prints JSON. Mirrors what `deflect export` does."""
    import resource

    start = time.perf_counter()
    if mode == "cold":
        from deflect_cli.content.model import load_content

        content = load_content(Path(root))
    else:
        from deflect_cli.content import resources
        content = resources.load(root)
    loaded = time.perf_counter()
    from deflect_cli.export.render import render
    from deflect_cli.plan.files import atomic_write
    from deflect_cli.plan.store import load_plan

    plan = load_plan(Path(plan_path))
    atomic_write(Path(out), render(content, plan, "md"))
    done = time.perf_counter()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1024 if sys.platform != "darwin" else 1)
    print(json.dumps({"load": (loaded - start) * 1000, "export": (done - loaded) * 1000, "rss_mb": maxrss / 1e6}))


def measure_child(mode: str, root: Path, plan_path: Path, out: Path, env, repeats: int) -> dict:
    runs = []
    for _ in range(repeats):
        result = subprocess.run(
            [sys.executable, __file__, "--child", mode, str(root), str(plan_path), str(out)],
            env=env, capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise SystemExit(f"bench: {mode} load at {root} failed: {result.stderr[-600:]}")
        runs.append(json.loads(result.stdout))
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


# --------------------------------------------------------------------------- report


class Table:
    def __init__(self, baseline: float):
        self.baseline = baseline
        self.rows = []
        self.misses = 0

    def add(self, what: str, value: str, ratio: str = "", target: str = "", met=None) -> None:
        verdict = "" if met is None else ("met" if met else "MISSED")
        if met is False:
            self.misses += 1
        self.rows.append((what, value, ratio, target, verdict))

    def ratio(self, ms: float) -> str:
        return f"{ms / self.baseline:.2f}x"

    def text(self) -> str:
        head = ("measure", "median", "vs import typer", "target", "result")
        widths = [max(len(r[i]) for r in [head, *self.rows]) for i in range(5)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(head, widths)), "  ".join("-" * w for w in widths)]
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in self.rows]
        return "\n".join(lines)

    def markdown(self) -> str:
        lines = ["| measure | median | vs `import typer` | target | result |", "|---|---:|---:|---|---|"]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in self.rows]
        return "\n".join(lines)


def fmt_ms(ms: float) -> str:
    return f"{ms:.1f} ms" if ms < 100 else f"{ms:.0f} ms"


def main() -> int:
    args = arguments()
    if args.child:
        child(*args.child)
        return 0
    scales = [] if args.startup_only else sorted({int(s) for s in args.scales.split(",")} | {1})

    from deflect_cli.content import resources
    print(f"machine: {machine()}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="deflect-bench-"))
    try:
        env = isolated_env(work)
        content = resources.load()
        plan_path = work / "deflection-plan.yaml"
        answer_everything(content, plan_path)
        table, notes = startup(args.rounds, args.warmup, env, work)
        scaled = at_scale(scales, resources.content_dir(), env, work)
        add_latency(table, content, plan_path, scaled)
        add_growth(table, scaled)
        if scaled.top >= 100:
            add_peak_memory(table, scaled, env, work)
        elif not args.startup_only:
            notes.append("peak memory at 100x not measured (run without --quick)")
        report(table, notes, args)
        return 1 if table.misses else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="interleaved rounds (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up rounds (default 3)")
    parser.add_argument("--scales", default="1,10,100", help="content sizes to load and export (default 1,10,100)")
    parser.add_argument("--quick", action="store_true", help="8 rounds, scales 1,10: a smoke run, not for the README")
    parser.add_argument("--startup-only", action="store_true", help="only the whole-process start-up figures")
    parser.add_argument("--markdown", metavar="FILE", help="also write the table as Markdown")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.scales = min(args.rounds, 8), "1,10"
    return args


def isolated_env(work: Path) -> dict:
    """The environment of every measured process, with this run's own content and bytecode caches
    (this process uses the same content cache)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEFLECT_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["DEFLECT_CACHE_DIR"] = str(work / "cache")
    # Installed packages are byte-compiled; a checkout under PYTHONDONTWRITEBYTECODE would be
    # compiled from source on every run. Keep the bytecode of this run in the temp folder.
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    os.environ["DEFLECT_CACHE_DIR"] = env["DEFLECT_CACHE_DIR"]
    os.environ.pop("DEFLECT_NO_CACHE", None)
    return env


_LABELS = {
    "pass": "`python -c pass`", "typer": "`python -c \"import typer\"` (baseline)",
    "help": "`deflect --help`", "status": "`deflect status`",
    "export_md": "`deflect export --format md`", "export_html": "`deflect export --format html`",
    "export_docx": "`deflect export --format docx`", "lint": "`deflect lint` (always parses)",
}


def startup(rounds: int, warmup: int, env: dict, work: Path) -> tuple:
    """(the table with a row per command, notes): whole-process start-up, interleaved; an export
    format that cannot run here (docx without its extra) is a note, not a failure."""
    deflect = deflect_argv()
    commands = {
        "pass": [sys.executable, "-c", "pass"],
        "typer": [sys.executable, "-c", "import typer"],
        "help": deflect + ["--help"],
        "status": deflect + ["status"],
        "export_md": deflect + ["export", "--format", "md", "-o", str(work / "out.md")],
        "lint": deflect + ["lint"],
    }
    skipped = {}
    for fmt in ("html", "docx"):
        argv = deflect + ["export", "--format", fmt, "-o", str(work / f"probe.{fmt}")]
        probe = subprocess.run(argv, env=env, cwd=work, capture_output=True, text=True)
        if probe.returncode == 0:
            commands[f"export_{fmt}"] = deflect + ["export", "--format", fmt, "-o", str(work / f"out.{fmt}")]
        else:
            skipped[fmt] = (probe.stderr.strip().splitlines() or ["failed"])[-1]
    print(f"start-up: {rounds} interleaved rounds of {len(commands)} commands...", flush=True)
    times = interleaved(commands, rounds, warmup, env, work)
    median = {name: statistics.median(ts) for name, ts in times.items()}
    table = Table(median["typer"])
    for name in _LABELS:
        if name in median:
            limit = TARGETS.get(name)
            ratio = median[name] / median["typer"]
            table.add(_LABELS[name], fmt_ms(median[name]), table.ratio(median[name]),
                      f"<= {limit}x" if limit else "", None if limit is None else ratio <= limit)
        elif name.startswith("export_"):
            table.add(_LABELS[name], "skipped", "", "", None)
    return table, [f"{fmt} export skipped: {why}" for fmt, why in skipped.items()]


class Scaled:
    """Generated content at each scale (1x, 10x, ...), its two plans, and its load and export figures.

    A plain class: tests load this file without registering it as a module, which dataclasses need."""

    def __init__(self, scales: list):
        self.scales = scales
        self.roots: dict = {}
        self.plans: dict = {}     # every question answered
        self.typical: dict = {}   # the profile and the first copy of each section answered
        self.cold: dict = {}      # first run: parse and validate
        self.warm: dict = {}      # from the content cache

    @property
    def top(self) -> int:
        return max(self.scales, default=1)


def at_scale(scales: list, bundled: Path, env: dict, work: Path) -> Scaled:
    """Generate, answer, load and export the content at each scale, each measurement in a fresh process."""
    from deflect_cli.content.model import load_content

    scaled = Scaled(scales)
    if scales:
        print(f"scales {scales}: generating content and plans...", flush=True)
    for scale in scales:
        scaled.roots[scale] = scaled_content(bundled, work / f"content-{scale}x", scale)
        scaled.plans[scale] = work / f"plan-{scale}x.yaml"
        answer_everything(load_content(scaled.roots[scale]), scaled.plans[scale], seed=scale)
        scaled.typical[scale] = work / f"plan-{scale}x-typical.yaml"
        first_copy(scaled.plans[scale], scaled.typical[scale])
    settle(*scaled.roots.values())
    for scale in scales:
        print(f"  {scale}x: load and export...", flush=True)
        repeats = 5 if scale <= 10 else 2
        root, plan, out = scaled.roots[scale], scaled.plans[scale], work / f"out-{scale}x.md"
        scaled.cold[scale] = measure_child("cold", root, plan, out, env, max(1, repeats // 2))
        measure_child("warm", root, plan, out, env, 1)  # fills the cache
        scaled.warm[scale] = measure_child("warm", root, plan, out, env, repeats)
    return scaled


def add_latency(table: Table, content, plan_path: Path, scaled: Scaled) -> None:
    """Per-answer latency, in this process: the bundled content, and the largest scale's with both plans."""
    print("answer latency...", flush=True)
    if not scaled.scales:
        return
    latency = {"1x content, every question answered": answer_latency(content, plan_path, 300)}
    top = scaled.top
    if top > 1:
        from deflect_cli.content import resources

        big = resources.load(str(scaled.roots[top]))
        latency[f"{top}x content, plan answering the bundled-size part"] = answer_latency(big, scaled.typical[top], 60)
        latency[f"{top}x content, every question answered"] = answer_latency(big, scaled.plans[top], 30)
    for what, runs in latency.items():
        limit = LATENCY_TARGETS.get(int(what.split("x")[0]))
        value = statistics.median(runs)
        table.add(f"answer -> saved -> next question, {what}", fmt_ms(value), table.ratio(value),
                  f"<= {limit:g} ms" if limit else "", None if limit is None else value <= limit)


def add_growth(table: Table, scaled: Scaled) -> None:
    """How content load (first run and cached) and Markdown export grow from 1x to the largest scale."""
    top, scales = scaled.top, scaled.scales
    if top <= 1:
        return
    sizes = "/".join(f"{s}x" for s in scales)
    for label, data, measure in (("content load, first run (parse + validate)", scaled.cold, "load"),
                                 ("content load, cached", scaled.warm, "load"),
                                 ("Markdown export after load", scaled.warm, "export")):
        figures = " / ".join(fmt_ms(data[s][measure]) for s in scales)
        growth = data[top][measure] / data[1][measure]
        table.add(f"{label}, {sizes}", figures, f"{growth:.0f}x growth", f"<= {top}x growth", growth <= top)


def add_peak_memory(table: Table, scaled: Scaled, env: dict, work: Path) -> None:
    """Peak memory of a Markdown export at the largest scale, with both plans (the lower of two runs)."""
    top = scaled.top
    for what, plan in (("plan answering the bundled-size part", scaled.typical[top]),
                       ("every question answered", scaled.plans[top])):
        export = deflect_argv() + ["export", "--format", "md", "--content", str(scaled.roots[top]),
                                   "--plan", str(plan), "-o", str(work / "peak.md")]
        peaks = [peak_rss(export, env, work) for _ in range(2)]
        wall, peak = min(peaks, key=lambda p: p[1])
        table.add(f"peak memory, `deflect export --format md`, {top}x content, {what} ({fmt_ms(wall)})",
                  f"{peak:.0f} MB", "", f"<= {PEAK_MB_TARGET} MB", peak <= PEAK_MB_TARGET)


def report(table: Table, notes: list, args: argparse.Namespace) -> None:
    print()
    print(table.text())
    for note in notes:
        print(f"note: {note}")
    print(f"\n{len([r for r in table.rows if r[4]])} targets checked, {table.misses} missed.")
    if args.markdown:
        text = (f"Measured with `python bench/run.py` on {machine()}; "
                f"{args.rounds} interleaved rounds, medians.\n\n{table.markdown()}\n")
        text += "".join(f"\n{note}\n" for note in notes)
        Path(args.markdown).write_text(text, encoding="utf-8")
        print(f"Wrote {args.markdown}")


if __name__ == "__main__":
    sys.exit(main())
