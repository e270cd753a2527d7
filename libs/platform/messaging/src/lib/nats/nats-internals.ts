import {
  type ConsumerMessages,
  type Msg,
  type MsgHdrs,
  MsgHdrsImpl,
  type NatsConnection,
  type Service,
  type ServiceMsg,
  type Subscription,
} from 'nats';

/**
 * The one place that reaches into nats.js 2.x beyond its public API, each time for a reason the
 * public API has no answer to. Every function degrades to the public route when the internal it
 * reads is gone, and a test pins each one against the installed nats.js:
 * - `rawHeaderBlock`: nats.transport.int-spec.ts ("reads the raw header block");
 * - `pullSubscriptionOf`: jetstream.transport.shutdown.int-spec.ts;
 * - `coreMsgOf`, `takeOverEndpointStats`: micro-discovery.int-spec.ts;
 * - `PrebuiltHeaders`, `headersFromRecord`: every RPC test (requests and error replies).
 * Upgrading nats.js means running those suites; nothing else in the lib depends on its internals.
 */

/** Throws nats.js's own error when `value` cannot be a header value (a line break). */
export function assertHeaderValue(value: string): void {
  MsgHdrsImpl.validHeaderValue(value);
}

/**
 * Headers from `name → values` without nats.js's per-key canonicalisation and search (what
 * `headers().set()` does on every call). The values must already be valid header values: nothing
 * is checked here.
 */
export function headersFromRecord(record: Record<string, string[]>): MsgHdrs {
  return MsgHdrsImpl.fromRecord(record);
}

/**
 * Headers written in one go, with their encoded form computed once. nats.js's `headers().set()`
 * canonicalises the key and searches the existing ones on every call, and `encode()` goes through
 * TextEncoder; for the few headers of every RPC request that is as much CPU as validating the
 * body. The names and values must be valid already (no line breaks): nothing is checked here.
 * Any later change falls back to nats.js's own encoding.
 */
export class PrebuiltHeaders extends MsgHdrsImpl {
  /** The encoded form while nobody changed the headers after construction. */
  private text: string | undefined;

  constructor(entries: readonly (readonly [name: string, value: string])[]) {
    super();
    let text = 'NATS/1.0\r\n';
    for (const [name, value] of entries) {
      this.headers.set(name, [value]);
      text += `${name}: ${value}\r\n`;
    }
    this.text = `${text}\r\n`;
  }

  override encode(): Uint8Array {
    return Buffer.from(this.text ?? this.toString(), 'utf8');
  }

  override set(...args: Parameters<MsgHdrsImpl['set']>): void {
    this.text = undefined;
    super.set(...args);
  }

  override append(...args: Parameters<MsgHdrsImpl['append']>): void {
    this.text = undefined;
    super.append(...args);
  }

  override delete(...args: Parameters<MsgHdrsImpl['delete']>): void {
    this.text = undefined;
    super.delete(...args);
  }
}

/** nats.js 2.x `MsgImpl` internals: the payload with the header block in front, and its length. */
interface RawMsg {
  _rdata?: unknown;
  _msg?: { hdr?: unknown };
}

/**
 * A received message's header block as it came off the wire; `null` when the message has none;
 * `undefined` when this nats.js does not keep it (then read `msg.headers`). `msg.headers` decodes
 * every header into a map, canonicalising each key, which on a request path costs as much as
 * validating the body.
 */
export function rawHeaderBlock(msg: Msg): Uint8Array | null | undefined {
  const raw = msg as unknown as RawMsg;
  const length = raw._msg?.hdr;
  const data = raw._rdata;
  if (typeof length !== 'number' || !(data instanceof Uint8Array)) return undefined;
  if (length <= 0) return null;
  return data.subarray(0, length);
}

/**
 * Whether the connection is up right now. nats.js exposes no public "connected" flag (its status
 * iterator reports changes, not the state); the protocol handler knows. `true` when it cannot tell.
 */
export function isConnected(connection: NatsConnection): boolean {
  const protocol = (connection as unknown as { protocol?: { connected?: boolean } }).protocol;
  return protocol?.connected !== false;
}

/**
 * The core subscription under a `consume()` iterator, if nats.js still keeps it in `sub`:
 * `ConsumerMessages` exposes no drain (see `stopConsuming`).
 */
export function pullSubscriptionOf(messages: ConsumerMessages): Subscription | undefined {
  const sub = (messages as { sub?: Partial<Subscription> }).sub;
  return typeof sub?.drain === 'function' && typeof sub.isClosed === 'function'
    ? (sub as Subscription)
    : undefined;
}

/** nats.js 2.x `ServiceMsgImpl`: the core message it wraps for a service handler. */
interface WrappedServiceMsg {
  msg?: unknown;
}

/**
 * The core message under the `ServiceMsg` nats.js hands a service endpoint's handler: its wrapper
 * forwards every property through a getter and lacks the internals `rawHeaderBlock` reads, which
 * would send every request down the slow `msg.headers` route. The wrapper itself when it holds none.
 */
export function coreMsgOf(msg: ServiceMsg): Msg {
  const inner = (msg as WrappedServiceMsg).msg;
  return typeof (inner as Partial<Msg> | undefined)?.respond === 'function' ? (inner as Msg) : msg;
}

/** nats.js 2.x `NamedEndpointStatsImpl`: the counters `$SRV.STATS` reports for one endpoint. */
interface RawEndpointStats {
  num_requests: number;
  num_errors: number;
  last_error?: string;
  processing_time: number;
  average_processing_time: number;
  countLatency(start: number): void;
}

/** One endpoint's `$SRV.STATS` counters, written by whoever replies. */
export interface EndpointStats {
  /** A request answered after `nanos`; with `error` (`<code>:<description>`) when it failed. */
  count(nanos: number, error: string | undefined): void;
}

/**
 * Takes over the `$SRV.STATS` counters of the service endpoint `name`. nats.js counts an error only
 * when the handler throws synchronously (a reply with `Nats-Service-Error` headers is not one, as it
 * is for nats.go) and times the synchronous call of the handler, in whole milliseconds; a handler
 * that replies later, and replies its errors, shows no errors and no time. Once taken over, nats.js
 * counts nothing for the endpoint and the replier counts each request once, when it replied.
 * `undefined` when this nats.js keeps its counters elsewhere: then they stay nats.js's.
 */
export function takeOverEndpointStats(service: Service, name: string): EndpointStats | undefined {
  const handlers = (service as { handlers?: unknown }).handlers;
  if (!Array.isArray(handlers)) return undefined;
  const endpoint = (handlers as { name?: unknown; stats?: Partial<RawEndpointStats> }[]).find(
    (candidate) => candidate.name === name,
  );
  const stats = endpoint?.stats;
  if (
    typeof stats?.countLatency !== 'function' ||
    typeof stats.num_requests !== 'number' ||
    typeof stats.num_errors !== 'number' ||
    typeof stats.processing_time !== 'number'
  ) {
    return undefined;
  }
  const counters = stats as RawEndpointStats;
  // nats.js calls it after every synchronous handler call; the replier counts instead.
  counters.countLatency = () => undefined;
  return {
    count(nanos, error) {
      counters.num_requests++;
      counters.processing_time += nanos;
      counters.average_processing_time = Math.round(
        counters.processing_time / counters.num_requests,
      );
      if (error !== undefined) {
        counters.num_errors++;
        counters.last_error = error;
      }
    },
  };
}
