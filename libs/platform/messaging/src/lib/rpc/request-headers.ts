import { Match, type Msg, type MsgHdrs } from 'nats';
import { type TraceContext } from '../context/trace-context';
import { PrebuiltHeaders, rawHeaderBlock } from '../nats/nats-internals';
import { WireHeaders } from '../nats/wire-headers';

/**
 * The headers of an RPC request: who calls, until when it waits, and its trace context. The values
 * hold no line breaks: the service name is checked once by the client, the deadline is digits, and
 * `childTraceContext` only returns a validated `traceparent` / `tracestate`.
 */
export function requestHeaders(source: string, deadline: number, trace: TraceContext): MsgHdrs {
  const entries: [string, string][] = [
    [WireHeaders.SOURCE, source],
    [WireHeaders.DEADLINE, String(deadline)],
    [WireHeaders.TRACEPARENT, trace.traceparent],
  ];
  if (trace.tracestate !== undefined) entries.push([WireHeaders.TRACESTATE, trace.tracestate]);
  return new PrebuiltHeaders(entries);
}

/** The headers an RPC server acts on, read from a request; absent ones are `undefined`. */
export interface RequestWireHeaders {
  deadline?: string;
  traceparent?: string;
  tracestate?: string;
}

const NO_HEADERS: RequestWireHeaders = {};
const DEADLINE_KEY = WireHeaders.DEADLINE.toLowerCase();

/**
 * Reads `Switchboard-Deadline`, `traceparent` and `tracestate` from a received message, matching
 * names regardless of case: nats.go's `Header.Set` sends `Traceparent`, as Go canonicalises keys.
 *
 * Reads nats.js's raw header block when it can: `msg.headers` decodes every header into a map,
 * canonicalising each key, which on a request path is as costly as validating the body. A nats.js
 * whose messages lack the raw block takes the `msg.headers` route (`nats.transport.int-spec.ts`
 * checks that the installed one still has it).
 */
export function readRequestHeaders(msg: Msg): RequestWireHeaders {
  const block = rawHeaderBlock(msg);
  if (block === null) return NO_HEADERS;
  if (block !== undefined) return parseHeaderBlock(block);
  const parsed = msg.headers;
  if (!parsed) return NO_HEADERS;
  return {
    deadline: parsed.get(WireHeaders.DEADLINE, Match.IgnoreCase) || undefined,
    traceparent: parsed.get(WireHeaders.TRACEPARENT, Match.IgnoreCase) || undefined,
    tracestate: parsed.get(WireHeaders.TRACESTATE, Match.IgnoreCase) || undefined,
  };
}

/** Parses `NATS/1.0[ status]\r\nName: value\r\n…\r\n\r\n` for the three names we act on. */
export function parseHeaderBlock(block: Uint8Array): RequestWireHeaders {
  // latin1 maps bytes 1:1; the values we use are ASCII, and anything else fails their validation.
  const text = Buffer.from(block.buffer, block.byteOffset, block.byteLength).toString('latin1');
  const found: RequestWireHeaders = {};
  let start = text.indexOf('\r\n') + 2;
  while (start > 1 && start < text.length) {
    let end = text.indexOf('\r\n', start);
    if (end === -1) end = text.length;
    const colon = text.indexOf(':', start);
    if (colon !== -1 && colon < end) {
      const nameLength = colon - start;
      // Only names of the right length are compared, so most lines cost two indexOf calls.
      if (nameLength === 11 || nameLength === 10 || nameLength === DEADLINE_KEY.length) {
        const name = text.slice(start, colon).toLowerCase();
        if (name === WireHeaders.TRACEPARENT)
          found.traceparent ??= text.slice(colon + 1, end).trim();
        else if (name === WireHeaders.TRACESTATE)
          found.tracestate ??= text.slice(colon + 1, end).trim();
        else if (name === DEADLINE_KEY) found.deadline ??= text.slice(colon + 1, end).trim();
      }
    }
    start = end + 2;
  }
  return found;
}
