export * from './asyncapi-document';
export * from './compatibility';
export { type JsonSchema } from './json-schema';
