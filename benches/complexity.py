#!/usr/bin/env python3
"""Growth check of every builtin whose cost depends on the size of its input (not part of CI).

For each case below (a Nix program parameterised by n), n is first sized so that gnix spends
about 50 ms evaluating it (its start-up, measured on `1`, subtracted), and enlarged where C++
Nix would take under half that (its start-up varies by more than a few ms); then gnix
(`gnix eval --strict F`) and C++ Nix (`nix-instantiate --eval --strict --readonly-mode --store
dummy:// F`) run it at n and at 4n, alternating, and the minimum of 3 wall times of each is
kept. The growth ratio t(4n)/t(n) is about 4 for linear work, 4.7 for n log n, 16 for
quadratic. A case is flagged when gnix's ratio is at least FLAG_FACTOR times C++ Nix's and at
least FLAG_MIN: gnix grows faster than C++ Nix with the input. The two evaluators' outputs at n
are compared, so a case that measures an error (or a different result) is reported as such.

Each program keeps its output small and forces the work it measures; where building the input
would cost as much as the builtin, the builtin is applied several times to one input (`rep`).

usage: benches/complexity.py [--gnix PATH] [--nix PATH] [--only NAME[,NAME...]] [--write]
  --only   run the cases whose name is NAME or starts with NAME- (genericClosure runs all four)
  --write  replace the section "## Builtin complexity (t(4n)/t(n))" of benches/RESULTS.md
Needs: a release build of gnix, `nix-instantiate` (apt-get install -y nix-bin).
"""
import argparse, datetime, os, re, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benches/RESULTS.md")
HEADING = "## Builtin complexity (t(4n)/t(n))"
SESSION = "session 9"
TARGET = 0.050  # seconds of evaluation at n
RUNS = 3
FLAG_FACTOR, FLAG_MIN = 2.0, 8.0
NOISE = 0.010  # evaluation times below this (start-up subtracted) are not compared

# Bindings every program may use; Nix only evaluates the ones a program refers to.
PRELUDE = """let
  b = builtins;
  n = @N@;
  range = b.genList (i: i) n;
  # A pseudo-random non-negative int per index (an LCG step modulo 2^31).
  rnd = i: let x = i * 1103515245 + 12345; in x - (x / 2147483648) * 2147483648;
  names = map (i: "k${toString i}") range;
  set = b.listToAttrs (map (k: { name = k; value = k; }) names);
  set2 = b.listToAttrs (map (i: { name = "k${toString (i * 2)}"; value = i; }) range);
  str = b.concatStringsSep "" (map (i: "ab,cd ") range);
  path = b.concatStringsSep "/" (map (i: "abc") range);
  version = b.concatStringsSep "." (map toString range);
  data = map (i: { a = i; b = "s${toString i}"; c = [ i null true 1.5 ]; }) range;
  sum = b.foldl' (a: x: a + x) 0;
  # Applies f to 0 .. k-1 and forces each result to weak head normal form.
  rep = k: f: b.foldl' (acc: i: b.seq (f i) (acc + 1)) 0 (b.genList (i: i) k);
  hash = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  ctxSet = b.listToAttrs (map (i: { name = "/nix/store/${hash}-k${toString i}"; value = { path = true; }; }) range);
  drvCtxSet = b.listToAttrs (map (i: { name = "/nix/store/${hash}-k${toString i}.drv"; value = { allOutputs = true; }; }) range);
  withContext = b.appendContext "x" ctxSet;
  withDrvContext = b.appendContext "x" drvCtxSet;
in
"""


def source_set(n):
    """An attribute set written out in source (so its attributes have positions)."""
    return "{ " + " ".join(f"k{i} = {i};" for i in range(n)) + " }"


def formals(n):
    return "{ " + ", ".join(f"a{i}" for i in range(n)) + " }: 1"


