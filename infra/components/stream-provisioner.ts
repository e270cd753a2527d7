import * as pulumi from '@pulumi/pulumi';
import { join } from 'node:path';
import type { MessagingManifest, StreamDefinition } from '../nats/manifest';
import { STREAM_PROVISIONER_USER } from '../nats/permissions';

/**
 * The stream provisioner (infra/streams): a one-shot the platform runs after NATS is up, with the
 * only NATS user that may create or change streams. It creates the manifest's streams or brings
 * them to their definition, then exits 0 — or 1, which fails `pulumi up`. Services never create
 * streams in a deployment (`EVENTS_STREAMS=verify`): they check at boot that theirs exist.
 */

/** The provisioner's own folder: its program, package.json, lockfile and Dockerfile. */
export const STREAM_PROVISIONER_DIR = join(__dirname, '..', 'streams');

/** The manifest's streams with the replica count of this NATS deployment. */
export function provisionedStreams(
  manifest: MessagingManifest,
  replicas: number,
): StreamDefinition[] {
  return manifest.streams.map((stream) => ({ ...stream, num_replicas: replicas }));
}

/**
 * The provisioner's environment, password excluded (each target hands it over as a secret):
 * where NATS is, who it is, the streams as JSON, and how long to wait for NATS to be ready.
 */
export function streamProvisionerEnv(args: {
  natsUrl: string;
  manifest: MessagingManifest;
  replicas: number;
  connectTimeoutSeconds: number;
}): Record<string, string> {
  return {
    NATS_URL: args.natsUrl,
    NATS_USER: STREAM_PROVISIONER_USER,
    STREAMS: JSON.stringify(provisionedStreams(args.manifest, args.replicas)),
    STREAMS_CONNECT_TIMEOUT_MS: String(args.connectTimeoutSeconds * 1000),
  };
}

/** The provisioner's NATS password, from the platform stack's config — only ever as a secret. */
export function streamProvisionerPasswordFrom(config: pulumi.Config): pulumi.Output<string> {
  return config.requireSecret('streamProvisionerNatsPassword');
}

/**
 * What the Docker platform makes of the one-shot's exit: `'true'` for 0; anything else throws with
 * the provisioner's own output, which fails `pulumi up` before any service stack relies on the
 * streams. (Kubernetes needs no such check: Pulumi fails the Job itself.)
 */
export function provisionerOutcome(exitCode: number | undefined, logs: string | undefined): 'true' {
  if (exitCode === 0) return 'true';
  throw new Error(
    `The stream provisioner exited with ${exitCode ?? 'no exit code'}; its output:\n${logs ?? '(none)'}`,
  );
}
