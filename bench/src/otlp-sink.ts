import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

/** The variable through which benchmark processes learn where to export their spans. */
export const OTLP_SINK_ENV = 'SWITCHBOARD_BENCH_OTLP_SINK';

/**
 * An OTLP/HTTP endpoint that reads every export and discards it: the benchmark measures what
 * tracing costs the services (spans, batching, encoding, sending), not a trace store.
 */
export async function startOtlpSink(): Promise<{
  url: string;
  exports: () => number;
  stop: () => Promise<void>;
}> {
  let received = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received += 1;
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports: () => received,
    stop: async () => {
      server.close();
      server.closeAllConnections();
      await once(server, 'close');
    },
  };
}