# name -> (body, extra files). A body is Nix text (with @N@ for n) after PRELUDE, or a function
# of n giving that text; files map names beside the program to a function of n giving bytes (or a dict: a
# directory).
CASES = [
    ("all", "b.all (x: x >= 0) range", {}),
    ("any", "b.any (x: x < 0) range", {}),
    ("appendContext", "b.length (b.attrNames (b.getContext (b.appendContext \"x\" ctxSet)))", {}),
    ("attrNames", "rep 8 (i: b.attrNames set)", {}),
    ("attrValues", "rep 8 (i: b.attrValues set)", {}),
    ("baseNameOf", "rep 8 (i: b.baseNameOf (path + toString i))", {}),
    ("catAttrs", "let sets = map (i: if i / 2 * 2 == i then { a = i; } else { c = i; }) range;"
     " in rep 8 (i: b.catAttrs \"a\" sets)", {}),
    ("compareVersions", "rep 8 (i: b.compareVersions version (version + toString i))", {}),
    ("concatLists", "b.length (b.concatLists (map (i: [ i i ]) range))", {}),
    ("concatMap", "b.length (b.concatMap (i: [ i i ]) range)", {}),
    ("concatStringsSep", "rep 4 (i: b.concatStringsSep (toString i) names)", {}),
    ("deepSeq", "b.deepSeq data 1", {}),
    ("derivation", "(derivation ({ name = \"x\"; system = \"x\"; builder = \"/bin/sh\"; } // set)).drvPath", {}),
    ("dirOf", "rep 8 (i: b.dirOf (path + toString i))", {}),
    ("elem", "rep 8 (i: b.elem (0 - 1 - i) range)", {}),
    ("elemAt", "b.foldl' (a: i: a + b.elemAt range (rnd i - rnd i / n * n)) 0 range", {}),
    ("filter", "b.length (b.filter (x: x / 2 * 2 == x) range)", {}),
    ("findFile", "b.findFile (map (i: { prefix = \"p${toString i}\"; path = \"/nonexistent\"; }) range"
     " ++ [ { prefix = \"q\"; path = \"/\"; } ]) \"q\"", {}),
    ("foldl'", "sum range", {}),
    ("fromJSON", "let j = b.toJSON data; in rep 4 (i: b.fromJSON j)", {}),
    ("fromTOML", "let t = b.concatStringsSep \"\\n\" (map (i: \"k${toString i} = ${toString i}\") range);"
     " in rep 4 (i: b.fromTOML t)", {}),
    ("functionArgs", lambda n: f"let f = {formals(n)}; in rep 1024 (i: b.functionArgs f)", {}),
    ("genList", "sum (b.genList (i: i * 2) n)", {}),
    ("genericClosure-ascending", "b.length (b.genericClosure { startSet = [ { key = 0; } ];"
     " operator = x: if x.key < n then [ { key = x.key + 1; } ] else [ ]; })", {}),
    ("genericClosure-descending", "b.length (b.genericClosure { startSet = [ { key = n; } ];"
     " operator = x: if x.key > 0 then [ { key = x.key - 1; } ] else [ ]; })", {}),
    ("genericClosure-random", "b.length (b.genericClosure { startSet = [ { key = 0; d = 0; } ];"
     " operator = x: if x.d < n then [ { key = rnd x.d; d = x.d + 1; } ] else [ ]; })", {}),
    ("genericClosure-strings", "b.length (b.genericClosure { startSet = [ { key = \"k${toString n}\"; d = n; } ];"
     " operator = x: if x.d > 0 then [ { key = \"k${toString (x.d - 1)}\"; d = x.d - 1; } ] else [ ]; })", {}),
    ("getAttr", "b.foldl' (a: k: a + b.stringLength (b.getAttr k set)) 0 names", {}),
    ("getContext", "rep 4 (i: b.getContext withContext)", {}),
    ("groupBy", "b.length (b.attrNames (b.groupBy (i: toString (i / 4)) range))", {}),
    ("hasAttr", "b.length (b.filter (k: b.hasAttr k set2) names)", {}),
    ("hasContext", "rep 8 (i: b.hasContext (withContext + toString i))", {}),
    ("hashFile", "rep 4 (i: b.hashFile \"sha256\" ./data)", {"data": lambda n: b"ab,cd " * n}),
    ("hashString", "rep 4 (i: b.hashString \"sha256\" str)", {}),
    ("import", "b.length (b.attrNames (import ./data.nix))", {"data.nix": lambda n: source_set(n).encode()}),
    ("intersectAttrs", "rep 8 (i: b.intersectAttrs set set2)", {}),
    # A few names picked from a large set per call, as `callPackage` does.
    ("intersectAttrs-few", "b.foldl' (a: k: a + b.length (b.attrNames (b.intersectAttrs { ${k} = 1; } set))) 0 names", {}),
    ("lessThan", "let r2 = b.genList (i: if i == n - 1 then n else i) n; in rep 8 (i: b.lessThan range r2)", {}),
    ("listToAttrs", "b.length (b.attrNames (b.listToAttrs (map (i: { name = \"k${toString (rnd i)}\"; value = i; }) range)))", {}),
    ("map", "sum (map (x: x * 2) range)", {}),
    ("mapAttrs", "rep 8 (i: b.mapAttrs (k: v: i) set)", {}),
    ("match", "b.length (b.filter (s: b.match \"k([0-9]*)1\" s != null) names)", {}),
    ("parseDrvName", "rep 8 (i: b.parseDrvName (path + \"-\" + toString i))", {}),
    ("partition", "b.length (b.partition (x: x / 2 * 2 == x) range).right", {}),
    ("readDir", "rep 8 (i: b.readDir ./dir)", {"dir": lambda n: {f"f{i}": b"" for i in range(n)}}),
    ("readFile", "rep 4 (i: b.readFile ./data)", {"data": lambda n: b"ab,cd " * n}),
    ("removeAttrs", "let gone = b.genList (i: \"k${toString (i * 3)}\") (n / 3); in rep 4 (i: b.removeAttrs set gone)", {}),
    ("replaceStrings", "b.stringLength (b.replaceStrings [ \"ab\" \"cd\" ] [ \"x\" \"yyy\" ] str)", {}),
    ("replaceStrings-patterns", "b.stringLength (b.replaceStrings (map (i: \"p${toString i}\") range)"
     " (map (i: \"q\") range) \"the quick brown fox p123\")", {}),
    ("scopedImport", "rep 8 (i: b.scopedImport (set // { inherit i; }) ./data.nix)", {"data.nix": lambda n: b"i + 1"}),
    ("sort", "b.length (b.sort b.lessThan (map rnd range))", {}),
    ("sort-lambda", "b.length (b.sort (x: y: x < y) (map rnd range))", {}),
    ("sort-sorted", "b.length (b.sort (x: y: x < y) range)", {}),
    ("sort-reversed", "b.length (b.sort (x: y: x < y) (map (i: n - i) range))", {}),
    ("split", "b.length (b.split \",\" str)", {}),
    ("splitVersion", "rep 4 (i: b.splitVersion version)", {}),
    ("stringLength", "rep 8 (i: b.stringLength (str + toString i))", {}),
    ("substring", "b.foldl' (a: i: a + b.stringLength (b.substring i 3 str)) 0 range", {}),
    ("tail", "rep 8 (i: b.tail range)", {}),
    ("toFile", "rep 4 (i: b.toFile \"x\" (str + toString i))", {}),
    ("toJSON", "rep 4 (i: b.toJSON data)", {}),
    ("toPath", "rep 8 (i: b.toPath (\"/\" + path + toString i))", {}),
    ("toString", "rep 4 (i: toString range)", {}),
    ("toXML", "rep 2 (i: b.toXML data)", {}),
    ("trace", "b.trace (b.deepSeq range range) 1", {}),
    ("unique-groupBy", "b.length (b.attrNames (b.groupBy toString (map (i: i / 2) range)))", {}),
    ("unsafeDiscardOutputDependency", "b.length (b.attrNames (b.getContext (b.unsafeDiscardOutputDependency withDrvContext)))", {}),
    ("unsafeDiscardStringContext", "rep 8 (i: b.unsafeDiscardStringContext (withContext + toString i))", {}),
    ("unsafeGetAttrPos", lambda n: f"let s = {source_set(n)}; in b.length (b.filter (k: b.unsafeGetAttrPos k s != null) names)", {}),
    ("zipAttrsWith", "b.length (b.attrNames (b.zipAttrsWith (k: vs: b.length vs) (map (i: { \"k${toString (i / 4)}\" = i; x = i; }) range)))", {}),
    # Operators, beside the builtins: the same structures through the language.
    ("op-update", "rep 8 (i: set // set2)", {}),
    ("op-equal", "let s = b.mapAttrs (k: v: v) set; in rep 8 (i: set == s)", {}),
    ("op-concat", "rep 8 (i: range ++ range)", {}),
]


