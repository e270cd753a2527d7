export * from './change-member-role.use-case';
