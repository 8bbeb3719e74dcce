"""The end-to-end sync benchmark for an earlier commit and for the working tree, on the same
data in one run, side by side with their ratios.

REF is checked out in a temporary git worktree; each side runs bench/sync_measure.py (the
working tree's harness, so both get the same data) in a subprocess whose PYTHONPATH is that
side's `src/`, so the side's own code runs in the sync process and in the sandbox it starts.
The virtualenv is shared: REF must not need a dependency the venv lacks. Sides alternate
when --rounds > 1 and each figure is the median of its rounds (the machine may be busy).

    .venv/bin/python bench/compare.py 86d082e                   # ~20,000 records
    .venv/bin/python bench/compare.py main --records 60000 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MEASURE = ROOT / "bench" / "sync_measure.py"

# (key, label, format, better): "higher" or "lower" is what an improvement looks like.
FIGURES = [
    ("records_per_s", "end-to-end records/s", "{:,.0f}", "higher"),
    ("sync_cpu_ms_per_1k", "sync-process CPU ms / 1,000 records", "{:,.1f}", "lower"),
    ("sandbox_cpu_ms_per_1k", "sandbox CPU ms / 1,000 records", "{:,.1f}", "lower"),
    ("sync_peak_rss_mb", "sync-process peak RSS MB", "{:,.1f}", "lower"),
    ("sandbox_peak_rss_mb", "sandbox peak RSS MB", "{:,.1f}", "lower"),
    ("seconds", "sync seconds", "{:,.1f}", "lower"),
]


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def run_side(src: Path, records: int) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(src))
    done = subprocess.run([sys.executable, str(MEASURE), "--records", str(records)],
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the run with {src} failed:\n{done.stdout[-3000:]}"
                         f"{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if Path(figures["code"]) != src.resolve():
        raise SystemExit(f"the run meant for {src} imported recruitlink from {figures['code']}")
    return figures


def median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(float(r[key]) for r in runs)


def table(ref_name: str, ref: list[dict[str, Any]], work: list[dict[str, Any]]) -> str:
    head = f"{'':<38} {ref_name:>14} {'working tree':>14} {'ratio':>8}"
    lines = [head, "-" * len(head)]
    for key, label, fmt, better in FIGURES:
        before, after = median(ref, key), median(work, key)
        # Ratio as "times better": throughput after/before, costs before/after.
        if better == "higher":
            ratio = after / before if before else float("inf")
        else:
            ratio = before / after if after else float("inf")
        lines.append(f"{label:<38} {fmt.format(before):>14} {fmt.format(after):>14} "
                     f"{ratio:>7.2f}x")
    lines.append("ratio: how many times better the working tree is (cost ratios are "
                 "REF / working tree)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ref", help="The earlier commit (any git revision, e.g. 86d082e).")
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=1, help="Runs per side (alternating); "
                                                              "figures are medians.")
    parser.add_argument("--json", action="store_true", help="Also print every run as JSON.")
    args = parser.parse_args()
    commit = git("rev-parse", "--verify", args.ref + "^{commit}")
    ref_name = f"{args.ref[:10]}"
    with tempfile.TemporaryDirectory(prefix="rl-compare-") as tmp:
        tree = Path(tmp) / "ref"
        git("worktree", "add", "--detach", str(tree), commit)
        try:
            ref_runs: list[dict[str, Any]] = []
            work_runs: list[dict[str, Any]] = []
            for n in range(1, args.rounds + 1):
                for name, src, runs in ((ref_name, tree / "src", ref_runs),
                                        ("working tree", ROOT / "src", work_runs)):
                    figures = run_side(src, args.records)
                    runs.append(figures)
                    print(f"round {n} {name}: {figures['records']:,} records in "
                          f"{figures['seconds']:.1f}s = {figures['records_per_s']:,.0f}/s",
                          flush=True)
        finally:
            git("worktree", "remove", "--force", str(tree))
    print(f"\nREF {ref_name} = {commit}; {args.rounds} round(s) of "
          f"{ref_runs[0]['records']:,} records each\n")
    print(table(ref_name, ref_runs, work_runs))
    if args.json:
        print(json.dumps({"ref": ref_runs, "working_tree": work_runs}, indent=1))


if __name__ == "__main__":
    main()