# Largest n per case: C++ Nix's parser nests one level per formal and runs out of stack
# ("memory exhausted") somewhere between 4 000 and 5 000 of them.
MAX_N = {"functionArgs": 1000}


def program(body, n):
    text = body(n) if callable(body) else body
    return PRELUDE.replace("@N@", str(n)) + text.replace("@N@", str(n)) + "\n"


def run(cmd, cwd):
    """(wall seconds, exit status, stdout, stderr) of one run."""
    start = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, cwd=cwd, timeout=300)
    return time.perf_counter() - start, p.returncode, p.stdout, p.stderr


class Evaluator:
    def __init__(self, name, argv):
        self.name, self.argv = name, argv
        self.startup = 0.0

    def time(self, path, runs=1):
        """Minimum wall time over `runs` runs, less start-up; with the first run's outcome."""
        best, outcome = None, None
        for _ in range(runs):
            wall, rc, out, err = run(self.argv + [path], os.path.dirname(path))
            best = wall if best is None else min(best, wall)
            outcome = outcome or (rc, out, err)
        return max(best - self.startup, 1e-4), outcome


def write_case(dir, name, body, files, n):
    """Writes the program for `name` at size n (and its data files) into dir; its path."""
    sub = os.path.join(dir, f"{re.sub(r'[^A-Za-z0-9-]', '_', name)}-{n}")
    os.makedirs(sub, exist_ok=True)
    for fname, content in files.items():
        write_file(os.path.join(sub, fname), content(n))
    path = os.path.join(sub, "main.nix")
    with open(path, "w") as f:
        f.write(program(body, n))
    return path


