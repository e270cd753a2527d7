import { Injectable, RequestMethod, type Type } from '@nestjs/common';
import {
  HTTP_CODE_METADATA,
  METHOD_METADATA,
  MODULE_PATH,
  PATH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { IS_PUBLIC_KEY } from '@switchboard/platform-auth';
import { type z } from 'zod';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { EXCLUDE_FROM_DOCS } from './exclude-from-docs.decorator';
import { type HttpVerb } from './openapi.types';
import { returnsOf, type ReturnsEntry } from './returns.decorator';

/** A request part a route reads, and the zod schema that validates it (if any). */
export interface RouteInput {
  part: 'body' | 'query' | 'path' | 'header';
  /** Set when the route reads one property (`@Query('limit', pipe)`) rather than the whole part. */
  property?: string;
  /** The schema of the `ZodValidationPipe` on the parameter; undefined when none validates it. */
  schema?: z.ZodType;
}

/** One HTTP route of the app, as the OpenAPI document needs it. */
export interface HttpRoute {
  /** The controller class: which domain the route belongs to (`DomainRoutes`). */
  controller: Type;
  controllerName: string;
  handlerName: string;
  method: HttpVerb;
  /** OpenAPI path template, global prefix and module path included: `/conversations/{id}/messages`. */
  path: string;
  /** The `@Controller` path, e.g. `conversations/:id/messages`. */
  controllerPath: string;
  /** `@Public()` on the handler or its controller: no bearer token needed. */
  isPublic: boolean;
  inputs: RouteInput[];
  returns: ReturnsEntry[];
  /** `@HttpCode`, else Nest's default: 201 for POST, 200 for the rest. */
  successStatus: number;
}

const VERBS: Partial<Record<RequestMethod, HttpVerb>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.DELETE]: 'delete',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.OPTIONS]: 'options',
  [RequestMethod.HEAD]: 'head',
};

const PARTS: Partial<Record<RouteParamtypes, RouteInput['part']>> = {
  [RouteParamtypes.BODY]: 'body',
  [RouteParamtypes.QUERY]: 'query',
  [RouteParamtypes.PARAM]: 'path',
  [RouteParamtypes.HEADERS]: 'header',
};

/** What Nest keeps per parameter decorator under `ROUTE_ARGS_METADATA`. */
interface RouteArgMetadata {
  index: number;
  data?: unknown;
  pipes?: unknown[];
}

/**
 * Finds the HTTP routes of the running app the way Nest's router does: every controller of every
 * module, every method carrying a request mapping (`@Get`, `@Post`…). RPC and event handlers live
 * on controllers too but carry a message pattern instead of a request mapping, so they are not
 * routes. Controllers or handlers marked `@ExcludeFromDocs()` are left out.
 */
@Injectable()
export class HttpRoutesExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly modules: ModulesContainer,
    private readonly reflector: Reflector,
  ) {}

  explore(globalPrefix = ''): HttpRoute[] {
    const routes: HttpRoute[] = [];
    const seen = new Set<string>();
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller || !wrapper.host) continue;
      const modulePath = this.modulePathOf(wrapper.host.metatype);
      const key = `${modulePath}\u0000${controller.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      routes.push(...this.routesOf(controller, globalPrefix, modulePath));
    }
    return routes;
  }

  private routesOf(controller: Type, globalPrefix: string, modulePath: string): HttpRoute[] {
    if (this.reflector.get<boolean | undefined>(EXCLUDE_FROM_DOCS, controller) === true) return [];
    const controllerPaths = asArray(Reflect.getMetadata(PATH_METADATA, controller) ?? '/');
    const prototype = controller.prototype as Record<string, unknown>;
    return this.scanner.getAllMethodNames(prototype).flatMap((handlerName) => {
      const handler = prototype[handlerName] as (...args: unknown[]) => unknown;
      const methodPaths = Reflect.getMetadata(PATH_METADATA, handler) as
        string | string[] | undefined;
      const verb = VERBS[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      if (methodPaths === undefined || verb === undefined) return [];
      if (this.reflector.get<boolean | undefined>(EXCLUDE_FROM_DOCS, handler) === true) return [];

      const isPublic =
        this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
          handler,
          controller,
        ]) === true;
      const inputs = inputsOf(controller, handlerName);
      const returns = returnsOf(controller, handler);
      const successStatus =
        (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
        (verb === 'post' ? 201 : 200);
      return controllerPaths.flatMap((controllerPath) =>
        asArray(methodPaths).map((methodPath) => ({
          controller,
          controllerName: controller.name,
          handlerName,
          method: verb,
          path: toTemplate(joinPath(globalPrefix, modulePath, controllerPath, methodPath)),
          controllerPath,
          isPublic,
          inputs,
          returns,
          successStatus,
        })),
      );
    });
  }

  /** The prefix `RouterModule.register` gives a module's controllers, if any. */
  private modulePathOf(module: unknown): string {
    if (typeof module !== 'function') return '';
    return (
      (Reflect.getMetadata(MODULE_PATH + this.modules.applicationId, module) as
        string | undefined) ??
      (Reflect.getMetadata(MODULE_PATH, module) as string | undefined) ??
      ''
    );
  }
}

/** The `@Body/@Query/@Param/@Headers` parameters of a handler, with their zod schemas. */
function inputsOf(controller: Type, handlerName: string): RouteInput[] {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handlerName) ?? {}) as Record<
    string,
    RouteArgMetadata
  >;
  return Object.entries(args).flatMap(([key, arg]) => {
    // Keys are `<paramtype>:<index>`; custom decorators (`@CurrentUser()`) use a non-numeric type.
    const part = PARTS[Number(key.split(':')[0]) as RouteParamtypes];
    if (part === undefined) return [];
    const pipe = arg.pipes?.find((candidate) => candidate instanceof ZodValidationPipe) as
      ZodValidationPipe<z.ZodType> | undefined;
    const property = typeof arg.data === 'string' && arg.data.length > 0 ? arg.data : undefined;
    return [{ part, property, schema: pipe?.schema }];
  });
}

function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

function joinPath(...parts: string[]): string {
  const segments = parts.flatMap((part) => part.split('/')).filter((segment) => segment.length > 0);
  return `/${segments.join('/')}`;
}

/** Nest (path-to-regexp) `:id` and `*rest` become OpenAPI `{id}` and `{rest}`. */
function toTemplate(path: string): string {
  return path.replace(/[:*]([A-Za-z_$][\w$]*)/g, '{$1}');
}
