#!/usr/bin/python3
"""check_eval.py -- end-to-end checks of `hessc eval` and of exit codes.

usage: check_eval.py HESSC EXAMPLES_DIR BAD_DIR

For every EXAMPLES_DIR/*.mod (with EXAMPLES_DIR/NAME.dat as its data when
present): `hessc eval --format json` at the initial point must give a
gradient and a Hessian that agree with central finite differences of f and
g, which come from `hessc eval --at` at x +- h d for a few directions d
(coordinate and random ones), so both H d and g.d are checked:
    g.d  ~ (f(x + h d) - f(x - h d)) / 2h
    H d  ~ (g(x + h d) - g(x - h d)) / 2h
The step h = 6e-6 (about eps^(1/3)) scaled by max(1, |x|): the truncation
error is about h^2 |f'''| / 6, the rounding error eps |f| / h, so the
comparison allows 1e-5 relative to the size of the terms summed into the
value, the differenced quantity (f, resp. g_i) counted at 1e-3 weight
for its rounding (see `agree`).

For every BAD_DIR/*.mod: exit status 1 and, as the first stderr line, the
first line of BAD_DIR/NAME.expected (FILE:LINE:COL: error: ...), through
`hessc check` and `hessc eval`; and a handful of usage errors must exit 2.
Prints one line per check and closes with "N passed, N failed".
"""
import glob
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

HESSC = None
passed = failed = 0


