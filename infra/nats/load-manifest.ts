import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MessagingManifest } from './manifest';

/** Where the lead's generator writes the manifest, relative to `infra/`. */
export const MANIFEST_PATH = join(__dirname, '..', 'generated', 'messaging-manifest.json');

/** Reads the generated messaging manifest; says how to produce it when it is missing. */
export function loadManifest(path = MANIFEST_PATH): MessagingManifest {
  if (!existsSync(path)) {
    throw new Error(
      `Messaging manifest not found at ${path}: generate it from the contracts first (infra/generated/messaging-manifest.json).`,
    );
  }
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as MessagingManifest;
  if (typeof manifest !== 'object' || manifest === null || typeof manifest.services !== 'object') {
    throw new Error(`${path} is not a messaging manifest: no "services" object`);
  }
  if (!Array.isArray(manifest.streams) || manifest.streams.length === 0) {
    throw new Error(
      `${path} lists no JetStream streams: regenerate it with \`npm run messaging-manifest\``,
    );
  }
  for (const [service, entry] of Object.entries(manifest.services)) {
    for (const field of LATER_FIELDS) {
      // A manifest generated before the field existed: the service reads / receives nothing.
      entry[field] ??= [];
      if (!Array.isArray(entry[field])) {
        throw new Error(`${path}: services.${service}.${field} is not a list`);
      }
    }
  }
  return manifest;
}

/** Entry fields added after the first manifests were generated (absent there, meaning none). */
const LATER_FIELDS = ['reads', 'receives'] as const;
