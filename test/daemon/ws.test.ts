// The team transport: a shared daemon over WebSocket, refused without the token, one session per
// client, frames capped.
import { strict as assert } from 'node:assert';
import WebSocket from 'ws';
import * as protocol from '../../shared/protocol';
import { connectDaemon } from '../../server/daemon/connect';
import { tokenMatches } from '../../server/daemon/ws';
import { humanEvalFile, startHarness, type Harness } from './harness';
import { handshakeStatus, startWsDaemon, stopProcess, type WsDaemon } from './ws-harness';

const TOKEN = 'team-secret-token';

describe('daemon over WebSocket', function () {
  this.timeout(60_000);
  let h: Harness;
  let daemon: WsDaemon;

  before(async () => {
    h = await startHarness();
    daemon = await startWsDaemon(h.writeConfig({ ws: { host: '127.0.0.1', maxMessageBytes: 64 * 1024 } }), TOKEN);
  });
  after(async () => {
    if (daemon) await stopProcess(daemon.child);
    await h?.close();
  });

  it('compares tokens in constant time, by content', () => {
    assert.equal(tokenMatches('abc', 'abc'), true);
    assert.equal(tokenMatches('abc', 'abd'), false);
    assert.equal(tokenMatches('abc', 'abcd'), false);
    assert.equal(tokenMatches('abc', null), false);
  });

  it('refuses a client without the token or with a wrong one', async () => {
    assert.equal(await handshakeStatus(daemon.url, {}), 401);
    assert.equal(await handshakeStatus(daemon.url, { authorization: 'Bearer wrong' }), 401);
    assert.equal(await handshakeStatus(daemon.url, { authorization: `Bearer ${TOKEN}` }), 101);
  });

  it('serves two clients with separate sessions', async () => {
    const a = await connectDaemon(daemon.url, TOKEN);
    const b = await connectDaemon(daemon.url, TOKEN);
    try {
      const file = humanEvalFile(0);
      const r = await a.request(protocol.implementFunction, {
        textDocument: { uri: 'file:///a.py', languageId: 'python', text: file.text },
        position: { line: file.line, character: 0 },
        strategy: 'always-deepseek-coder-6.7b',
      });
      assert.equal(r.decision.model, 'deepseek-coder-6.7b');
      const sa = await a.request(protocol.sessionStats, {});
      const sb = await b.request(protocol.sessionStats, {});
      assert.notEqual(sa.sessionId, sb.sessionId);
      assert.equal(sa.session.requests, 1);
      assert.equal(sb.session.requests, 0);
      // Feedback belongs to the user, not the session (it must outlive a restart): the same token's
      // other session may rate the request; another user's is refused (test/daemon/feedback.test.ts).
      assert.equal((await b.request(protocol.feedback, { requestId: r.requestId, kind: 'rejected' })).recorded, true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('serves Prometheus metrics on /metrics to holders of the token', async () => {
    const http = daemon.url.replace(/^ws/, 'http');
    assert.equal((await fetch(`${http}/metrics`)).status, 401);
    const res = await fetch(`${http}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    const text = await res.text();
    // The request of the sessions test above is counted, by model and strategy.
    assert.match(text, /routerllm_requests_total\{[^}]*model="deepseek-coder-6\.7b"[^}]*\} [1-9]/);
    assert.match(text, /routerllm_energy_joules_total/);
    assert.match(text, /routerllm_co2_grams_total/);
    assert.match(text, /routerllm_cost_usd_total/);
    assert.match(text, /routerllm_request_latency_seconds_bucket/);
  });

  it('closes a connection that sends a frame over the cap, and keeps serving others', async () => {
    const big = new WebSocket(daemon.url, { headers: { authorization: `Bearer ${TOKEN}` } });
    await new Promise((r) => big.once('open', r));
    const closed = new Promise<number>((r) => big.once('close', (code) => r(code)));
    big.send('x'.repeat(128 * 1024));
    assert.equal(await closed, 1009, 'message too big');
    const c = await connectDaemon(daemon.url, TOKEN);
    assert.ok((await c.request(protocol.listModels, {})).models.length > 0);
    await c.close();
  });

  it('survives a client that disconnects with a request in flight', async () => {
    await h.fault('deepseek-coder-1.3b', 'slow', { count: 1, delayMs: 2000 });
    const c = await connectDaemon(daemon.url, TOKEN);
    const file = humanEvalFile(0);
    const pending = c
      .request(protocol.implementFunction, {
        textDocument: { uri: 'file:///c.py', languageId: 'python', text: file.text },
        position: { line: file.line, character: 0 },
        strategy: 'always-deepseek-coder-1.3b',
      })
      .catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    await c.close();
    await pending;
    const d = await connectDaemon(daemon.url, TOKEN);
    assert.ok((await d.request(protocol.listModels, {})).models.length > 0);
    await d.close();
  });
});
