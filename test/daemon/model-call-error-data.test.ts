// A request every model failed carries the model servers' own error codes as the error's data
// (ModelCallFailedData): the editor tells the demo fleet's "no recording" apart by that field, not
// by the message's words (extension/messages.ts).
import { strict as assert } from 'node:assert';
import { spawnDaemon } from '../../server/daemon/connect';
import * as protocol from '../../shared/protocol';
import { harnessFixture } from './harness';

describe('daemon: the servers\' error codes reach the editor as data', function () {
  this.timeout(60_000);
  const f = harnessFixture();

  it('ghost text on one\'s own code against the recorded fleet fails with data.serverCodes ["recording_not_found"]', async () => {
    const daemon = await spawnDaemon({ args: ['--config', f.h.writeConfig({})] });
    try {
      const text = 'def shout(words: str) -> str:\n    """Upper-case words and add an exclamation mark."""\n    ';
      await assert.rejects(
        daemon.request(protocol.inlineCompletion, { textDocument: { uri: 'file:///w/mine.py', languageId: 'python', text }, position: { line: 2, character: 4 } }),
        (e: { code: number; data?: unknown }) => {
          assert.equal(e.code, protocol.ErrorCodes.ModelCallFailed);
          assert.deepEqual(protocol.ModelCallFailedData.parse(e.data), { serverCodes: ['recording_not_found'] });
          return true;
        },
      );
    } finally {
      await daemon.close();
    }
  });
});
