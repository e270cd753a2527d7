export * from './active-count.use-case';
