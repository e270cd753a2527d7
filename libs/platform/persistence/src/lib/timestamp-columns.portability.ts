import {
  type ColumnType,
  type DataSource,
  type EntitySchema,
  getMetadataArgsStorage,
  InstanceChecker,
  type QueryRunner,
} from 'typeorm';
import { type DatabaseTarget } from './database-url.parser';
import { type PersistenceEntity } from './persistence.types';

/** Column types that mean "instant in time" on Postgres and that TypeORM's sqlite driver rejects. */
const ZONED_TIMESTAMP_TYPES: ReadonlySet<ColumnType> = new Set<ColumnType>([
  'timestamptz',
  'timestamp with time zone',
]);

/** A column's options object whose `type` may be rewritten (decorator args or `EntitySchema` column). */
interface TypedColumnOptions {
  type?: ColumnType;
}

/**
 * Original types of the column options rewritten for sqlite. Kept so that a later Postgres data
 * source in the same process (the monolith, a test file using both) gets `timestamptz` back: the
 * metadata args are global, and Postgres has no `datetime` type.
 */
const rewrittenColumns = new WeakMap<TypedColumnOptions, ColumnType>();

/**
 * Makes the entities' timestamp columns fit the database about to be opened.
 *
 * Entities declare instants as `timestamptz` (the right type on Postgres). TypeORM's sqlite driver
 * refuses that type when it builds metadata, so for sqlite the column options of the given entities
 * (their base classes and embedded classes included) are rewritten to `datetime`, which the sqlite
 * driver stores as a UTC `YYYY-MM-DD HH:MM:SS.SSS` string and reads back as a `Date`. For Postgres,
 * options rewritten earlier are put back.
 *
 * TypeORM reads the global metadata args storage when a `DataSource` is initialized, so this must
 * run before `initialize()`; two data sources of different kinds for the same entities must not be
 * initialized concurrently in one process.
 */
export function adaptTimestampColumns(
  kind: DatabaseTarget['kind'],
  entities: readonly PersistenceEntity[],
): void {
  for (const options of timestampColumnOptionsOf(entities)) {
    if (kind === 'sqlite') {
      if (options.type !== undefined && ZONED_TIMESTAMP_TYPES.has(options.type)) {
        rewrittenColumns.set(options, options.type);
        options.type = 'datetime';
      }
    } else {
      const original = rewrittenColumns.get(options);
      if (original !== undefined) {
        options.type = original;
        rewrittenColumns.delete(options);
      }
    }
  }
}

function timestampColumnOptionsOf(entities: readonly PersistenceEntity[]): TypedColumnOptions[] {
  const options: TypedColumnOptions[] = [];
  // Holds classes only; typed `unknown` because TypeORM types targets as the banned `Function`.
  const classes = new Set<unknown>();
  const schemas = new Set<EntitySchema>();
  for (const entity of entities) {
    if (InstanceChecker.isEntitySchema(entity)) {
      collectSchema(entity, schemas);
    } else {
      collectClass(entity, classes);
    }
  }

  const storage = getMetadataArgsStorage();
  for (const column of storage.columns) {
    if (classes.has(column.target)) {
      options.push(column.options);
    }
  }
  for (const schema of schemas) {
    for (const column of Object.values(schema.options.columns)) {
      if (column !== undefined) options.push(column);
    }
  }
  return options;
}

/** The class, its ancestors (inherited columns are registered on them) and its embedded classes. */
function collectClass(target: unknown, classes: Set<unknown>): void {
  const storage = getMetadataArgsStorage();
  for (
    let current: unknown = target;
    typeof current === 'function' && current !== Function.prototype;
  ) {
    if (classes.has(current)) return;
    classes.add(current);
    for (const embedded of storage.embeddeds) {
      if (embedded.target !== current) continue;
      collectClass(embedded.type(), classes);
    }
    current = Object.getPrototypeOf(current);
  }
}

function collectSchema(schema: EntitySchema, schemas: Set<EntitySchema>): void {
  if (schemas.has(schema)) return;
  schemas.add(schema);
  for (const embedded of Object.values(schema.options.embeddeds ?? {})) {
    if (embedded !== undefined) collectSchema(embedded.schema, schemas);
  }
}

/**
 * The column type to use for an instant in a migration written with TypeORM's `Table` API, so one
 * migration runs on both databases: `timestamptz` on Postgres, `datetime` on sqlite (the type the
 * entities' `timestamptz` columns are mapped to there).
 *
 * @example
 * ```ts
 * await queryRunner.createTable(new Table({ name: 'message', columns: [
 *   { name: 'created_at', type: timestampColumnType(queryRunner), default: timestampDefaultNow(queryRunner) },
 * ]}));
 * ```
 */
export function timestampColumnType(source: QueryRunner | DataSource): 'timestamptz' | 'datetime' {
  return databaseKindOf(source) === 'postgres' ? 'timestamptz' : 'datetime';
}

/**
 * A column default meaning "now" for {@link timestampColumnType} columns: `now()` on Postgres; on
 * sqlite an expression yielding the same millisecond UTC text the sqlite driver writes for a `Date`,
 * so rows defaulted by the database sort and compare with rows written by TypeORM.
 */
export function timestampDefaultNow(source: QueryRunner | DataSource): string {
  return databaseKindOf(source) === 'postgres' ? 'now()' : "strftime('%Y-%m-%d %H:%M:%f', 'now')";
}

function databaseKindOf(source: QueryRunner | DataSource): DatabaseTarget['kind'] {
  const dataSource = 'dataSource' in source ? source.dataSource : source;
  const type = dataSource.options.type;
  if (type === 'postgres') return 'postgres';
  if (type === 'better-sqlite3') return 'sqlite';
  throw new Error(
    `Unsupported database type "${type}": Switchboard runs on postgres and better-sqlite3 only`,
  );
}
