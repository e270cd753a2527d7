export * from './dispatch-command.use-case';
export * from './parse-command';
