/** Which Nest transport takes a handler: RPC handlers go to core NATS, event handlers to JetStream. */
export const JETSTREAM_TRANSPORT = Symbol('SWITCHBOARD_JETSTREAM');
