// The Python programs that judge an answer against a dataset's hidden tests. Everything the
// program needs travels inside it as base64 JSON (no escaping pitfalls, no files to share with the
// sandbox). The program prints one result line starting with a sentinel derived from the answer's
// hash; a run that prints no such line (crash, os._exit, killed) is a failure.
//
// Semantics follow the reference harnesses:
// - base: HumanEval's `exec(program + test + "check(entry_point)")`, in a namespace whose
//   __name__ is not "__main__" (an answer's own `if __name__ == "__main__":` demo does not run);
//   any exception, SystemExit included, fails.
// - plus: EvalPlus differential testing. Expected outputs come from the HumanEval+ canonical
//   solution on the same inputs (computed once per task, pickled); each input runs with a time
//   limit of max(1 s, 4 x the reference's time), as evalplus does; outputs compare exactly, or with
//   numpy.allclose semantics (rtol 1e-7, the task's atol, 1e-6 for float outputs when atol is 0);
//   find_zero uses evalplus's special oracle |poly(x)| <= atol. The first failing input stops the run.

const PRELUDE = String.raw`
import base64, copy, io, json, math, os, pickle, signal, sys, time
P = json.loads(base64.b64decode(PAYLOAD).decode("utf-8"))
SENTINEL = P["sentinel"]
class _Timeout(BaseException):
    pass
def _alarm(signum, frame):
    raise _Timeout()
signal.signal(signal.SIGALRM, _alarm)
_devnull = open(os.devnull, "w")
def _emit(kind, passed, reason, **extra):
    signal.setitimer(signal.ITIMER_REAL, 0)
    sys.__stdout__.write(SENTINEL + " " + json.dumps(dict(kind=kind, passed=passed, reason=reason[:300], **extra)) + "\n")
    sys.__stdout__.flush()
def _result(passed, reason, **extra):
    _emit(P.get("kind", "result"), passed, reason, **extra)
    os._exit(0)
def _quiet(fn, *args):
    # The judged code may print; its output must not drown the result line.
    so, se = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = _devnull
    try:
        return fn(*args)
    finally:
        sys.stdout, sys.stderr = so, se
def _load(src, limit):
    g = {"__name__": "__routerllm_candidate__", "__builtins__": __builtins__}
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        _quiet(exec, compile(src, "<candidate>", "exec"), g)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return g
def _why(e):
    return "timeout" if isinstance(e, _Timeout) else (type(e).__name__ + ": " + str(e))
`;

// One process judges one answer on both test kinds: the sandbox's start-up (namespaces, mounts)
// costs far more than Python's, so base and plus share it. Each kind runs in a fresh namespace
// and reports its own line; a process that dies mid-way leaves the later kind without a line,
// which counts as a failure.
const JUDGE = String.raw`
def _base():
    try:
        _load(P["program"] + "\n\n" + P["test"], P["limit_s"])
    except BaseException as e:
        return False, _why(e)
    return True, "passed"
ENTRY, ATOL = P["entry_point"], P["atol"]
def _poly(xs, x):
    return sum(coeff * math.pow(x, i) for i, coeff in enumerate(xs))
def _is_floats(x):
    if isinstance(x, float):
        return True
    if isinstance(x, (list, tuple)) and x:
        return all(isinstance(i, float) for i in x)
    return False
def _close(a, b, atol):
    if isinstance(b, (list, tuple)):
        return isinstance(a, (list, tuple)) and len(a) == len(b) and all(_close(x, y, atol) for x, y in zip(a, b))
    try:
        return bool(abs(a - b) <= atol + 1e-7 * abs(b))
    except Exception:
        return False
def _same(out, exp, inp):
    if ENTRY == "find_zero" and P["dataset"] == "humaneval":
        return abs(_poly(*inp, out)) <= ATOL
    try:
        exact = bool(out == exp)
    except Exception:
        exact = False
    atol = ATOL
    if atol == 0 and _is_floats(exp):
        atol = 1e-6
    if not exact and atol != 0:
        return type(out) == type(exp) and _close(out, exp, atol)
    return exact
def _plus():
    outs, times = pickle.loads(base64.b64decode(P["expected"]))
    try:
        g = _load(P["program"], 30)
    except BaseException as e:
        return False, "does not load: " + _why(e)
    fn = g.get(ENTRY)
    if not callable(fn):
        return False, "no function " + ENTRY
    skipped = 0
    for i, inp in enumerate(P["inputs"]):
        kind, exp = outs[i]
        if kind != "ok":
            skipped += 1  # the reference itself fails on this input: nothing to compare with
            continue
        limit = max(1.0, 4.0 * times[i])
        signal.setitimer(signal.ITIMER_REAL, limit)
        try:
            out = _quiet(fn, *copy.deepcopy(inp))
            signal.setitimer(signal.ITIMER_REAL, 0)
            ok = _same(out, exp, inp)
        except BaseException as e:
            signal.setitimer(signal.ITIMER_REAL, 0)
            return False, "input %d: %s" % (i, "timeout after %.1f s" % limit if isinstance(e, _Timeout) else _why(e))
        if not ok:
            return False, "input %d: wrong output" % i
    return True, "passed %d inputs" % (len(P["inputs"]) - skipped)
_emit("base", *_base())
if P.get("expected") is not None:
    _emit("plus", *_plus())
os._exit(0)
`;

const REFERENCE = String.raw`
try:
    ref = _load(P["reference"], 30)[P["entry_point"]]
except BaseException as e:
    _result(False, "reference does not load: " + _why(e))
outs, times = [], []
for inp in P["inputs"]:
    t0 = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, 30)
    try:
        out = ("ok", _quiet(ref, *copy.deepcopy(inp)))
        pickle.dumps(out)
    except BaseException as e:
        out = ("error", _why(e))
    signal.setitimer(signal.ITIMER_REAL, 0)
    times.append(time.perf_counter() - t0)
    outs.append(out)
_result(True, "reference", expected=base64.b64encode(pickle.dumps((outs, times))).decode("ascii"))
`;

function program(body: string, payload: Record<string, unknown>): string {
  const b64 = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64');
  return `PAYLOAD = "${b64}"\n${PRELUDE}\n${body}`;
}

export function referenceProgram(p: { sentinel: string; reference: string; entryPoint: string; inputs: unknown[] }): string {
  return program(REFERENCE, { sentinel: p.sentinel, kind: 'reference', reference: p.reference, entry_point: p.entryPoint, inputs: p.inputs });
}

/** Judges one answer: base tests always; plus when `expected` (the pickled reference outputs) is given. */
export function judgeProgram(p: {
  sentinel: string;
  program: string;
  test: string;
  limitS: number;
  entryPoint: string;
  dataset: string;
  plus: { inputs: unknown[]; atol: number; expected: string } | null;
}): string {
  return program(JUDGE, {
    sentinel: p.sentinel,
    program: p.program,
    test: p.test,
    limit_s: p.limitS,
    entry_point: p.entryPoint,
    dataset: p.dataset,
    inputs: p.plus?.inputs ?? [],
    atol: p.plus?.atol ?? 0,
    expected: p.plus?.expected ?? null,
  });
}

/** The result lines of a harness run by kind ("base", "plus", "reference"); a kind whose line is
 * missing died before reporting. */
export function parseResults(stdout: string, sentinel: string): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(sentinel + ' ')) continue;
    try {
      const r = JSON.parse(line.slice(sentinel.length + 1)) as Record<string, unknown>;
      out.set(String(r.kind), r);
    } catch {
      // A torn line (output cap): that kind has no result.
    }
  }
  return out;
}
