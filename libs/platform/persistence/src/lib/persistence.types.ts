import { type EntitySchema, type MigrationInterface } from 'typeorm';

/** A TypeORM entity class (decorated with `@Entity`). */
export type EntityClass = new (...args: never[]) => object;

/** What a domain hands to the data source: entity classes or `EntitySchema` definitions. */
export type PersistenceEntity = EntityClass | EntitySchema;

/**
 * A migration class. TypeORM orders migrations by the 13-digit millisecond timestamp that must end
 * its name (`CreateMessages1732600000000`); set a `name` property with the same value so the order
 * survives minifiers that rename classes.
 */
export type MigrationClass = new () => MigrationInterface;
