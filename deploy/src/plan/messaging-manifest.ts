import { subjectMatches } from '@switchboard/contracts';
import {
  type ExpectedStream,
  type MessagingManifest as ServiceManifest,
} from '@switchboard/platform-runtime';
import { readFileSync } from 'node:fs';

/**
 * `infra/generated/messaging-manifest.json`: each service's manifest as the platform derives it
 * (its streams listed once, at the top).
 */
export interface MessagingManifest {
  services: Record<string, Omit<ServiceManifest, 'streams'>>;
  streams: ExpectedStream[];
}

export function parseManifest(text: string, source: string): MessagingManifest {
  const parsed = JSON.parse(text) as Partial<MessagingManifest>;
  if (typeof parsed.services !== 'object' || !Array.isArray(parsed.streams)) {
    throw new Error(`${source}: not a messaging manifest (no "services" and "streams")`);
  }
  return parsed as MessagingManifest;
}

export function readManifest(path: string): MessagingManifest {
  return parseManifest(readFileSync(path, 'utf8'), path);
}

/** The stream whose subjects cover `subject` (`evt.chat.>` covers `evt.chat.message.created.v1`). */
function streamOf(manifest: MessagingManifest, subject: string): string | undefined {
  return manifest.streams.find((stream) =>
    stream.subjects.some((pattern) => subjectMatches(pattern, subject)),
  )?.name;
}

/**
 * The services that send or receive `subject`, with how (`publishes`, `consumes`, `answers`,
 * `calls`, `pushes`, `receives`, or `reads <stream>` for an edge that reads the whole stream), in
 * any of the manifests given (head and base: a subject removed at head is still used at base).
 */
export function servicesUsing(
  manifests: MessagingManifest[],
  subject: string,
): Map<string, string> {
  const users = new Map<string, string>();
  for (const manifest of manifests) {
    const stream = streamOf(manifest, subject);
    for (const [service, entry] of Object.entries(manifest.services)) {
      const use =
        (entry.publishes.includes(subject) && 'publishes') ||
        (entry.consumes.some((c) => c.subject === subject) && 'consumes') ||
        (entry.answers.includes(subject) && 'answers') ||
        (entry.calls.includes(subject) && 'calls') ||
        (entry.pushes.includes(subject) && 'pushes') ||
        (entry.receives.includes(subject) && 'receives') ||
        (stream !== undefined && entry.reads.includes(stream) && `reads ${stream}`) ||
        undefined;
      if (use && !users.has(service)) users.set(service, use);
    }
  }
  return users;
}
