import { ConfigError } from '../config/service-config';
import { type ServiceDefinition } from './service-definition';

/**
 * The definition with only the domains its `hostDomainsKey` names (in the order given), or as it
 * is without a key. Throws `ConfigError` for a name it cannot host, an empty list or a repeat.
 */
export function selectHostedDomains<D extends ServiceDefinition>(
  definition: D,
  env: NodeJS.ProcessEnv = process.env,
): D {
  const key = definition.hostDomainsKey;
  const value = key === undefined ? undefined : env[key];
  if (key === undefined || value === undefined) return definition;
  const available = definition.domains.map((domain) => domain.name);
  const names = value.split(',').map((name) => name.trim());
  const problem = (message: string): ConfigError =>
    new ConfigError(definition.name, [{ key, message }]);
  if (names.some((name) => name === '')) {
    throw problem(`a comma-separated list of domains, from ${available.join(', ')}`);
  }
  const unknown = names.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    throw problem(
      `${unknown.join(', ')}: not a domain this host carries (${available.join(', ')})`,
    );
  }
  const twice = names.filter((name, index) => names.indexOf(name) !== index);
  if (twice.length > 0) throw problem(`${twice.join(', ')} named twice`);
  return {
    ...definition,
    domains: names.map((name) => definition.domains.find((domain) => domain.name === name)),
  } as D;
}
