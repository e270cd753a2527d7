import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isMigrationFile, type MigrationRisk, migrationRisks } from './migrations';

const ROOT = join(__dirname, '..', '..', '..');
const PATH = 'libs/example/src/lib/migrations/1770000000000-example.ts';

/** A migration whose `up` and `down` bodies are the given lines. */
function migration(up: string, down = ''): string {
  return `
import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';

export class Example1770000000000 implements MigrationInterface {
  name = 'Example1770000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
${up}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${down}
  }
}
`;
}

const summary = (risks: MigrationRisk[]) => risks.map((risk) => `${risk.kind}@${risk.database}`);
const risksOf = (up: string, down?: string) =>
  summary(migrationRisks(PATH, migration(up, down)).risks);
const query = (sql: string) => `    await queryRunner.query(\`${sql}\`);`;

describe('isMigrationFile', () => {
  it.each([
    'libs/chat/src/lib/migrations/1764150000000-create-chat-tables.ts',
    'libs/platform/messaging/src/lib/storage/1764150000100-create-outbox-and-inbox.ts',
  ])('a TypeORM migration shipped in a lib: %s', (path) => {
    expect(isMigrationFile(path)).toBe(true);
  });

  it.each([
    'libs/chat/src/lib/migrations/chat-migrations.int-spec.ts',
    'libs/chat/src/lib/migrations/1764150000000-create-chat-tables.spec.ts',
    'libs/platform/persistence/src/lib/migrations.runner.ts',
    'libs/platform/persistence/src/test-support/create-widgets.migration.ts',
    'test/fault-injection/fixtures/ledger/src/migrations/1764150000900-create-ledger-effects.ts',
    'tools/generators/service/files/domain/src/lib/migrations/__migrationTimestamp__-create-__name__-tables.ts.template',
  ])('not a migration a deploy runs: %s', (path) => {
    expect(isMigrationFile(path)).toBe(false);
  });
});

