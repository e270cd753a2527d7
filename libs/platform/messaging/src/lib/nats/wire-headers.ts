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
