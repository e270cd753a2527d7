import * as pulumi from '@pulumi/pulumi';

/**
 * The gateway's `corsOrigins` stack setting: a YAML list (`- https://app.example.com`) or one
 * comma-separated string (`pulumi config set corsOrigins https://a.example,https://b.example`).
 * Unset: `undefined` (no CORS headers).
 */
export function corsOriginsFrom(config: pulumi.Config): string[] | undefined {
  const raw = config.get('corsOrigins');
  if (raw === undefined) return undefined;
  if (raw.trim().startsWith('[')) {
    const list: unknown = JSON.parse(raw);
    if (!Array.isArray(list) || !list.every((origin) => typeof origin === 'string')) {
      throw new Error('corsOrigins must be a list of origins');
    }
    return list.map((origin: string) => origin.trim()).filter((origin) => origin !== '');
  }
  return raw
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
}
