// The Python program behind probeCandidate: it reads the calls of the function under test in the
// extracted tests (docstring examples, asserts), keeps those whose arguments are literals, derives
// further inputs from them by type-aware mutation (integers nudged and at their edges, lists
// shortened / extended / shuffled / emptied, strings edited, nested values recursed), the way
// EvalPlus grew HumanEval+ from HumanEval's examples, then runs the candidate on each input and
// prints one fingerprint per input: a hash of the result under Python's == (1 == 1.0 == True,
// [1] != (1,), sets unordered), "!<Exception>" when it raised, null when it ran out of time.
//
// The inputs depend only on the tests and the seed, never on the candidate, so two models' answers
// to the same request are run on exactly the same inputs and their fingerprints can be compared.
// Sizes are capped so a derived input never turns a correct answer into a timeout by itself.

const PROBE = String.raw`
import sys as _p_sys, ast as _p_ast, json as _p_json, random as _p_random, math as _p_math
import copy as _p_copy, signal as _p_signal, time as _p_time, io as _p_io, hashlib as _p_hashlib, re as _p_re, types as _p_types

_P_MAX_LEN = 40
_P_MAX_INT = 10 ** 6

def _p_examples(srcs, fname):
    found, seen = [], set()
    def collect(tree):
        for node in _p_ast.walk(tree):
            if not isinstance(node, _p_ast.Call) or not isinstance(node.func, _p_ast.Name):
                continue
            if node.func.id != fname and node.args and isinstance(node.args[0], _p_ast.Constant) and isinstance(node.args[0].value, str):
                # a doctest thunk given as source text
                try:
                    collect(_p_ast.parse(node.args[0].value))
                except Exception:
                    pass
                continue
            if node.func.id != fname or node.keywords or any(isinstance(a, _p_ast.Starred) for a in node.args):
                continue
            try:
                args = [_p_ast.literal_eval(a) for a in node.args]
            except Exception:
                continue
            key = repr(args)
            if key not in seen:
                seen.add(key)
                found.append(args)
    for src in srcs:
        try:
            collect(_p_ast.parse(src))
        except Exception:
            pass
    return found

def _p_small(v):
    if isinstance(v, bool) or v is None:
        return True
    if isinstance(v, int):
        return abs(v) <= _P_MAX_INT
    if isinstance(v, float):
        return _p_math.isfinite(v) and abs(v) <= _P_MAX_INT
    if isinstance(v, str):
        return len(v) <= 4 * _P_MAX_LEN
    if isinstance(v, (list, tuple, set, frozenset)):
        return len(v) <= _P_MAX_LEN and all(_p_small(x) for x in v)
    if isinstance(v, dict):
        return len(v) <= _P_MAX_LEN and all(_p_small(k) and _p_small(x) for k, x in v.items())
    return True

def _p_mutate(v, rnd, depth=0):
    if isinstance(v, bool):
        return not v
    if isinstance(v, int):
        return rnd.choice([v + 1, v - 1, 0, 1, -v, v * 2, v // 2, v + rnd.randint(-10, 10)])
    if isinstance(v, float):
        return rnd.choice([v + 1.0, v - 1.0, 0.0, -v, v * 2, v / 2, round(v + rnd.uniform(-5, 5), 2)])
    if isinstance(v, str):
        pool = v or 'ab'
        i = rnd.randrange(len(v) + 1)
        op = rnd.randrange(8)
        if op == 0 and v:
            return v[:i] + v[i + 1:]
        if op == 1:
            return v[:i] + rnd.choice(pool) + v[i:]
        if op == 2 and len(v) > 1:
            j = rnd.randrange(len(v) - 1)
            return v[:j] + v[j + 1] + v[j] + v[j + 2:]
        if op == 3:
            return ''
        if op == 4:
            return v[::-1]
        if op == 5:
            return v.swapcase()
        if op == 6:
            return v + v[:rnd.randrange(len(v) + 1)]
        return v[:i] + rnd.choice(' aZ9') + v[i:]
    if isinstance(v, (list, tuple)):
        xs = list(v)
        op = rnd.randrange(8)
        if op == 0 and xs:
            del xs[rnd.randrange(len(xs))]
        elif op == 1 and xs:
            xs.insert(rnd.randrange(len(xs) + 1), _p_mutate(rnd.choice(xs), rnd, depth + 1))
        elif op == 2:
            rnd.shuffle(xs)
        elif op == 3:
            xs = []
        elif op == 4:
            xs.reverse()
        elif op == 5 and xs:
            xs.append(_p_copy.deepcopy(rnd.choice(xs)))
        elif xs:
            i = rnd.randrange(len(xs))
            xs[i] = _p_mutate(xs[i], rnd, depth + 1)
        return tuple(xs) if isinstance(v, tuple) else xs
    if isinstance(v, (set, frozenset)):
        out = _p_mutate(sorted(v, key=repr), rnd, depth + 1)
        try:
            return type(v)(out)
        except TypeError:
            return v
    if isinstance(v, dict):
        items = list(v.items())
        op = rnd.randrange(3)
        if op == 0 and items:
            del items[rnd.randrange(len(items))]
        elif op == 1 and items:
            k, x = rnd.choice(items)
            items.append((_p_mutate(k, rnd, depth + 1), x))
        elif items:
            i = rnd.randrange(len(items))
            items[i] = (items[i][0], _p_mutate(items[i][1], rnd, depth + 1))
        try:
            return dict(items)
        except TypeError:
            return v
    return v

def _p_derive(examples, count, seed):
    rnd = _p_random.Random(seed)
    out, seen = [], set(repr(e) for e in examples)
    tries = 0
    while examples and len(out) < count and tries < count * 20:
        tries += 1
        args = _p_copy.deepcopy(rnd.choice(examples))
        if not args:
            break
        for _ in range(1 + (rnd.random() < 0.3)):
            i = rnd.randrange(len(args))
            args[i] = _p_mutate(args[i], rnd)
        key = repr(args)
        if key in seen or not _p_small(args):
            continue
        seen.add(key)
        out.append(args)
    return out

def _p_canon(v, depth=0):
    if depth > 20:
        return '...'
    if isinstance(v, bool):
        return 'n%d' % int(v)
    if isinstance(v, int):
        return 'n%d' % v
    if isinstance(v, float):
        if _p_math.isnan(v):
            return 'nan'
        if v.is_integer() and abs(v) < 1e15:
            return 'n%d' % int(v)
        return 'f' + format(v, '.6g')
    if isinstance(v, complex):
        return 'c' + format(v.real, '.6g') + ',' + format(v.imag, '.6g')
    if isinstance(v, str):
        return 's' + repr(v)
    if v is None:
        return 'None'
    if isinstance(v, list):
        return '[' + ','.join(_p_canon(x, depth + 1) for x in v) + ']'
    if isinstance(v, tuple):
        return '(' + ','.join(_p_canon(x, depth + 1) for x in v) + ')'
    if isinstance(v, (set, frozenset)):
        return '{' + ','.join(sorted(_p_canon(x, depth + 1) for x in v)) + '}'
    if isinstance(v, dict):
        return '{' + ','.join(sorted(_p_canon(k, depth + 1) + ':' + _p_canon(x, depth + 1) for k, x in v.items())) + '}'
    return type(v).__name__ + ':' + _p_re.sub(r' at 0x[0-9a-fA-F]+', '', repr(v))[:2000]

def _p_run(fn, inputs, budget, per_call):
    deadline = _p_time.monotonic() + budget
    def alarm(*_):
        raise TimeoutError()
    _p_signal.signal(_p_signal.SIGALRM, alarm)
    prints, old = _p_io.StringIO(), _p_sys.stdout
    out = []
    for args in inputs:
        left = deadline - _p_time.monotonic()
        if left <= 0:
            out.append(None)
            continue
        _p_sys.stdout = prints
        try:
            _p_signal.setitimer(_p_signal.ITIMER_REAL, min(per_call, left))
            try:
                got = fn(*_p_copy.deepcopy(args))
                text = _p_canon(got)
            finally:
                _p_signal.setitimer(_p_signal.ITIMER_REAL, 0)
        except TimeoutError:
            text = None
        except RecursionError:
            text = None
        except BaseException as e:
            text = '!' + type(e).__name__
        finally:
            _p_sys.stdout = old
            prints.seek(0)
            prints.truncate()
        if text is None or text.startswith('!'):
            out.append(text)
        else:
            out.append(_p_hashlib.sha1(text.encode('utf-8', 'replace')).hexdigest()[:12])
    return out

def _p_main(candidate, fname, tests, count, seed, nonce, budget, per_call):
    examples = _p_examples(tests, fname)
    inputs = _p_derive(examples, count, seed)
    mod = _p_types.ModuleType('__routerllm_candidate__')
    mod.__file__ = 'candidate.py'
    _p_sys.modules['__routerllm_candidate__'] = mod
    try:
        exec(compile(candidate, 'candidate.py', 'exec'), mod.__dict__)
        fn = mod.__dict__[fname]
        outputs = _p_run(fn, inputs, budget, per_call)
    except BaseException as e:
        outputs = ['!load:' + type(e).__name__] * len(inputs)
    _p_sys.__stdout__.write(nonce + ' ' + _p_json.dumps({'examples': len(examples), 'outputs': outputs}) + '\n')
    _p_sys.__stdout__.flush()
`;

export interface ProbeProgramOptions {
  candidate: string;
  functionName: string;
  tests: readonly string[];
  count: number;
  seed: number;
  nonce: string;
  budgetMs: number;
  perCallMs: number;
}

export function pythonProbe(o: ProbeProgramOptions): string {
  return probeProgramText(o, JSON.stringify(o.budgetMs / 1000));
}

/** The same probe as the test harness's epilogue (pythonHarness): run after the tests in their
 * interpreter, within what is left of their budget (`_rl_left`, capped at `budgetMs`). */
export function pythonProbeEpilogue(o: ProbeProgramOptions): string {
  return probeProgramText(o, `min(_rl_left, ${o.budgetMs / 1000})`);
}

/** The probe's functions and the call of _p_main; `budget` is a Python expression (seconds). */
function probeProgramText(o: ProbeProgramOptions, budget: string): string {
  // JSON literals are Python literals here: strings, lists of strings and numbers only.
  const args = [o.candidate, o.functionName, o.tests, o.count, o.seed, o.nonce].map((a) => JSON.stringify(a));
  return `${PROBE}\n_p_main(${args.join(', ')}, ${budget}, ${JSON.stringify(o.perCallMs / 1000)})\n`;
}
