/**
 * Every message that crosses a service boundary: subject constants, zod schemas and their TS types,
 * plus the error envelope they fail with. The only library one domain may import to talk to another.
 */
export * from './lib/asyncapi';
export * from './lib/contract';
export * from './lib/digest';
export * from './lib/errors';
export * from './lib/registry';
export * from './lib/common/ids';
export * as Chat from './lib/chat';
export * as Bots from './lib/bots';
export * as Stories from './lib/stories';
export * as Calls from './lib/calls';
export * as Gateway from './lib/gateway';
