import { Match, type Msg } from 'nats';

/**
 * NATS header names Switchboard puts on the wire. `Nats-Msg-Id` is JetStream's de-duplication key;
 * the `Nats-Service-Error*` pair follows the NATS micro-services protocol so generic tooling shows
 * our errors. NATS header names are case-sensitive: send them spelled exactly as here.
 */
export const WireHeaders = {
  MESSAGE_ID: 'Nats-Msg-Id',
  SERVICE_ERROR_CODE: 'Nats-Service-Error-Code',
  SERVICE_ERROR: 'Nats-Service-Error',
  /** Our stable string code (`CHAT.NOT_A_MEMBER`), next to the numeric one above. */
  ERROR_CODE: 'Switchboard-Error-Code',
  /** The publishing or calling service. */
  SOURCE: 'Switchboard-Source',
  /**
   * When the caller stops waiting for the reply of an RPC request: an absolute time in
   * milliseconds since the Unix epoch, as a decimal integer (`1764151200123`).
   *
   * Absolute rather than a relative "500 ms left" because the time a request spends in client and
   * server buffers, in NATS and in the handler's queue counts against the caller's wait too: a
   * relative budget would have to be stamped with the send time and corrected on arrival, which is
   * the same clock comparison with more steps. The price is that hosts' clocks must agree within a
   * few milliseconds, as NTP keeps them; a server whose clock runs ahead sees requests as older
   * than they are (and one that runs behind as younger), by the skew.
   *
   * A server refuses a request whose deadline has passed when it picks it up (`DEADLINE_EXCEEDED`,
   * retriable, the handler is not called) and otherwise runs the handler with this deadline in its
   * call context, so the handler's own RPC calls wait at most until then and forward it.
   * A request without the header gets the server's default budget (`NatsTransportOptions`).
   */
  DEADLINE: 'Switchboard-Deadline',
  /**
   * W3C Trace Context `traceparent` (`00-<trace id>-<parent span id>-<flags>`), lower case as the
   * W3C spec writes it. An RPC request, an event and a reply-less publish carry the caller's trace
   * id with a new span id; a server hands the incoming value to the handler's call context.
   */
  TRACEPARENT: 'traceparent',
  /** W3C Trace Context `tracestate` (vendor entries), passed on untouched next to `traceparent`. */
  TRACESTATE: 'tracestate',
} as const;

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

/** nats.js 2.x `MsgImpl` internals: the payload with the header block in front, and its length. */
interface RawMsg {
  _rdata?: unknown;
  _msg?: { hdr?: unknown };
}

/** The header block's bytes; `null` when the message has none; `undefined` when unknown. */
export function rawHeaderBlock(msg: Msg): Uint8Array | null | undefined {
  const raw = msg as unknown as RawMsg;
  const length = raw._msg?.hdr;
  const data = raw._rdata;
  if (typeof length !== 'number' || !(data instanceof Uint8Array)) return undefined;
  if (length <= 0) return null;
  return data.subarray(0, length);
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