def report(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS %s" % what)
    else:
        failed += 1
        print("FAIL %s: %s" % (what, detail))


def run(args, timeout=120):
    return subprocess.run([HESSC] + args, capture_output=True, text=True, timeout=timeout)


def evaluate(model, data, at=None):
    args = ["eval", model] + data + ["--format", "json"]
    if at is not None:
        args += ["--at", at]
    p = run(args)
    if p.returncode != 0:
        raise RuntimeError("exit %d: %s" % (p.returncode, p.stderr.strip().splitlines()[:1]))
    d = json.loads(p.stdout)
    n = d["n"]
    H = np.zeros((n, n))
    for r, c, v in zip(d["H"]["rows"], d["H"]["cols"], d["H"]["vals"]):
        if r < c:
            raise RuntimeError("H entry (%d, %d) above the diagonal" % (r, c))
        H[r, c] += v
        if r != c:
            H[c, r] += v
    return d, np.array(d["x"], float), float(d["f"]), np.array(d["g"], float), H


def agree(fd, exact, scale):
    """|fd - exact| <= 1e-5 * max(1, |exact|, scale): scale is the size of
    the terms summed into the value, so cancellation cannot hide an error
    nor turn rounding into a failure"""
    return abs(fd - exact) <= 1e-5 * max(1.0, abs(exact), scale)


def check_model(path):
    name = os.path.basename(path)
    dat = path[:-4] + ".dat"
    data = [dat] if os.path.exists(dat) else []
    try:
        d, x, f, g, H = evaluate(path, data)
    except (RuntimeError, ValueError, KeyError) as e:
        report(False, "%s: eval at x0" % name, str(e))
        return
    n = len(x)
    report(len(d["names"]) == n and len(g) == n and math.isfinite(f),
           "%s: eval gives n = %d names, x, f, g and H" % (name, n))
    rng = np.random.default_rng(7)
    directions = [np.eye(n)[n // 2]] + [rng.standard_normal(n) for _ in range(2)]
    # eps^(1/3), the step that balances truncation and rounding
    h = 6e-6 * max(1.0, float(np.max(np.abs(x))) if n else 1.0)
    with tempfile.TemporaryDirectory() as tmp:
        worst = ""
        ok = True
        for k, dvec in enumerate(directions):
            vals = []
            for sign in (1, -1):
                pt = os.path.join(tmp, "point")
                with open(pt, "w") as fh:
                    fh.write("\n".join(repr(float(v)) for v in x + sign * h * dvec) + "\n")
                try:
                    _, _, fs, gs, _ = evaluate(path, data, pt)
                except (RuntimeError, ValueError, KeyError) as e:
                    report(False, "%s: eval --at" % name, str(e))
                    return
                vals.append((fs, gs))
            (fp, gp), (fm, gm) = vals
            fd_slope = (fp - fm) / (2 * h)
            slope = float(g @ dvec)
            if not agree(fd_slope, slope, float(np.abs(g) @ np.abs(dvec)) + 1e-3 * abs(f)):
                ok = False
                worst = "direction %d: g.d = %.12g, finite differences %.12g" % (k, slope, fd_slope)
            fd_Hd = (gp - gm) / (2 * h)
            Hd = H @ dvec
            size = np.abs(H) @ np.abs(dvec) + 1e-3 * np.abs(g)
            for i in range(n):
                if not agree(fd_Hd[i], Hd[i], size[i]):
                    ok = False
                    worst = "direction %d: (H d)[%s] = %.12g, finite differences %.12g" % (
                        k, d["names"][i], Hd[i], fd_Hd[i])
                    break
        report(ok, "%s: gradient and Hessian match central differences in %d directions"
               % (name, len(directions)), worst)


def bad_case_args(path):
    """the extra arguments a bad case asks for: NAME.dat (data), NAME.defines
    (one NAME=VALUE per line), NAME.objective (the objective's name)"""
    base = path[:-4]
    args = []
    if os.path.exists(base + ".dat"):
        args.append(os.path.basename(base + ".dat"))
    if os.path.exists(base + ".defines"):
        with open(base + ".defines") as fh:
            for line in fh.read().splitlines():
                if line.strip():
                    args += ["-D", line.strip()]
    if os.path.exists(base + ".objective"):
        with open(base + ".objective") as fh:
            args += ["--objective", fh.read().strip()]
    return args


def check_bad(path):
    """exit 1, nothing on stdout, and the first stderr line exactly the
    case's NAME.expected first line (hessc runs in the case's folder).  A
    case with NAME.inputs is about run-time inputs: `hessc gen` only, and it
    writes no file."""
    name = os.path.basename(path)
    with open(path[:-4] + ".expected", encoding="utf-8", errors="replace") as fh:
        expected = fh.read().splitlines()[0]
    with tempfile.TemporaryDirectory() as tmp:
        if os.path.exists(path[:-4] + ".inputs"):
            commands = [("gen", ["-o", os.path.join(tmp, "out")])]
        else:
            commands = [("check", []), ("eval", [])]
        for cmd, extra in commands:
            p = subprocess.run([HESSC, cmd, name] + extra + bad_case_args(path),
                               capture_output=True, text=True, errors="replace", timeout=120,
                               cwd=os.path.dirname(path))
            first = p.stderr.splitlines()[0] if p.stderr else ""
            report(p.returncode == 1 and first == expected and p.stdout == ""
                   and not os.listdir(tmp),
                   "%s: hessc %s exits 1 with %r" % (name, cmd, expected),
                   "exit %d, stderr %r, files %r" % (p.returncode, first, os.listdir(tmp)))


def check_usage(example):
    with tempfile.TemporaryDirectory() as tmp:
        short = os.path.join(tmp, "short")
        with open(short, "w") as fh:
            fh.write("1 2\n")
        cases = [
            (["frobnicate"], "an unknown command"),
            (["eval"], "eval without a model"),
            (["eval", example, "--bogus"], "an unknown option"),
            (["eval", example, "--format", "xml"], "an unknown format"),
            (["gen", example], "gen without -o"),
            (["gen", example, "-o", os.path.join(tmp, "m"), "--prefix", "9x"], "a prefix that is no C identifier"),
            (["eval", example, "--at", short], "an --at file with the wrong count"),
            (["eval", example, "--at", os.path.join(tmp, "missing")], "a missing --at file"),
            (["check", example, "-D", "novalue"], "-D without =VALUE"),
        ]
        for args, what in cases:
            p = run(args)
            report(p.returncode == 2 and p.stderr.startswith("hessc: error: "),
                   "usage error exits 2: %s" % what,
                   "exit %d, stderr %r" % (p.returncode, p.stderr[:120]))
        for args, what in ((["--help"], "hessc --help"), (["--version"], "hessc --version"),
                           (["eval", "--help"], "hessc eval --help")):
            p = run(args)
            report(p.returncode == 0 and p.stdout != "", "%s exits 0 and prints" % what,
                   "exit %d" % p.returncode)
        p = run(["eval", os.path.join(tmp, "absent.mod")])
        report(p.returncode == 2 and p.stderr != "", "a model file that does not exist exits 2 (a usage error) and says so",
               "exit %d" % p.returncode)


def main(argv):
    global HESSC
    if len(argv) != 4:
        print(__doc__)
        return 2
    HESSC, examples, bad = os.path.abspath(argv[1]), argv[2], argv[3]
    models = sorted(glob.glob(os.path.join(examples, "*.mod")))
    for m in models:
        check_model(m)
    for b in sorted(glob.glob(os.path.join(bad, "*.mod"))):
        check_bad(b)
    if models:
        check_usage(models[0])
    if not models:
        report(False, "example models", "none found in %s" % examples)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