def write_file(path, content):
    """Writes bytes, or a directory of them from a dict of names."""
    if isinstance(content, dict):
        os.makedirs(path, exist_ok=True)
        for name, inner in content.items():
            write_file(os.path.join(path, name), inner)
    else:
        with open(path, "wb") as f:
            f.write(content)


def calibrate(gnix, dir, name, body, files):
    """The n at which gnix evaluates the case in about TARGET seconds."""
    n = 1000
    for _ in range(8):
        t, (rc, _, err) = gnix.time(write_case(dir, name, body, files, n))
        if rc != 0:
            raise RuntimeError(f"gnix failed at n = {n}: {err.decode(errors='replace')[:300]}")
        if 0.7 * TARGET <= t <= 2 * TARGET:
            break
        n = max(1, int(n * min(16.0, max(TARGET / t, 1 / 16))))
        if n >= MAX_N.get(name, n + 1):
            return MAX_N[name]
    return n


def enlarge_for(nix, dir, name, body, files, n):
    """n, made larger (at most 8x) where C++ Nix runs the case in under half of TARGET: its
    start-up varies by more than that, so a ratio of smaller times would be noise."""
    t, _ = nix.time(write_case(dir, name, body, files, n))
    if t >= TARGET / 2:
        return n
    return min(int(n * min(8.0, TARGET / t)), MAX_N.get(name, 1 << 62))