describe('migrationRisks: SQL', () => {
  it('flags a NOT NULL column without a DEFAULT, whatever the case, spacing and quoting', () => {
    expect(
      risksOf(query('alter table  "messages"\n    add column "kind" varchar(16) not null')),
    ).toEqual(['not-null-without-default@any']);
  });

  it('does not flag a NOT NULL column with a DEFAULT, or a nullable one', () => {
    expect(
      risksOf(query(`ALTER TABLE messages ADD COLUMN kind varchar(16) NOT NULL DEFAULT 'text'`)),
    ).toEqual([]);
    expect(risksOf(query('ALTER TABLE messages ADD COLUMN edited_at timestamptz'))).toEqual([]);
  });

  it('judges each clause of an ALTER TABLE on its own', () => {
    const sql =
      'ALTER TABLE messages ADD COLUMN a int NOT NULL DEFAULT 0, ADD COLUMN b int NOT NULL';
    expect(risksOf(query(sql))).toEqual(['not-null-without-default@any']);
  });

  it('flags CREATE [UNIQUE] INDEX on Postgres unless CONCURRENTLY', () => {
    expect(risksOf(query('CREATE INDEX "messages_sender" ON "messages" ("sender_id")'))).toEqual([
      'blocking-index@postgres',
    ]);
    expect(risksOf(query('create unique index messages_key on messages (key)'))).toEqual([
      'blocking-index@postgres',
    ]);
    expect(
      risksOf(query('CREATE INDEX CONCURRENTLY messages_sender ON messages (sender_id)')),
    ).toEqual([]);
  });

  it('flags DROP TABLE, DROP COLUMN, DROP INDEX and DROP CONSTRAINT', () => {
    const up = [
      query('DROP TABLE "legacy"'),
      query('ALTER TABLE messages DROP COLUMN legacy_id'),
      query('DROP INDEX IF EXISTS "messages_legacy"'),
      query('ALTER TABLE messages DROP CONSTRAINT messages_legacy_fk'),
    ].join('\n');
    const risks = migrationRisks(PATH, migration(up)).risks;
    expect(summary(risks)).toEqual(['drop@any', 'drop@any', 'drop@any', 'drop@any']);
    expect(risks[0].why).toMatch(/deletes data/);
    expect(risks[2].why).toMatch(/index/);
  });

  it('does not count an index dropped and created again as gone', () => {
    const up = [
      query('DROP INDEX "messages_key"'),
      query('CREATE INDEX "messages_key" ON messages (a, b)'),
    ];
    expect(risksOf(up.join('\n'))).toEqual(['blocking-index@postgres']);
  });

  it('flags type changes, SET NOT NULL, validated constraints and renames', () => {
    expect(risksOf(query('ALTER TABLE t ALTER COLUMN c TYPE bigint'))).toEqual([
      'column-type-change@any',
    ]);
    expect(risksOf(query('ALTER TABLE t ALTER c SET DATA TYPE bigint'))).toEqual([
      'column-type-change@any',
    ]);
    expect(risksOf(query('ALTER TABLE "t" ALTER COLUMN "c" SET NOT NULL'))).toEqual([
      'set-not-null@any',
    ]);
    expect(risksOf(query('ALTER TABLE t ALTER COLUMN c DROP NOT NULL'))).toEqual([]);
    const fk = 'ALTER TABLE t ADD CONSTRAINT t_u FOREIGN KEY (u) REFERENCES users (id)';
    expect(risksOf(query(fk))).toEqual(['validating-constraint@postgres']);
    expect(risksOf(query(`${fk} NOT VALID`))).toEqual([]);
    expect(risksOf(query('ALTER TABLE t ADD CHECK (n > 0)'))).toEqual([
      'validating-constraint@postgres',
    ]);
    expect(risksOf(query('ALTER TABLE t RENAME TO u'))).toEqual(['rename@any']);
    expect(risksOf(query('ALTER TABLE t RENAME COLUMN a TO b'))).toEqual(['rename@any']);
  });

  it("reports SQLite's table rebuild once, not as a drop and a rename", () => {
    const up = [
      query(
        'CREATE TABLE "temporary_messages" ("id" varchar PRIMARY KEY NOT NULL, "kind" varchar NOT NULL)',
      ),
      query('INSERT INTO "temporary_messages"("id", "kind") SELECT "id", \'text\' FROM "messages"'),
      query('DROP TABLE "messages"'),
      query('ALTER TABLE "temporary_messages" RENAME TO "messages"'),
    ];
    expect(risksOf(up.join('\n'))).toEqual(['table-rebuild@sqlite']);
  });

  it('ignores down()', () => {
    const report = migrationRisks(PATH, migration(query('SELECT 1'), query('DROP TABLE messages')));
    expect(report).toEqual({ file: PATH, name: 'Example1770000000000', statements: 1, risks: [] });
  });

  it('ignores tables the migration creates itself: they are empty', () => {
    const up = [
      query('CREATE TABLE polls (id varchar PRIMARY KEY)'),
      query('CREATE INDEX polls_id ON polls (id)'),
    ];
    expect(risksOf(up.join('\n'))).toEqual([]);
  });

  it('cuts a long statement to about 160 characters', () => {
    const columns = Array.from({ length: 40 }, (_, at) => `c${at}`).join(', ');
    const [risk] = migrationRisks(PATH, migration(query(`CREATE INDEX i ON t (${columns})`))).risks;
    expect(risk.statement.length).toBeLessThanOrEqual(160);
    expect(risk.statement).toMatch(/^CREATE INDEX i ON t \(c0, c1/);
  });
});

describe('migrationRisks: which database a statement runs on', () => {
  it('follows if/else on the connection type', () => {
    const up = `
    if (queryRunner.connection.options.type === 'postgres') {
${query('ALTER TABLE t ALTER COLUMN c TYPE bigint')}
${query('CREATE INDEX t_c ON t (c)')}
    } else {
${query('CREATE TABLE "temporary_t" ("c" bigint)')}
${query('DROP TABLE "t"')}
${query('ALTER TABLE "temporary_t" RENAME TO "t"')}
${query('CREATE INDEX t_c ON t (c)')}
    }`;
    expect(risksOf(up)).toEqual([
      'column-type-change@postgres',
      'blocking-index@postgres',
      'table-rebuild@sqlite',
    ]);
  });

  it('follows a const holding the test, its negation, and a ternary argument', () => {
    const up = `
    const postgres = queryRunner.connection.options.type === 'postgres';
    if (!postgres) {
${query('ALTER TABLE t RENAME COLUMN a TO b')}
    }
    await queryRunner.query(
      postgres ? 'ALTER TABLE t ALTER COLUMN c SET NOT NULL' : 'DROP TABLE "old"',
    );`;
    expect(risksOf(up)).toEqual(['rename@sqlite', 'set-not-null@postgres', 'drop@sqlite']);
  });

  it('reads template literals, following the file’s own helper and its arguments', () => {
    const source = migration(
      `    await setNullable(queryRunner, 'conversations', 'activity_key', false);`,
    ).concat(`
async function setNullable(queryRunner: QueryRunner, table: string, column: string, nullable: boolean) {
  if (queryRunner.connection.options.type !== 'sqlite') {
    await queryRunner.query(\`ALTER TABLE \${table} ALTER COLUMN \${column} \${nullable ? 'DROP' : 'SET'} NOT NULL\`);
  }
}`);
    const report = migrationRisks(PATH, source);
    expect(report.statements).toBe(1);
    expect(report.risks).toEqual([
      {
        kind: 'set-not-null',
        statement: 'ALTER TABLE conversations ALTER COLUMN activity_key SET NOT NULL',
        why: expect.stringMatching(/scans the table/),
        database: 'postgres',
      },
    ]);
  });
});

describe("migrationRisks: TypeORM's query-runner API", () => {
  it('flags createIndex unless isConcurrent, and rebuilds on SQLite', () => {
    const index = (extra: string) =>
      `    await queryRunner.createIndex('messages', new TableIndex({ name: 'm_k', columnNames: ['k']${extra} }));`;
    expect(risksOf(index(''))).toEqual(['blocking-index@postgres']);
    expect(risksOf(index(', isConcurrent: true'))).toEqual([]);
  });

  it('flags addColumn NOT NULL without a default; SQLite rebuilds the table for any column', () => {
    const add = (column: string) =>
      `    await queryRunner.addColumn('messages', new TableColumn({ name: 'k', type: 'varchar'${column} }));`;
    expect(risksOf(add(''))).toEqual(['not-null-without-default@any', 'table-rebuild@sqlite']);
    expect(risksOf(add(', default: "\'text\'"'))).toEqual(['table-rebuild@sqlite']);
    expect(risksOf(add(', isNullable: true'))).toEqual(['table-rebuild@sqlite']);
  });

  it('flags drops, renames and changeColumn', () => {
    const up = [
      `    await queryRunner.dropColumn('messages', 'legacy');`,
      `    await queryRunner.renameColumn('messages', 'body', 'text');`,
      `    await queryRunner.changeColumn('messages', 'text', new TableColumn({ name: 'text', type: 'text' }));`,
    ].join('\n');
    expect(risksOf(up)).toEqual([
      'drop@any',
      'table-rebuild@sqlite',
      'rename@any',
      'column-type-change@postgres',
    ]);
  });
});

/** Every migration under `folder` (libs/ and services/: where deployables' code lives), sorted. */
function migrationsUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((entry) => {
    const path = join(folder, entry);
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return migrationsUnder(path);
    const file = relative(ROOT, path).split('\\').join('/');
    return isMigrationFile(file) ? [file] : [];
  });
}

