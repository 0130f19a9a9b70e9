#!/usr/bin/env python3
"""Side-by-side whole-process timing of gnix against C++ Nix (not part of CI).

Runs `gnix eval --strict W` and `nix-instantiate --eval --strict --readonly-mode --store dummy:// W`
for every workload W of a set, alternating the two, several runs each, checks that both print the
same thing, and writes that set's table into benches/RESULTS.md: medians of wall, user and system
time (user/system/RSS from GNU time), the peak RSS (largest over the runs), the wall ratio gnix/C++ and its geometric mean.

Sets:
  real     benches/real/*.nix, workloads sized like real evaluations (0.5-1.5 s on C++ Nix 2.8);
           also times `lua5.4 benches/real/fib.lua` and reports fib's gnix/Lua ratio.
  startup  benches/workloads/*.nix, small programs where process start-up weighs a lot, plus a
           start-up row (`gnix eval -E 1` against `nix-instantiate --eval -E 1`).
  patterns benches/patterns/*.nix, one builtin or language pattern each (0.2-1.8 s on C++ Nix
           2.8, most under the 0.5 s of the real set, so C++ Nix's longer start-up, about 13 ms,
           is up to 6 % of a ratio): a survey for the pattern where gnix falls behind, not a
           measure of real work.

usage: benches/compare.py [--set real|startup|patterns] [--runs N] [--gnix PATH] [--lua PATH] [--out FILE]
Needs: a release build of gnix, `nix-instantiate` (apt-get install -y nix-bin), GNU time
(without it rusage from os.wait4, whose peak RSS includes the forking Python), and for the real
set `lua5.4` (apt-get install -y lua5.4). Workloads that import ../shared/nixpkgs-lib are skipped
when it is missing. Only the Python 3 standard library is used.
"""
import argparse, datetime, math, os, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NIX = ["nix-instantiate", "--eval", "--strict", "--readonly-mode", "--store", "dummy://"]
HEADINGS = {"real": "## Real-sized workloads", "startup": "## Start-up set",
            "patterns": "## Pattern set"}


