#!/usr/bin/env python3
"""Side-by-side whole-process timing of gnix against C++ Nix (not part of CI).

Runs `gnix eval --strict W` and `nix-instantiate --eval --strict --readonly-mode --store dummy:// W`
for every workload W in benches/workloads, alternating the two, several runs each, and writes
benches/RESULTS.md with median wall times, their ratio, and peak RSS (from /usr/bin/time).

usage: benches/compare.py [--runs N] [--gnix PATH] [--out FILE]
Needs: a release build of gnix, `nix-instantiate` (apt-get install -y nix-bin), GNU time.
"""
import argparse, math, os, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure(cmd):
    """(wall seconds, peak RSS KiB, stdout) of one run, via GNU time."""
    with tempfile.NamedTemporaryFile("r") as t:
        start = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", t.name] + cmd,
                           capture_output=True, text=True)
        wall = time.perf_counter() - start
        rss = t.read().split()[-1]
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr}")
    return wall, int(rss), p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--gnix", default=os.path.join(ROOT, "target/release/gnix"))
    ap.add_argument("--out", default=os.path.join(ROOT, "benches/RESULTS.md"))
    a = ap.parse_args()
    wdir = os.path.join(ROOT, "benches/workloads")
    rows, ratios = [], []
    for w in sorted(f for f in os.listdir(wdir) if f.endswith(".nix")):
        path = os.path.join(wdir, w)
        if "shared/nixpkgs-lib" in open(path).read() and not os.path.isdir(
                os.path.join(ROOT, "../shared/nixpkgs-lib")):
            print(f"{w}: ../shared/nixpkgs-lib is missing, skipped", file=sys.stderr)
            continue
        ours = [a.gnix, "eval", "--strict", path]
        theirs = ["nix-instantiate", "--eval", "--strict", "--readonly-mode", "--store", "dummy://", path]
        g, n = [], []
        for _ in range(a.runs):
            g.append(measure(ours))
            n.append(measure(theirs))
        if g[0][2] != n[0][2]:
            sys.exit(f"{w}: outputs differ:\n gnix: {g[0][2][:200]}\n nix:  {n[0][2][:200]}")
        gt, nt = statistics.median(x[0] for x in g), statistics.median(x[0] for x in n)
        gm, nm = max(x[1] for x in g), max(x[1] for x in n)
        ratio = gt / nt if nt else float("nan")
        ratios.append(ratio)
        rows.append(f"| {w[:-4]} | {gt:.3f} | {nt:.3f} | {ratio:.2f} | {gm / 1024:.1f} | {nm / 1024:.1f} |")
    geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    text = "\n".join([
        "# gnix vs C++ Nix",
        "",
        f"Written by `benches/compare.py` ({a.runs} alternating runs per side, medians; whole process).",
        "Ratio < 1 means gnix is faster.",
        "",
        "| workload | gnix s | nix-instantiate s | ratio | gnix peak MiB | nix peak MiB |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        f"Geometric mean of time ratios: {geo:.2f}",
        "",
    ])
    # Sections written by hand after the table (driver comparison, ...) are kept.
    kept = ""
    if os.path.exists(a.out):
        old = open(a.out).read()
        marker = old.find("\n## ")
        kept = old[marker:] if marker >= 0 else ""
    with open(a.out, "w") as f:
        f.write(text.rstrip("\n") + "\n" + kept)
    print(text)


if __name__ == "__main__":
    main()
