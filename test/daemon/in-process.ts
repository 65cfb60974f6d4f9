// The real daemon (createServices + Daemon, as `routerllm serve` wires them) in the test's own
// process, reached by a real LSP client over in-memory streams: requests take the whole path an
// editor's do (validation, session, history, routing, the model call, the sandbox, the ledger),
// and a test may wrap the services to watch what the daemon computed on the way.
import { PassThrough } from 'node:stream';
import { createConnection } from 'vscode-languageserver/node';
import {
  CancellationTokenSource,
  createProtocolConnection,
  InitializedNotification,
  InitializeRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type CancellationToken,
} from 'vscode-languageserver-protocol/node';
import type { z } from 'zod';
import { resolveConfig } from '../../server/config/load';
import { Daemon } from '../../server/daemon/daemon';
import type { Services } from '../../server/daemon/services';
import { createServices } from '../../server/daemon/wiring';
import type { ParamsOf, RequestDef, ResultOf } from '../../shared/protocol';

export interface InProcessDaemon {
  request<D extends RequestDef<string, z.ZodType, z.ZodType>>(def: D, params: ParamsOf<D>, token?: CancellationToken): Promise<ResultOf<D>>;
  close(): Promise<void>;
}

/** A daemon on configuration `raw` (as a config file would hold it) with one stdio-like session. */
export async function inProcessDaemon(raw: Record<string, unknown>, wrap: (s: Services) => Services = (s) => s): Promise<InProcessDaemon> {
  const log = () => undefined;
  // No periodic health probes: the test's requests are all the fleet should see.
  const services = wrap(await createServices(resolveConfig(raw, null), { log, healthIntervalMs: 3_600_000 }));
  const daemon = new Daemon({ services, log });
  const toDaemon = new PassThrough();
  const toClient = new PassThrough();
  daemon.attach(createConnection(new StreamMessageReader(toDaemon), new StreamMessageWriter(toClient)), 'local', 'stdio');
  const client = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toDaemon));
  client.listen();
  await client.sendRequest(InitializeRequest.type, { processId: null, rootUri: null, capabilities: {}, clientInfo: { name: 'routerllm-test' } });
  await client.sendNotification(InitializedNotification.type, {});
  return {
    request: (def, params, token) => client.sendRequest(def.method, params, token ?? new CancellationTokenSource().token) as never,
    async close() {
      await daemon.shutdown();
      client.dispose();
    },
  };
}
