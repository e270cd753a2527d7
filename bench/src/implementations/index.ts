import { type Implementation, type ImplementationName } from './implementation';

export * from './implementation';

interface ImplementationEntry {
  /** One line for the report. */
  readonly description: string;
  /** Whether a responder process answers the calls (all but the in-process baseline). */
  readonly overNats: boolean;
  /**
   * Loaded lazily so that each benchmark process holds only the code of the implementation it
   * runs: the raw process never loads Nest, and nothing else shares its heap or its JIT.
   */
  readonly load: () => Promise<Implementation>;
}

export const IMPLEMENTATIONS: Record<ImplementationName, ImplementationEntry> = {
  raw: {
    description: 'nats.js request <-> nats.js subscription; JSON parse + stringify on both sides',
    overNats: true,
    load: async () => (await import('./raw.implementation')).rawImplementation,
  },
  platform: {
    description: 'RpcClient.call <-> @RpcHandler on NatsTransport (Nest app, Fastify adapter)',
    overNats: true,
    load: async () => (await import('./platform.implementation')).platformImplementation,
  },
  nest: {
    description: 'ClientProxy.send <-> @MessagePattern on Transport.NATS (Nest envelope)',
    overNats: true,
    load: async () => (await import('./nest.implementation')).nestImplementation,
  },
  'platform-traced': {
    description:
      'platform with tracing on: a CLIENT and a SERVER span per call, batched, OTLP/HTTP to a sink',
    overNats: true,
    load: async () =>
      (await import('./platform-traced.implementation')).platformTracedImplementation,
  },
  'in-process': {
    description: 'the echo handler called directly in the caller process (no NATS, no JSON)',
    overNats: false,
    load: async () => (await import('./in-process.implementation')).inProcessImplementation,
  },
};
