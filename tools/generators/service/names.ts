/** The spellings of a new service's names that its files use. */
export interface ServiceNames {
  /** The domain: `notes` — its subjects' second token, project, scope, database and queue group. */
  name: string;
  /** `Notes`: its contracts namespace, module and domain definition. */
  Name: string;
  /** `NOTES`: its error codes' prefix. */
  NAME: string;
  /** The one entity it starts with: `note`. */
  entity: string;
  Entity: string;
  ENTITY: string;
  /** Its table: the entity in the plural. */
  table: string;
  /** Its HTTP port: after the highest a service has. */
  port: number;
  /** The migration's timestamp (ms), so migrations sort by creation. */
  migrationTimestamp: number;
}

/** A subject token (`rpc.<domain>.…`), a project name and a scope tag at once. */
const NAME = /^[a-z][a-z0-9]*$/;

/** Names the platform already uses for something else. */
const TAKEN = new Set(['gateway', 'monolith', 'platform', 'contracts', 'tools', 'web']);

export function serviceNames(
  options: { name: string; entity?: string },
  existing: { names: readonly string[]; ports: readonly number[] },
  now = Date.now(),
): ServiceNames {
  const name = options.name.trim();
  if (!NAME.test(name)) {
    throw new Error(
      `The service name "${name}" must be lower-case letters and digits, starting with a letter (it becomes the subjects' domain token, e.g. rpc.${name.toLowerCase().replace(/[^a-z0-9]/g, '') || 'notes'}.get-note.v1)`,
    );
  }
  if (TAKEN.has(name) || existing.names.includes(name)) {
    throw new Error(`There is already a service or project named "${name}"`);
  }
  const entity = (options.entity ?? singular(name)).trim();
  if (!NAME.test(entity)) {
    throw new Error(
      `The entity "${entity}" must be lower-case letters and digits, starting with a letter`,
    );
  }
  const capital = (word: string) => word[0].toUpperCase() + word.slice(1);
  return {
    name,
    Name: capital(name),
    NAME: name.toUpperCase(),
    entity,
    Entity: capital(entity),
    ENTITY: entity.toUpperCase(),
    table: entity === name ? `${entity}_items` : `${entity}s`,
    port: Math.max(...existing.ports) + 1,
    migrationTimestamp: now,
  };
}

/** `notes` → `note`; a name that is not an English plural stays as it is. */
function singular(name: string): string {
  return name.length > 3 && name.endsWith('s') && !name.endsWith('ss') ? name.slice(0, -1) : name;
}
