export * from './list-receipts.use-case';
