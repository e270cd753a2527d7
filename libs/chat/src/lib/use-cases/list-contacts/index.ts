export * from './list-contacts.use-case';
