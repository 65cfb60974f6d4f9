// The revocation check of a shared daemon's sessions (ws.ts revokedSessions): it closes only the
// sessions whose token it asked the store about and the store no longer knows as live.
import { strict as assert } from 'node:assert';
import { revokedSessions } from '../../server/daemon/ws';

describe('ws: which sessions a revocation check closes', () => {
  it('closes the sessions of a token asked about and not live', () => {
    const watched = new Map([['s1', 'h-alice'], ['s2', 'h-bob'], ['s3', 'h-alice']]);
    assert.deepEqual(revokedSessions(watched, new Set(['h-alice', 'h-bob']), new Set(['h-bob'])), ['s1', 's3']);
  });

  it('keeps a session that connected while the check was in flight (its token was not asked about)', () => {
    // The team bench's 200 clients connecting during a check were once closed as "revoked".
    const watched = new Map([['old', 'h-alice'], ['new', 'h-carol']]);
    assert.deepEqual(revokedSessions(watched, new Set(['h-alice']), new Set(['h-alice'])), []);
  });
});
