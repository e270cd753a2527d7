export * from './list-views.use-case';
