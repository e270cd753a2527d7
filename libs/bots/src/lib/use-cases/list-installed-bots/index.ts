export * from './list-installed-bots.use-case';