def measure(cmd):
    """One run: (wall s, user s, sys s, peak RSS KiB, stdout). User, system and peak RSS come from
    GNU time's `%U %S %M` when /usr/bin/time exists: the child's ru_maxrss counts the memory of
    the process that forked it, and a forked Python would add ~15 MiB. Otherwise os.wait4."""
    timed = os.path.exists("/usr/bin/time")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as tf:
        full = (["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf.name] if timed else []) + cmd
        start = time.perf_counter()
        p = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        if code == 0 and timed:
            _, user, system, rss = tf.read().split()[-4:]
            user, system, rss = float(user), float(system), int(rss)
        else:
            user, system, rss = ru.ru_utime, ru.ru_stime, ru.ru_maxrss
    if code != 0:
        sys.exit(f"failed (exit {code}): {' '.join(cmd)}\n{stderr[-2000:]}")
    return wall, user, system, rss, stdout


def summary(runs):
    med = lambda k: statistics.median(r[k] for r in runs)
    return {"wall": med(0), "user": med(1), "sys": med(2), "rss": max(r[3] for r in runs) / 1024}


def same_output(name, sides):
    """Exit with a message unless every run of every side printed the same."""
    ref_label, ref = sides[0][0], sides[0][1][0][4]
    for label, runs in sides:
        for r in runs:
            if r[4] != ref:
                sys.exit(f"{name}: outputs differ:\n {ref_label}: {ref[:300]!r}\n {label}: {r[4][:300]!r}")


def workloads(wdir):
    found = []
    for w in sorted(f for f in os.listdir(wdir) if f.endswith(".nix")):
        path = os.path.join(wdir, w)
        if "shared/nixpkgs-lib" in open(path).read() and not os.path.isdir(
                os.path.join(ROOT, "../shared/nixpkgs-lib")):
            print(f"{w}: ../shared/nixpkgs-lib is missing, skipped", file=sys.stderr)
            continue
        found.append((w[:-4], path))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", choices=["real", "startup", "patterns"], default="real")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--gnix", default=os.path.join(ROOT, "target/release/gnix"))
    ap.add_argument("--lua", default="lua5.4")
    ap.add_argument("--out", default=os.path.join(ROOT, "benches/RESULTS.md"))
    a = ap.parse_args()

    load_before = os.getloadavg()
    cases = []  # (name, gnix command, C++ Nix command)
    if a.set == "startup":
        cases.append(("start-up (`-E 1`)", [a.gnix, "eval", "-E", "1"], NIX + ["-E", "1"]))
        wdir = os.path.join(ROOT, "benches/workloads")
    elif a.set == "patterns":
        wdir = os.path.join(ROOT, "benches/patterns")
    else:
        wdir = os.path.join(ROOT, "benches/real")
    for name, path in workloads(wdir):
        cases.append((name, [a.gnix, "eval", "--strict", path], NIX + [path]))

    rows, ratios, lua_line = [], [], None
    for name, ours, theirs in cases:
        lua = None
        if a.set == "real" and name == "fib":
            lua = [a.lua, os.path.join(ROOT, "benches/real/fib.lua")]
        g, n, l = [], [], []
        for _ in range(a.runs):
            g.append(measure(ours))
            n.append(measure(theirs))
            if lua:
                l.append(measure(lua))
        sides = [("nix", n), ("gnix", g)] + ([("lua", l)] if lua else [])
        same_output(name, sides)
        gs, ns = summary(g), summary(n)
        ratio = gs["wall"] / ns["wall"] if ns["wall"] else float("nan")
        if not name.startswith("start-up"):
            ratios.append(ratio)
        rows.append(f"| {name} | {gs['wall']:.3f} | {ns['wall']:.3f} | {ratio:.2f} "
                    f"| {gs['user']:.3f} | {gs['sys']:.3f} | {ns['user']:.3f} | {ns['sys']:.3f} "
                    f"| {gs['rss']:.1f} | {ns['rss']:.1f} |")
        print(rows[-1], file=sys.stderr)
        if lua:
            ls = summary(l)
            lua_line = (f"fib against Lua 5.4 (`{os.path.basename(a.lua)} benches/real/fib.lua`, the same "
                        f"program): Lua {ls['wall']:.3f} s wall, {ls['rss']:.1f} MiB peak; "
                        f"gnix/Lua wall ratio {gs['wall'] / ls['wall']:.2f}, "
                        f"C++ Nix/Lua {ns['wall'] / ls['wall']:.2f}.")
    geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios)) if ratios else float("nan")
    load_after = os.getloadavg()

    try:
        nixver = subprocess.run(["nix-instantiate", "--version"], capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        nixver = "nix-instantiate"
    load = max(load_before[0], load_after[0])
    caveat = (f" The machine ({os.cpu_count()} cores) was loaded by other work (1-minute load "
              f"average {load_before[0]:.2f} before, {load_after[0]:.2f} after), so times are noisy;"
              " compare ratios rather than absolute times." if load > 1 else
              f" 1-minute load average {load_before[0]:.2f} before, {load_after[0]:.2f} after.")
    what = {
        "real": "`benches/real/`: workloads sized like real evaluations",
        "startup": "`benches/workloads/`: small programs where process start-up weighs a lot, "
                   "and a start-up row (`gnix eval -E 1` against `nix-instantiate --eval -E 1`)",
        "patterns": "`benches/patterns/`: one builtin or language pattern each (each file's "
                    "comment says which), to find where gnix falls behind",
    }[a.set]
    section = "\n".join([
        HEADINGS[a.set],
        "",
        f"Written by `benches/compare.py --set {a.set}` on {datetime.date.today().isoformat()}: {what}. "
        f"{a.runs} alternating runs per side, medians of wall/user/system seconds, peak RSS the "
        f"largest over the runs; gnix = `{a.gnix}`, C++ Nix = {nixver}.{caveat}",
        "",
        "| workload | gnix wall s | nix wall s | ratio | gnix user s | gnix sys s | nix user s "
        "| nix sys s | gnix peak MiB | nix peak MiB |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"Geometric mean of wall ratios (gnix/C++ Nix{', start-up row excluded' if a.set == 'startup' else ''}): {geo:.2f}",
        *(["", lua_line] if lua_line else []),
        "",
    ])
    write_section(a.out, a.set, section)
    print(section)


INTRO = """# gnix vs C++ Nix

Whole-process timings written by `benches/compare.py` (`--set real`, the default, `--set
startup` and `--set patterns`); each set's section is replaced when the script runs that set.
Ratio < 1 means gnix is faster. The sections after them are written by other scripts or by hand.
The `benches/real/` workloads are sized to 0.5-1 s of C++ Nix 2.8 user+sys time each (0.5-1.5 s
wall on an idle machine); each file's top comment says what it exercises and its size.
"""


def write_section(out, which, section):
    """Replace this set's section of RESULTS.md, keeping every other section as it is."""
    old = open(out).read() if os.path.exists(out) else INTRO
    first = old.find("\n## ")
    head, rest = (old, "") if first < 0 else (old[:first + 1], old[first + 1:])
    # Split the rest into sections, each starting with "## ".
    parts, i = [], 0
    while i < len(rest):
        j = rest.find("\n## ", i)
        j = len(rest) if j < 0 else j + 1
        parts.append(rest[i:j])
        i = j
    if not head.lstrip().startswith("# gnix vs C++ Nix") or HEADINGS["real"] not in old:
        head = INTRO  # the old single-table layout: its title and table give way to the two sections
    block = section.rstrip("\n") + "\n\n"
    for k, p in enumerate(parts):
        if p.startswith(HEADINGS[which] + "\n"):
            parts[k] = block
            break
    else:
        # New section: the real set goes first, the start-up set right after it, the pattern
        # set after those.
        at = 0
        before = {"startup": ["real"], "patterns": ["real", "startup"]}.get(which, [])
        for k, p in enumerate(parts):
            if any(p.startswith(HEADINGS[b] + "\n") for b in before):
                at = k + 1
        parts.insert(at, block)
    with open(out, "w") as f:
        f.write(head.rstrip("\n") + "\n\n" + "".join(parts).rstrip("\n") + "\n")


if __name__ == "__main__":
    main()
