import { Match, type MsgHdrs } from 'nats';
import { randomFillSync } from 'node:crypto';
import { WireHeaders } from '../nats/wire-headers';

/**
 * A W3C Trace Context (https://www.w3.org/TR/trace-context/) as it travels in headers. Switchboard
 * carries it whether or not tracing is on: logs print the trace id either way; with tracing on its
 * parent id is the span that sent it (`spans.ts`).
 */
export interface TraceContext {
  /**
   * `<version>-<trace id>-<parent id>-<flags>`: 2, 32, 16 and 2 lower-case hex digits, e.g.
   * `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`. The trace id names the whole
   * request tree; the parent id the span (here: the call) that sent it.
   */
  readonly traceparent: string;
  /** Vendor-specific entries (`congo=t61rcWkgMzE,rojo=00f067aa0ba902b7`), passed on untouched. */
  readonly tracestate?: string;
}

/** The four fields of version `00`; a later version may append more after a dash. */
const TRACEPARENT_FIELDS = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(?:$|-)/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
/** Printable ASCII, as W3C allows in list members; keeps line breaks out of our headers. */
const TRACESTATE = /^[\x20-\x7e]*$/;
/** W3C allows 512 characters of `tracestate` to be dropped as a whole when a list is longer. */
const MAX_TRACESTATE_LENGTH = 512;

/**
 * True when `value` is a `traceparent` this service may continue: lower-case hex fields of the
 * version `00` shape, exactly 55 characters for version `00`, never version `ff`, and neither an
 * all-zero trace id nor an all-zero parent id.
 */
export function isValidTraceparent(value: string): boolean {
  if (!TRACEPARENT_FIELDS.test(value) || value.startsWith('ff')) return false;
  if (value.startsWith('00') && value.length !== 55) return false;
  return value.slice(3, 35) !== ZERO_TRACE_ID && value.slice(36, 52) !== ZERO_SPAN_ID;
}

/** The 32-hex-digit trace id of a valid `traceparent`. */
export function traceIdOf(traceparent: string): string {
  return traceparent.slice(3, 35);
}

/** The 16-hex-digit parent (span) id of a valid `traceparent`. */
export function parentIdOf(traceparent: string): string {
  return traceparent.slice(36, 52);
}

/**
 * Starts a new trace: a random trace id and span id, flags `01` ("sampled": our logs record every
 * call under its trace id, so the caller did record it).
 */
export function newTraceContext(): TraceContext {
  return { traceparent: `00-${randomHex(16, ZERO_TRACE_ID)}-${randomHex(8, ZERO_SPAN_ID)}-01` };
}

/**
 * The context to send with an outgoing message: the same trace id and flags as `parent` with a new
 * span id (written as version `00`, the one version this code knows), and `parent`'s `tracestate`;
 * a new trace when there is no parent, or a parent that is not a valid W3C context (it may have
 * been built by hand, and what this returns goes into headers as it is).
 */
export function childTraceContext(parent: TraceContext | undefined): TraceContext {
  if (parent === undefined || !isValidTraceparent(parent.traceparent)) return newTraceContext();
  const { traceparent, tracestate } = parent;
  const child = `00-${traceparent.slice(3, 35)}-${randomHex(8, ZERO_SPAN_ID)}-${traceparent.slice(53, 55)}`;
  return tracestate !== undefined && isValidTracestate(tracestate)
    ? { traceparent: child, tracestate }
    : { traceparent: child };
}

/**
 * Builds a context from received header values. An invalid `traceparent` is ignored with its
 * `tracestate`, as the W3C spec asks (the caller then starts a new trace); an over-long
 * or malformed `tracestate` is dropped.
 */
export function traceContextFrom(
  traceparent: string | undefined,
  tracestate: string | undefined,
): TraceContext | undefined {
  if (!traceparent || !isValidTraceparent(traceparent)) return undefined;
  return tracestate && isValidTracestate(tracestate)
    ? { traceparent, tracestate }
    : { traceparent };
}

function isValidTracestate(tracestate: string): boolean {
  return tracestate.length <= MAX_TRACESTATE_LENGTH && TRACESTATE.test(tracestate);
}

/**
 * Reads `traceparent` and `tracestate` from NATS headers (see {@link traceContextFrom}), in any
 * case: nats.go's `Header.Set` sends `Traceparent`.
 */
export function readTraceHeaders(headers: MsgHdrs | undefined): TraceContext | undefined {
  if (!headers) return undefined;
  return traceContextFrom(
    headers.get(WireHeaders.TRACEPARENT, Match.IgnoreCase) || undefined,
    headers.get(WireHeaders.TRACESTATE, Match.IgnoreCase) || undefined,
  );
}

/** Writes `trace` into NATS headers as `traceparent` (and `tracestate` when it has one). */
export function writeTraceHeaders(headers: MsgHdrs, trace: TraceContext): void {
  headers.set(WireHeaders.TRACEPARENT, trace.traceparent);
  if (trace.tracestate !== undefined) headers.set(WireHeaders.TRACESTATE, trace.tracestate);
}

// Ids come from a pool of random bytes refilled 4 KiB at a time: one CSPRNG call per ~170 spans
// instead of one per span keeps id generation off the per-message profile.
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomHex(bytes: number, zero: string): string {
  for (;;) {
    if (poolOffset + bytes > POOL_SIZE) {
      randomFillSync(pool);
      poolOffset = 0;
    }
    const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
    poolOffset += bytes;
    if (hex !== zero) return hex;
  }
}
