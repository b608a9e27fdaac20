#!/usr/bin/env python3
"""The kernel cache through the hessc command, with each backend.

usage: check_cache.py HESSC

In a fresh cache folder ($HESSC_CACHE_DIR), for a model in loop form whose
data comes from a data file:
- the first `hessc eval` compiles and stores an entry;
- the second loads it (--stats says so, and no file of the cache changes);
- a changed data file, a changed model and a -D override each compile again;
- --no-cache neither reads nor writes the cache;
- `hessc solve` runs on the cached kernels;
- every run prints the same f, gradient and Hessian as a run without cache;
- an entry that cannot be written costs a compilation, never the run.
"""
import json
import os
import subprocess
import sys
import tempfile

FAILURES = 0

MODEL = """param N;
param c{1..N};
var x{i in 1..N} := 0.5 * i;
minimize f: sum {i in 1..N-1} c[i] * (x[i+1] - x[i]^2)^2 + sum {i in 1..N} (x[i] - 1)^2;
"""
DATA = "param N := 6;\nparam c := 1 10 2 20 3 30 4 40 5 50 6 60;\n"
OTHER_DATA = "param N := 6;\nparam c := 1 11 2 20 3 30 4 40 5 50 6 60;\n"


def report(ok, what, detail=""):
    global FAILURES
    print("%s: %s%s" % ("PASS" if ok else "FAIL", what, "" if ok or not detail else " (%s)" % detail))
    if not ok:
        FAILURES += 1


def snapshot(folder):
    """every file of the cache with its size and modification time"""
    return {name: (os.stat(os.path.join(folder, name)).st_size,
                   os.stat(os.path.join(folder, name)).st_mtime_ns)
            for name in os.listdir(folder)} if os.path.isdir(folder) else {}


def run(hessc, args, cache):
    env = dict(os.environ, HESSC_CACHE_DIR=cache)
    env.pop("HESSC_BACKEND", None)
    return subprocess.run([hessc] + args, capture_output=True, text=True, env=env, timeout=300)


def check_backend(hessc, backend, tmp):
    cache = os.path.join(tmp, "cache-" + backend)
    model = os.path.join(tmp, "m.mod")
    data = os.path.join(tmp, "m.dat")
    with open(model, "w") as fh:
        fh.write(MODEL)
    with open(data, "w") as fh:
        fh.write(DATA)
    base = ["eval", model, data, "--format", "json", "--backend", backend, "--stats"]

    def evaluate(extra=(), what=""):
        p = run(hessc, base + list(extra), cache)
        if p.returncode != 0:
            report(False, "%s: %s runs" % (backend, what), p.stderr.strip()[:300])
            return None, ""
        return json.loads(p.stdout), p.stderr

    reference, _ = evaluate(["--no-cache"], "eval --no-cache")
    report(snapshot(cache) == {}, "%s: --no-cache writes no cache entry" % backend)
    first, err = evaluate([], "the first eval")
    report("compiled" in err and "stored in the kernel cache" in err and "loop" in err,
           "%s: the first eval compiles loops and stores them" % backend, err.strip())
    before = snapshot(cache)
    report(len(before) == 2, "%s: the entry is two files (metadata and code)" % backend,
           sorted(before))
    second, err = evaluate([], "the second eval")
    report("loaded from the kernel cache" in err and "loop" in err,
           "%s: the second eval loads the loops from the cache" % backend, err.strip())
    report(snapshot(cache) == before, "%s: a hit compiles and writes nothing" % backend)
    report(first == reference and second == reference,
           "%s: cached and uncached kernels print the same numbers" % backend)
    _, err = evaluate(["--no-cache"], "eval --no-cache after a hit")
    report("compiled" in err and "stored" not in err and snapshot(cache) == before,
           "%s: --no-cache neither reads nor writes" % backend, err.strip())

    with open(data, "w") as fh:
        fh.write(OTHER_DATA)
    changed, err = evaluate([], "eval with changed data")
    report("compiled" in err and changed is not None and changed["f"] != reference["f"],
           "%s: changed data misses the cache and changes f" % backend, err.strip())
    with open(data, "w") as fh:
        fh.write(DATA)
    with open(model, "w") as fh:
        fh.write(MODEL.replace("(x[i] - 1)^2", "(x[i] - 2)^2"))
    changed, err = evaluate([], "eval with a changed model")
    report("compiled" in err and changed is not None and changed["f"] != reference["f"],
           "%s: a changed model misses the cache" % backend, err.strip())
    with open(model, "w") as fh:
        fh.write(MODEL)
    _, err = evaluate(["-D", "N=6"], "eval with -D")
    report("compiled" in err, "%s: a -D override misses the cache" % backend, err.strip())
    again, err = evaluate([], "eval of the first model again")
    report("loaded from the kernel cache" in err and again == reference,
           "%s: the first entry still answers" % backend, err.strip())

    p = run(hessc, ["solve", model, data, "--backend", backend, "--stats", "--format", "json"],
            cache)
    ok = p.returncode == 0 and "loaded from the kernel cache" in p.stderr
    report(ok and json.loads(p.stdout)["status"] == "converged",
           "%s: solve converges on the cached kernels" % backend, p.stderr.strip()[-300:])


def check_unwritable(hessc, backend, tmp):
    """The entry's code file cannot be written (a folder sits at its name,
    which stops root as well as anyone): eval still answers, stores nothing,
    and the cc backend warns."""
    cache = os.path.join(tmp, "blocked-" + backend)
    model = os.path.join(tmp, "b.mod")
    with open(model, "w") as fh:
        fh.write("var x{i in 1..4} := i;\nminimize f: sum {i in 1..3} (x[i+1] - x[i]^2)^2;\n")
    base = ["eval", model, "--format", "json", "--backend", backend, "--stats"]
    first = run(hessc, base, cache)
    files = sorted(snapshot(cache))
    code = [name for name in files if not name.endswith(".meta")]
    if first.returncode != 0 or len(files) != 2 or len(code) != 1:
        report(False, "%s: a first eval stores an entry to block" % backend, files)
        return
    for name in files:
        os.remove(os.path.join(cache, name))
    os.mkdir(os.path.join(cache, code[0]))
    p = run(hessc, base, cache)
    ok = p.returncode == 0 and json.loads(p.stdout) == json.loads(first.stdout)
    report(ok and "stored" not in p.stderr and not any(n.endswith(".meta") for n in snapshot(cache)),
           "%s: an entry that cannot be written leaves the run whole and stores nothing" % backend,
           p.stderr.strip()[-300:])
    if backend == "cc":
        report("warning" in p.stderr and "cannot keep the compiled kernels" in p.stderr,
               "cc: the unwritten entry is a warning", p.stderr.strip()[-300:])


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    hessc = os.path.abspath(argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        backends = ["cc"]
        probe = os.path.join(tmp, "probe.mod")
        with open(probe, "w") as fh:
            fh.write("var x := 1;\nminimize f: x^2;\n")
        if run(hessc, ["eval", probe, "--backend", "llvm", "--no-cache"], tmp).returncode == 0:
            backends.insert(0, "llvm")
        for backend in backends:
            check_backend(hessc, backend, tmp)
            check_unwritable(hessc, backend, tmp)
    print("%d failed" % FAILURES)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
