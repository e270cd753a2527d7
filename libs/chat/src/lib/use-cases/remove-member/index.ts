export * from './remove-member.use-case';