def measure(gnix, nix, dir, name, body, files):
    """One table row: n, both evaluators' t(n) and t(4n), and a note."""
    n = enlarge_for(nix, dir, name, body, files, calibrate(gnix, dir, name, body, files))
    small, large = (write_case(dir, name, body, files, m) for m in (n, 4 * n))
    times = {}
    note = ""
    for ev in (gnix, nix):
        for size, path in (("n", small), ("4n", large)):
            times[ev.name, size] = (float("inf"), None)
    for _ in range(RUNS):
        for size, path in (("n", small), ("4n", large)):
            for ev in (gnix, nix):
                t, outcome = ev.time(path)
                best, first = times[ev.name, size]
                times[ev.name, size] = (min(best, t), first or outcome)
    for size in ("n", "4n"):
        g, c = times["gnix", size][1], times["nix", size][1]
        if c[0] != 0:
            first = (c[2].decode(errors="replace").strip().splitlines() or [""])[0]
            note = note or f"C++ Nix fails at {size}: {first[:80]}"
        elif g[1] != c[1]:
            note = note or f"outputs differ at {size}"
    t = {k: v[0] for k, v in times.items()}
    if not note and min(t["gnix", "n"], t["nix", "n"]) < NOISE:
        note = f"under {NOISE * 1e3:.0f} ms at n: the ratios are noise"
    return n, t["gnix", "n"], t["gnix", "4n"], t["nix", "n"], t["nix", "4n"], note


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gnix", default=os.path.join(ROOT, "target/release/gnix"))
    ap.add_argument("--nix", default="nix-instantiate")
    ap.add_argument("--only", default="")
    ap.add_argument("--write", action="store_true")
    a = ap.parse_args()
    gnix = Evaluator("gnix", [a.gnix, "eval", "--strict"])
    nix = Evaluator("nix", [a.nix, "--eval", "--strict", "--readonly-mode", "--store", "dummy://"])
    wanted = [w for w in a.only.split(",") if w]
    cases = [c for c in CASES if not wanted or any(c[0] == w or c[0].startswith(w + "-") for w in wanted)]
    if not cases:
        sys.exit(f"no case matches --only {a.only}")
    rows, flagged = [], []
    with tempfile.TemporaryDirectory() as dir:
        trivial = os.path.join(dir, "trivial.nix")
        with open(trivial, "w") as f:
            f.write("1\n")
        for ev in (gnix, nix):
            ev.startup = 0.0
            ev.startup, _ = ev.time(trivial, runs=5)
        print(f"start-up: gnix {gnix.startup * 1e3:.1f} ms, C++ Nix {nix.startup * 1e3:.1f} ms", file=sys.stderr)
        for name, body, files in cases:
            try:
                n, g1, g4, c1, c4, note = measure(gnix, nix, dir, name, body, files)
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                rows.append(f"| {name} | | | | | | | {e} |")
                print(rows[-1], file=sys.stderr)
                continue
            gr, cr = g4 / g1, c4 / c1
            flag = gr >= FLAG_FACTOR * cr and gr >= FLAG_MIN and not note
            if flag:
                flagged.append(name)
            rows.append(f"| {name} | {n} | {g1 * 1e3:.1f} | {gr:.1f} | {c1 * 1e3:.1f} | {cr:.1f} | "
                        f"{'**yes**' if flag else ''} | {note} |")
            print(rows[-1], file=sys.stderr)
    text = "\n".join([
        HEADING,
        "",
        f"Written by `benches/complexity.py` ({SESSION}, {datetime.date.today()}): per case, n sized so",
        f"gnix evaluates it in about {TARGET * 1e3:.0f} ms, then the minimum of {RUNS} wall times of each",
        "evaluator at n and 4n, start-up subtracted (4 = linear, 4.7 = n log n, 16 = quadratic).",
        f"Flagged: gnix's ratio at least {FLAG_FACTOR:g}x C++ Nix 2.8's and at least {FLAG_MIN:g}.",
        "",
        "| case | n | gnix t(n) ms | gnix t(4n)/t(n) | C++ t(n) ms | C++ t(4n)/t(n) | flagged | note |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"Flagged: {', '.join(flagged) if flagged else 'none'}.",
        "",
    ])
    print(text)
    if a.write:
        write_section(text)


def write_section(text):
    """Replaces (or adds, before the first other section) the table's section of RESULTS.md."""
    old = open(RESULTS).read() if os.path.exists(RESULTS) else ""
    start = old.find(HEADING)
    if start < 0:
        first = old.find("\n## ")
        start = end = first + 1 if first >= 0 else len(old)
    else:
        nxt = old.find("\n## ", start + len(HEADING))
        end = nxt + 1 if nxt >= 0 else len(old)
    with open(RESULTS, "w") as f:
        f.write(old[:start] + text + ("\n" if old[end:] else "") + old[end:])


if __name__ == "__main__":
    main()
