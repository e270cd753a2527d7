import { BenchEvent, benchEvent } from './events/bench-event.contract';
import { parseEventsOptions } from './events/events.options';
import { EchoRpc, echoRequest } from './echo.contract';
import { parseBenchOptions } from './cli.options';

const bodyBytes = (body: unknown): number => Buffer.byteLength(JSON.stringify(body));

describe('--payload: the body sizes the RPC and events suites send', () => {
  it.each([128, 1_024, 16_384])(
    'a %i-byte RPC request and event, valid for their contracts',
    (size) => {
      // The seq's digits vary the size by a few bytes; the text fills the rest.
      for (const seq of [0, 99_999]) {
        const request = echoRequest(seq, size);
        expect(Math.abs(bodyBytes(request) - size)).toBeLessThanOrEqual(6);
        expect(EchoRpc.request.safeParse(request).success).toBe(true);
        const event = benchEvent(seq, size);
        expect(Math.abs(bodyBytes(event) - size)).toBeLessThanOrEqual(6);
        expect(BenchEvent.payload.safeParse(event).success).toBe(true);
      }
    },
  );

  it('parses a list for both suites and refuses a size no message could have', () => {
    expect(parseEventsOptions(['--payload', '128,1024,16384'])?.payloads).toEqual([
      128, 1_024, 16_384,
    ]);
    expect(parseEventsOptions([])?.payloads).toEqual([128]);
    expect(() => parseEventsOptions(['--payload', '10'])).toThrow(/--payload: a body size from 64/);
    expect(() => parseBenchOptions(['--payload', '2000000'])).toThrow(/--payload/);
  });
});
