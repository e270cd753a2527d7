export * from './add-members.use-case';
