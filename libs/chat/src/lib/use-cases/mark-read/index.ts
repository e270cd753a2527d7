export * from './mark-read.use-case';
