// requestContextFor(): the routing context built from the document alone, as a live request does.
import { strict as assert } from 'node:assert';
import { requestContextFor, type RequestDocument } from '../../server/daemon/requestContext';
import { extractFeatures } from '../../server/routing/features';

const TEXT = `def add(a, b):
    """Add two numbers.

    >>> add(1, 2)
    3
    """
`;

const doc = (line: number): RequestDocument => ({ uri: 'file:///m.py', text: TEXT, language: 'python', position: { line, character: 0 } });

describe('daemon: requestContextFor', () => {
  it('implement: the function, its doctest and its prompt; features from it', () => {
    const history = [{ model: 'llama-3-8b', passed: true, feedback: null }];
    const req = requestContextFor('implement', doc(0), history)!;
    assert.equal(req.kind, 'implement');
    assert.equal(req.functionName, 'add');
    assert.equal(req.tests.length, 1);
    assert.match(req.prompt, /def add\(a, b\)/);
    assert.deepEqual(req.history, history);
    assert.ok(extractFeatures(req).every(Number.isFinite), 'a router can read it');
  });

  it('inline: the prefix as prompt, no tests; null for implement with no function at the cursor', () => {
    const req = requestContextFor('inline', doc(6))!;
    assert.equal(req.kind, 'inline');
    assert.equal(req.prompt, TEXT);
    assert.deepEqual(req.tests, []);
    assert.equal(requestContextFor('implement', { ...doc(0), text: 'x = 1\n' }), null);
  });
});
