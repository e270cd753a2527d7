import {
  type DynamicModule,
  Inject,
  Injectable,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './data-source-options.builder';
import { DatabaseHealth } from './database.health';
import { openDataSource } from './open-data-source';
import { type MigrationClass, type PersistenceEntity } from './persistence.types';

/** Options of {@link DomainDatabaseModule.forDomain}. */
export interface DomainDatabaseOptions {
  /** The domain whose database it is, e.g. `chat`. */
  domain: string;
  /** Its URL: `postgres://…`, `postgresql://…` or `sqlite:<path>`. */
  url: string;
  /** The environment key the URL came from, named in errors (`DATABASE_URL_CHAT`). */
  urlKey: string;
  entities: readonly PersistenceEntity[];
  migrations: readonly MigrationClass[];
  /** Apply pending migrations at boot; otherwise a schema with pending ones fails boot. */
  migrate: boolean;
  /** Providers that work on this database (the outbox relay), placed next to it. */
  providers?: Provider[];
}

/** The token under which a domain's `DataSource` can be found from anywhere in the app. */
export function domainDataSourceToken(domain: string): string {
  return `DataSource:${domain}`;
}

const DOMAIN_DATA_SOURCE = Symbol('DOMAIN_DATA_SOURCE');

/** Closes the domain's data source once HTTP and the handlers have stopped. */
@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(DOMAIN_DATA_SOURCE) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * One domain's database, imported into that domain's module only: the domain's providers inject
 * `DataSource` and get theirs, so a process hosting several domains gives each its own database —
 * its tables, its outbox and inbox, its migrations — exactly as when it runs alone, and moving a
 * domain to another process never splits data.
 *
 * Boot opens it and migrates it (or refuses pending migrations), as `PersistenceModule` does; it
 * is closed in `onApplicationShutdown`. Exports `DataSource` and its `DatabaseHealth`.
 */
export class DomainDatabaseModule {
  static forDomain(options: DomainDatabaseOptions): DynamicModule {
    // A class per domain: Nest keeps one instance of each, so each domain has its own database.
    class DomainDatabase {}
    Object.defineProperty(DomainDatabase, 'name', { value: `${options.domain}Database` });
    return {
      module: DomainDatabase,
      imports: [TerminusModule],
      providers: [
        {
          provide: DOMAIN_DATA_SOURCE,
          useFactory: () =>
            openDataSource(
              () =>
                buildDataSourceOptions({
                  url: options.url,
                  entities: options.entities,
                  migrations: options.migrations,
                }),
              options.migrate,
              options.urlKey,
            ),
        },
        { provide: DataSource, useExisting: DOMAIN_DATA_SOURCE },
        { provide: domainDataSourceToken(options.domain), useExisting: DOMAIN_DATA_SOURCE },
        DataSourceCloser,
        DatabaseHealth,
        ...(options.providers ?? []),
      ],
      exports: [DataSource, DatabaseHealth],
    };
  }
}
