import {
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
  type ForwardReference,
  NotFoundException,
  type Type,
} from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';
import { Gateway } from '@switchboard/contracts';
import { type FastifyRequest } from 'fastify';

/** A hosted domain as far as its routes go: its name and the module that declares its controllers. */
export interface RoutedDomain {
  name: string;
  module: Type | DynamicModule;
}

/**
 * Which hosted domain each controller belongs to: the domain whose module declares it, directly or
 * through a module it imports. A controller no domain declares (health, the OpenAPI document), or
 * that two domains both import, belongs to the platform and serves every domain.
 */
export class DomainRoutes {
  private readonly owners = new Map<Type, string>();
  readonly domains: readonly string[];

  constructor(domains: readonly RoutedDomain[]) {
    this.domains = domains.map((domain) => domain.name);
    const shared = new Set<Type>();
    for (const domain of domains) {
      for (const controller of controllersOf(domain.module)) {
        const owner = this.owners.get(controller);
        if (owner !== undefined && owner !== domain.name) shared.add(controller);
        else this.owners.set(controller, domain.name);
      }
    }
    for (const controller of shared) this.owners.delete(controller);
  }

  /** The domain `controller` belongs to; undefined for the platform's own. */
  ownerOf(controller: Type): string | undefined {
    return this.owners.get(controller);
  }

  hosts(domain: string): boolean {
    return this.domains.includes(domain);
  }
}

/**
 * A request the gateway sent for one domain (`Switchboard-Domain`) reaching a route of another is
 * answered as an unknown route would be: 404 `NOT_FOUND`. In the services topology the route does
 * not exist in that process; in a process hosting several domains it exists but is not the
 * domain's, and the client must not be able to tell the difference. Requests without the header
 * (probes, tests, a service called directly) reach every route, as before.
 */
export class DomainRouteGuard implements CanActivate {
  constructor(private readonly routes: DomainRoutes) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const asked = request.headers[Gateway.DOMAIN_HEADER];
    if (typeof asked !== 'string') return true;
    const owner = this.routes.ownerOf(context.getClass());
    if (owner === undefined || owner === asked) return true;
    // Nest's own words for a route it does not have, so both cases read alike.
    throw new NotFoundException(`Cannot ${request.method} ${request.url}`);
  }
}

/** Every controller declared by `root` or by a module it imports, however deep. */
function controllersOf(root: Type | DynamicModule): Set<Type> {
  const found = new Set<Type>();
  const visited = new Set<unknown>();
  const visit = (entry: unknown): void => {
    const module = unwrapForwardRef(entry);
    if (module === undefined || visited.has(module)) return;
    visited.add(module);
    const dynamic = typeof module === 'function' ? undefined : module;
    const type = dynamic === undefined ? (module as Type) : dynamic.module;
    const declared = (key: string): unknown[] =>
      (Reflect.getMetadata(key, type) as unknown[] | undefined) ?? [];
    for (const controller of [
      ...declared(MODULE_METADATA.CONTROLLERS),
      ...(dynamic?.controllers ?? []),
    ])
      found.add(controller as Type);
    for (const imported of [...declared(MODULE_METADATA.IMPORTS), ...(dynamic?.imports ?? [])])
      visit(imported);
  };
  visit(root);
  return found;
}

/** A module class or dynamic module; undefined for what cannot declare controllers (a promise). */
function unwrapForwardRef(entry: unknown): Type | DynamicModule | undefined {
  if (typeof entry === 'function') return entry as Type;
  if (typeof entry !== 'object' || entry === null) return undefined;
  if ('forwardRef' in entry) return unwrapForwardRef((entry as ForwardReference).forwardRef());
  return 'module' in entry ? (entry as DynamicModule) : undefined;
}
