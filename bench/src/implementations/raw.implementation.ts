import { connect } from 'nats';
import { echo, ECHO_SUBJECT, type EchoRequest, type EchoResult } from '../echo.contract';
import {
  CALL_TIMEOUT_MS,
  type Caller,
  type Implementation,
  NATS_CONNECT_OPTIONS,
  type Responder,
} from './implementation';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The floor: nats.js `request` against a bare subscription. Both sides still parse and stringify
 * the JSON body, as any real service must, so what the platform adds on top is its own code
 * (validation, headers, Nest's handler pipeline), not the unavoidable codec work.
 */
export const rawImplementation: Implementation = {
  async startResponder(natsUrl: string): Promise<Responder> {
    const connection = await connect({
      servers: natsUrl,
      name: 'bench-raw-responder',
      ...NATS_CONNECT_OPTIONS,
    });
    // A queue group, like the platform's, so the server does the same routing work for both.
    connection.subscribe(ECHO_SUBJECT, {
      queue: 'bench-responder',
      callback: (error, msg) => {
        if (error) return;
        const request = JSON.parse(decoder.decode(msg.data)) as EchoRequest;
        msg.respond(encoder.encode(JSON.stringify({ ok: true, ...echo(request) })));
      },
    });
    await connection.flush();
    return { stop: () => connection.drain() };
  },

  async startCaller(natsUrl: string): Promise<Caller> {
    const connection = await connect({
      servers: natsUrl,
      name: 'bench-raw-caller',
      ...NATS_CONNECT_OPTIONS,
    });
    return {
      async call(request: EchoRequest): Promise<EchoResult> {
        const reply = await connection.request(
          ECHO_SUBJECT,
          encoder.encode(JSON.stringify(request)),
          {
            timeout: CALL_TIMEOUT_MS,
          },
        );
        const { ok, ...result } = JSON.parse(decoder.decode(reply.data)) as EchoResult & {
          ok: boolean;
        };
        if (ok !== true) throw new Error(`raw responder failed: ${JSON.stringify(result)}`);
        return result;
      },
      stop: () => connection.drain(),
    };
  },
};