describe('the migrations of this repository', () => {
  const files = ['libs', 'services']
    .flatMap((folder) => migrationsUnder(join(ROOT, folder)))
    .sort();
  const analysed = files.map((file) => {
    try {
      return { file, report: migrationRisks(file, readFileSync(join(ROOT, file), 'utf8')) };
    } catch (error) {
      return { file, error };
    }
  });

  /** Checked by hand against each file's `up`. */
  const expected: Record<string, string[]> = {
    'libs/bots/src/lib/migrations/1764150000001-create-bot-replies.ts': [],
    'libs/bots/src/lib/migrations/1764170000000-create-bot-registry.ts': [],
    // bot_replies gains reply_key (a rebuild on SQLite), swaps its unique constraint, gets an index.
    'libs/bots/src/lib/migrations/1764180000000-create-bot-state.ts': [
      'table-rebuild@sqlite',
      'drop@any',
      'blocking-index@postgres',
      'blocking-index@postgres',
    ],
    'libs/calls/src/lib/migrations/1764195000000-create-calls-tables.ts': [],
    // Its index is on `messages`, created a few lines above: an empty table.
    'libs/chat/src/lib/migrations/1764150000000-create-chat-tables.ts': [],
    'libs/chat/src/lib/migrations/1764160000000-add-client-message-id.ts': [
      'table-rebuild@sqlite',
      'blocking-index@postgres',
    ],
    // conversations: activity_key SET NOT NULL through setNullable, two indexes; client_message_id
    // widened on Postgres; three tables rebuilt on SQLite by addColumns / changeColumn.
    'libs/chat/src/lib/migrations/1764170000100-add-kinds-roles-receipts.ts': [
      'table-rebuild@sqlite',
      'set-not-null@postgres',
      'blocking-index@postgres',
      'blocking-index@postgres',
      'table-rebuild@sqlite',
      'table-rebuild@sqlite',
      'column-type-change@postgres',
    ],
    'libs/chat/src/lib/migrations/1764200000000-add-message-ref.ts': ['table-rebuild@sqlite'],
    'libs/platform/messaging/src/lib/storage/1764150000100-create-outbox-and-inbox.ts': [],
    'libs/stories/src/lib/migrations/1764190000000-create-stories-tables.ts': [],
  };

  it('finds every migration, the platform’s outbox and inbox included', () => {
    expect(files).toEqual(expect.arrayContaining(Object.keys(expected)));
  });

  it.each(
    analysed.map(
      (one) =>
        [
          one.file,
          one.report ? summary(one.report.risks).join(', ') || 'no risk' : 'failed',
          one,
        ] as const,
    ),
  )('%s: %s', (file, _found, { report, error }) => {
    expect(error).toBeUndefined();
    expect(report?.name).toMatch(/^[A-Z]\w+\d{13}$/);
    if (file in expected) expect(summary(report?.risks ?? [])).toEqual(expected[file]);
  });
});
