export * from './check-membership.use-case';
