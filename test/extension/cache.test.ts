// The inline-completion cache: LRU, TTL, and serving the rest of a suggestion typed through.
import * as assert from 'node:assert/strict';
import { CompletionCache } from '../../extension/completion/cache';

describe('extension: completion cache', () => {
  it('returns an exact hit for (uri, prefix, suffix)', () => {
    const c = new CompletionCache();
    c.set('file:///a.py', 'def f(', ')', { text: 'x, y', requestId: 'r1' });
    assert.deepEqual(c.get('file:///a.py', 'def f(', ')'), { text: 'x, y', requestId: 'r1', model: undefined, typed: 0 });
    assert.equal(c.get('file:///b.py', 'def f(', ')'), undefined, 'another document');
    assert.equal(c.get('file:///a.py', 'def f(', '):'), undefined, 'another suffix');
  });

  it('serves the remainder when the user typed the first characters of the suggestion', () => {
    const c = new CompletionCache();
    c.set('u', 'return ', '', { text: 'a + b', requestId: 'r2', model: 'm' });
    assert.deepEqual(c.get('u', 'return a', ''), { text: ' + b', requestId: 'r2', model: 'm', typed: 1 });
    assert.deepEqual(c.get('u', 'return a + ', ''), { text: 'b', requestId: 'r2', model: 'm', typed: 4 });
    assert.equal(c.get('u', 'return a + b', ''), undefined, 'typed all of it: nothing left to serve');
    assert.equal(c.get('u', 'return b', ''), undefined, 'typed something else');
  });

  it('evicts the least recently used entry', () => {
    const c = new CompletionCache({ maxEntries: 2 });
    c.set('u', 'a', '', { text: '1', requestId: 'a' });
    c.set('u', 'b', '', { text: '2', requestId: 'b' });
    assert.ok(c.get('u', 'a', '')); // a is now the most recent
    c.set('u', 'c', '', { text: '3', requestId: 'c' });
    assert.equal(c.size, 2);
    assert.equal(c.get('u', 'b', ''), undefined);
    assert.ok(c.get('u', 'a', ''));
    assert.ok(c.get('u', 'c', ''));
  });

  it('expires entries after the TTL', () => {
    let now = 1000;
    const c = new CompletionCache({ ttlMs: 100, now: () => now });
    c.set('u', 'p', 's', { text: 'x', requestId: 'r' });
    now += 50;
    assert.ok(c.get('u', 'p', 's'));
    now += 101;
    assert.equal(c.get('u', 'p', 's'), undefined);
    assert.equal(c.get('u', 'px', 's'), undefined);
  });

  it('forgets a closed document', () => {
    const c = new CompletionCache();
    c.set('u1', 'p', '', { text: 'x', requestId: 'r' });
    c.set('u2', 'p', '', { text: 'y', requestId: 'r' });
    c.clear('u1');
    assert.equal(c.get('u1', 'p', ''), undefined);
    assert.ok(c.get('u2', 'p', ''));
  });
});
