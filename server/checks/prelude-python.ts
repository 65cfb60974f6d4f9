// The Python program checkCandidate runs: helpers the extracted tests call (_rl_check,
// _rl_doctest, a tiny `pytest` with raises/approx), then the candidate's code executed as module
// `__routerllm_candidate__` (so its `if __name__ == "__main__":` block, which may read stdin or
// start a server, stays quiet), then each test in its own copy of the candidate's namespace,
// reported on a line that starts with a per-run random nonce, so output the candidate prints is
// not mistaken for a result. A per-test alarm at the run's deadline turns one endless test into
// one failure instead of a timeout of the whole run.
//
// `epilogue`, when given, is Python run in the same process only when every test passed, with
// `_rl_left` the seconds left of the budget: what else the caller wants to know of a passing
// answer (its behaviour on derived inputs) without starting a second interpreter.

export function pythonHarness(candidate: string, tests: string[], nonce: string, budgetMs: number, epilogue?: string): string {
  return `# ---- routerllm harness ----
import sys as _rl_sys, io as _rl_io, ast as _rl_ast, math as _rl_math, json as _rl_json, time as _rl_time, types as _rl_types
import signal as _rl_signal, traceback as _rl_tb

def _rl_eq(a, b):
    num = (int, float)
    if isinstance(a, num) and isinstance(b, num) and not isinstance(a, bool) and not isinstance(b, bool) and (isinstance(a, float) or isinstance(b, float)):
        return a == b or _rl_math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) == type(b) and len(a) == len(b) and all(_rl_eq(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_rl_eq(a[k], b[k]) for k in a)
    return a == b

def _rl_short(v):
    s = repr(v)
    return s if len(s) <= 200 else s[:199] + '...'

def _rl_check(got, want):
    if not _rl_eq(got, want):
        raise AssertionError('expected %s, got %s' % (_rl_short(want), _rl_short(got)))

def _rl_doctest(thunk, want, env=None):
    buf, old = _rl_io.StringIO(), _rl_sys.stdout
    _rl_sys.stdout = buf
    try:
        if isinstance(thunk, str):
            try:
                got = eval(compile(thunk, '<example>', 'eval'), env)
            except SyntaxError:
                got = None
                exec(compile(thunk, '<example>', 'exec'), env)
        else:
            got = thunk()
    finally:
        _rl_sys.stdout = old
    printed = buf.getvalue()
    norm = lambda s: ' '.join(str(s).split())
    if got is None and printed:
        if norm(printed) == norm(want):
            return
        raise AssertionError('expected output %r, printed %r' % (want, printed[:200]))
    try:
        lit = _rl_ast.literal_eval(want.strip())
        if _rl_eq(got, lit):
            return
    except Exception:
        pass
    if norm(repr(got)) == norm(want):
        return
    raise AssertionError('expected %s, got %s' % (want.strip()[:200], _rl_short(got)))

class _RlRaises:
    def __init__(self, exc):
        self.exc = exc
    def __enter__(self):
        return self
    def __exit__(self, et, ev, tb):
        if et is None:
            raise AssertionError('DID NOT RAISE %s' % getattr(self.exc, '__name__', self.exc))
        return issubclass(et, self.exc)

class _RlApprox:
    def __init__(self, v, rel=1e-6, abs=1e-12):
        self.v, self.rel, self.abs = v, rel, abs
    def __eq__(self, o):
        if isinstance(self.v, (list, tuple)):
            return len(o) == len(self.v) and all(_RlApprox(x, self.rel, self.abs) == y for x, y in zip(self.v, o))
        return _rl_math.isclose(o, self.v, rel_tol=self.rel, abs_tol=self.abs)
    def __repr__(self):
        return 'approx(%r)' % (self.v,)

if 'pytest' not in _rl_sys.modules:
    _rl_pytest = _rl_types.ModuleType('pytest')
    _rl_pytest.raises = _RlRaises
    _rl_pytest.approx = _RlApprox
    _rl_sys.modules['pytest'] = _rl_pytest

def _rl_main(tests, nonce, budget):
    out = _rl_sys.__stdout__
    deadline = _rl_time.monotonic() + budget
    def alarm(*_):
        raise TimeoutError('time limit exceeded')
    try:
        _rl_signal.signal(_rl_signal.SIGALRM, alarm)
    except Exception:
        pass
    base = dict(_rl_candidate)
    base.update(_rl_check=_rl_check, _rl_doctest=_rl_doctest, _rl_eq=_rl_eq)
    passed = 0
    for i, src in enumerate(tests):
        ok, msg = True, ''
        try:
            left = deadline - _rl_time.monotonic()
            if left <= 0:
                raise TimeoutError('time limit exceeded')
            _rl_signal.setitimer(_rl_signal.ITIMER_REAL, left)
            try:
                exec(_rl_source('<test %d>' % i, src), dict(base))
            finally:
                _rl_signal.setitimer(_rl_signal.ITIMER_REAL, 0)
        except BaseException as e:
            ok = False
            where = _rl_tb.extract_tb(e.__traceback__)[-1:]
            msg = ('%s: %s' % (type(e).__name__, e) if str(e) else type(e).__name__)[:500]
            if where and where[0].line and (not isinstance(e, AssertionError) or not str(e)):
                msg += ' (at %s)' % where[0].line.strip()[:120]
        out.write('%s %s\\n' % (nonce, _rl_json.dumps([i, ok, msg])))
        out.flush()
        passed += ok
    return passed == len(tests), deadline - _rl_time.monotonic()

def _rl_source(name, src):
    # Tracebacks and failure messages can then quote the failing line.
    import linecache
    linecache.cache[name] = (len(src), None, src.splitlines(True), name)
    return compile(src, name, 'exec')

# A real module (in sys.modules), so dataclasses, pickle and typing find it.
_rl_module = _rl_types.ModuleType('__routerllm_candidate__')
_rl_module.__file__ = 'candidate.py'
_rl_sys.modules['__routerllm_candidate__'] = _rl_module
_rl_candidate = _rl_module.__dict__
exec(_rl_source('candidate.py', ${JSON.stringify(candidate)}), _rl_candidate)
_rl_all_passed, _rl_left = _rl_main(${JSON.stringify(tests)}, ${JSON.stringify(nonce)}, ${(budgetMs / 1000).toFixed(3)})
${epilogue === undefined ? '' : `# ---- epilogue: only for an answer that passed every test ----
if _rl_all_passed and _rl_left > 0:
    exec(compile(${JSON.stringify(epilogue)}, '<epilogue>', 'exec'), {'_rl_left': _rl_left})
`}`;
}
