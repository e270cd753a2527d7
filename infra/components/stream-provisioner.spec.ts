import { fixtureManifest } from '../testing/fixture-manifest';
import { provisionedStreams, provisionerOutcome, streamProvisionerEnv } from './stream-provisioner';

describe('stream provisioner wiring', () => {
  it('gives every manifest stream the replica count of the NATS deployment', () => {
    const manifest = fixtureManifest();
    const streams = provisionedStreams(manifest, 3);
    expect(streams.map((stream) => [stream.name, stream.num_replicas])).toEqual(
      manifest.streams.map((stream) => [stream.name, 3]),
    );
    // The manifest itself is left without replicas.
    expect(manifest.streams.every((stream) => stream.num_replicas === undefined)).toBe(true);
  });

  it('hands the provisioner its user, the streams as JSON and a deadline, never a password', () => {
    const env = streamProvisionerEnv({
      natsUrl: 'nats://nats:4222',
      manifest: fixtureManifest(),
      replicas: 1,
      connectTimeoutSeconds: 120,
    });
    expect(env).toEqual({
      NATS_URL: 'nats://nats:4222',
      NATS_USER: 'stream-provisioner',
      STREAMS: JSON.stringify(provisionedStreams(fixtureManifest(), 1)),
      STREAMS_CONNECT_TIMEOUT_MS: '120000',
    });
  });

  it('turns exit code 0 into success and anything else into an error carrying the output', () => {
    expect(provisionerOutcome(0, 'created CHAT')).toBe('true');
    expect(() => provisionerOutcome(1, 'permissions violation on CHAT')).toThrow(
      /exited with 1; its output:\npermissions violation on CHAT/,
    );
    expect(() => provisionerOutcome(undefined, undefined)).toThrow(/no exit code/);
  });
});
