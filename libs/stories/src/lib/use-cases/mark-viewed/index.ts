export * from './mark-viewed.use-case';
