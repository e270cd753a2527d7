import ts from 'typescript';

/** Where a risky statement runs: one database, or both when the migration does not branch. */
export type Database = 'postgres' | 'sqlite' | 'any';

export type MigrationRiskKind =
  | 'not-null-without-default'
  | 'blocking-index'
  | 'drop'
  | 'column-type-change'
  | 'set-not-null'
  | 'validating-constraint'
  | 'rename'
  | 'table-rebuild';

export interface MigrationRisk {
  kind: MigrationRiskKind;
  /** The SQL, or the TypeORM query-runner call, on one line and cut to about 160 characters. */
  statement: string;
  /** What an operator should expect, in one line. */
  why: string;
  database: Database;
}

export interface MigrationReport {
  file: string;
  /** The migration's class name. */
  name: string;
  /** Schema operations written in `up`: SQL statements plus TypeORM query-runner schema calls. */
  statements: number;
  risks: MigrationRisk[];
}

type Db = 'postgres' | 'sqlite' | undefined;
type Sql = { sql: string; db: Db; at?: ts.Node };
type Call = { call: ts.CallExpression; method: string; db: Db; table: string };
/** With the table it touches: one created by the same migration is empty, so nothing is at risk. */
type Risk = MigrationRisk & { table?: string };
/** A kind of risk, the database it exists on (`any`: wherever the statement runs), and why. */
type Rule = readonly [MigrationRiskKind, Database, keyof typeof WHY];

const WHY = {
  notNull: 'a NOT NULL column without a DEFAULT: fails if the table has rows',
  // Migrations run one transaction each here, and CONCURRENTLY needs `transaction = false`.
  index:
    'writes to the table wait while the index builds (CONCURRENTLY, with transaction = false, avoids it)',
  unique: 'writes to the table wait while the unique index builds',
  checked: 'scans every row while writes wait (add it NOT VALID, validate later)',
  data: 'deletes data: rolling the code back does not bring it back',
  queryPath: 'queries that used the index slow down; a code rollback does not restore it',
  guarantee: 'removes a constraint the code may rely on; a code rollback does not restore it',
  type: 'may rewrite the table under an exclusive lock (widening a varchar does not)',
  changeColumn: 'TypeORM drops and re-adds a Postgres column whose type changes: data lost',
  setNotNull: 'scans the table for NULLs while reads and writes wait',
  rename: 'the release still running uses the old name: its queries fail until replaced',
  rebuild: 'SQLite cannot alter it in place: every row is copied under the write lock',
};
const NOT_NULL: Rule = ['not-null-without-default', 'any', 'notNull'];
const INDEX: Rule = ['blocking-index', 'postgres', 'index'];
const UNIQUE: Rule = ['blocking-index', 'postgres', 'unique'];
const CHECKED: Rule = ['validating-constraint', 'postgres', 'checked'];
const RENAME: Rule = ['rename', 'any', 'rename'];
const REBUILD: Rule = ['table-rebuild', 'sqlite', 'rebuild'];

/** TypeORM query-runner methods (plural forms too) and what each does to a live table. */
const API: [RegExp, Rule][] = [
  [/^createInd(ex|ices)$/, INDEX],
  [/^create(Unique|Primary)/, UNIQUE],
  [/^create(Foreign|Check)/, CHECKED],
  [/^changeColumns?$/, ['column-type-change', 'postgres', 'changeColumn']],
  [/^(dropTable|dropColumns?|clearTable)$/, ['drop', 'any', 'data']],
  [/^dropInd(ex|ices)$/, ['drop', 'any', 'queryPath']],
  [/^drop(Unique|Foreign|Check|Primary)/, ['drop', 'any', 'guarantee']],
  [/^rename(Table|Column)$/, RENAME],
];
/** TypeORM's SQLite query runner implements these by rebuilding the table. */
const SQLITE_REBUILDS =
  /^(add|change|drop)Columns?$|^renameColumn$|^(create|drop)(Unique|Check|Prim|Fore)/;

const ID = String.raw`(?:\$\{[^}]*\}|"[^"]+"|\`[^\`]+\`|\w+)(?:\.(?:"[^"]+"|\w+))*`;
const re = (source: string) => new RegExp(source.replace(/ID/g, ID), 'i');
const ALTER_TABLE = re(String.raw`^ALTER TABLE (?:IF EXISTS )?(?:ONLY )?(ID) (.*)$`);
const CREATE_TABLE = re(String.raw`^CREATE TABLE (?:IF NOT EXISTS )?(ID)`);
const CREATE_INDEX = re(
  String.raw`^CREATE (?:UNIQUE )?INDEX (CONCURRENTLY )?(?:IF NOT EXISTS )?(ID )?ON (?:ONLY )?(ID)`,
);
const DROP = re(String.raw`^DROP (TABLE|INDEX) (?:CONCURRENTLY )?(?:IF EXISTS )?(ID)`);
/** Clauses of `ALTER TABLE t <clause>, <clause>`: the first pattern that matches decides, unless its exception matches. */
const CLAUSES: [RegExp, Rule, RegExp?][] = [
  [re(String.raw`^ADD (?:CONSTRAINT ID )?(?:FOREIGN KEY|CHECK)\b`), CHECKED, /\bNOT VALID\b/i],
  [re(String.raw`^ADD (?:CONSTRAINT ID )?(?:UNIQUE|PRIMARY KEY)\b`), UNIQUE, /\bUSING INDEX\b/i],
  [/^ADD (?!CONSTRAINT\b).*\bNOT NULL\b/i, NOT_NULL, /\b(?:DEFAULT|GENERATED|\w*SERIAL)\b/i],
  [/^DROP CONSTRAINT\b/i, ['drop', 'any', 'guarantee']],
  [/^DROP /i, ['drop', 'any', 'data']],
  [
    re(String.raw`^ALTER (?:COLUMN )?ID (?:SET DATA )?TYPE `),
    ['column-type-change', 'any', 'type'],
  ],
  [re(String.raw`^ALTER (?:COLUMN )?ID SET NOT NULL\b`), ['set-not-null', 'any', 'setNotNull']],
  [re(String.raw`^RENAME (?:(?:COLUMN )?ID )?TO `), RENAME],
];

/** TypeORM's layout: `<13-digit timestamp>-<name>.ts` in a lib or a service; specs and test support ship nothing. */
export function isMigrationFile(path: string): boolean {
  const file = path.replace(/\\/g, '/');
  const shipped = !/\.(spec|int-spec|e2e-spec|d)\.ts$|\/(test-support|fixtures)\//.test(file);
  return shipped && /(^|\/)(libs|services)\/(.+\/)?\d{13}-[^/]+\.ts$/.test(file);
}

/** What running `up` of the migration in `source` puts at risk (`down` is not a deploy's concern). */
export function migrationRisks(path: string, source: string): MigrationReport {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const names = new Map<string, ts.Node>();
  const collect = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && node.initializer)
      names.set(node.name.getText(), node.initializer);
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name)
      names.set(node.name.getText(), node);
    ts.forEachChild(node, collect);
  };
  collect(file);
  const up = names.get('up');
  const migration = up?.parent && ts.isClassDeclaration(up.parent) ? up.parent : undefined;
  const scan: Scan = { names, found: [], walking: new Set() };
  if (migration) visit(up as ts.Node, undefined, scan);

  const sql = scan.found.filter((one): one is Sql => 'sql' in one);
  const created = new Set(scan.found.map(createdTable));
  const seen = new Set<string>();
  return {
    file: path,
    name: migration?.name?.text ?? '',
    statements: new Set(scan.found.map((one) => ('call' in one ? one.call : one.at))).size,
    risks: scan.found
      .flatMap((one) => ('sql' in one ? sqlRisks(one, sql) : callRisks(one)))
      .filter(({ table, ...risk }) => {
        // A rebuild is reported once per table, however many statements cause it.
        const key = risk.kind === 'table-rebuild' ? `rebuild ${table}` : JSON.stringify(risk);
        return !(table && created.has(table)) && !seen.has(key) && seen.add(key);
      })
      .map(({ table: _table, ...risk }) => ({ ...risk, statement: cut(risk.statement) })),
  };
}

interface Scan {
  /** The file's consts, functions and methods by name: what a simple indirection resolves to. */
  names: Map<string, ts.Node>;
  found: (Sql | Call)[];
  walking: Set<ts.Node>;
}

/** Walks `up` knowing which database each branch runs on, into the file's own functions it calls. */
function visit(node: ts.Node, db: Db, scan: Scan): void {
  if (ts.isIfStatement(node) || ts.isConditionalExpression(node)) {
    const [condition, then, otherwise] = ts.isIfStatement(node)
      ? [node.expression, node.thenStatement, node.elseStatement]
      : [node.condition, node.whenTrue, node.whenFalse];
    const [whenTrue, whenFalse] = branchDb(condition, scan.names, 0);
    visit(condition, db, scan);
    visit(then, whenTrue ?? db, scan);
    if (otherwise) visit(otherwise, whenFalse ?? db, scan);
    return;
  }
  if (ts.isCallExpression(node)) {
    const callee = node.expression;
    const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    const local = scan.names.get(callee.getText().replace(/^this\./, ''));
    if (method === 'query' && node.arguments[0]) {
      const variants = render(node.arguments[0], scan.names, 0);
      scan.found.push(
        ...variants.map((one) => ({ sql: oneLine(one.sql), db: one.db ?? db, at: node })),
      );
    } else if (/^(create|drop|add|change|rename|clear|update)[A-Z]/.test(method)) {
      const table = node.arguments[0] ? render(node.arguments[0], scan.names, 0)[0].sql : '';
      if (method !== 'createQueryRunner') scan.found.push({ call: node, method, db, table });
    } else if (local && ts.isFunctionLike(local) && !scan.walking.has(local)) {
      // The helper's parameters stand for this call's arguments: `${table}` renders as the table.
      const names = new Map(scan.names);
      local.parameters.forEach((parameter, at) => {
        const argument = node.arguments[at];
        if (argument) names.set(parameter.name.getText(), argument);
      });
      scan.walking.add(local);
      ts.forEachChild(local, (child) => visit(child, db, { ...scan, names }));
      scan.walking.delete(local);
    }
  }
  ts.forEachChild(node, (child) => visit(child, db, scan));
}

/**
 * The database each side of a condition runs on: `queryRunner.connection.options.type === 'postgres'`,
 * a const holding it, or its negation. The project runs on two databases: what is not one is the other.
 */
function branchDb(condition: ts.Node, names: Map<string, ts.Node>, depth: number): [Db, Db] {
  const inner = ts.isIdentifier(condition) ? names.get(condition.text) : undefined;
  if (depth > 5) return [undefined, undefined];
  if (inner) return branchDb(inner, names, depth + 1);
  if (ts.isParenthesizedExpression(condition))
    return branchDb(condition.expression, names, depth + 1);
  if (
    ts.isPrefixUnaryExpression(condition) &&
    condition.operator === ts.SyntaxKind.ExclamationToken
  ) {
    return branchDb(condition.operand, names, depth + 1).reverse() as [Db, Db];
  }
  const operator = ts.isBinaryExpression(condition) ? condition.operatorToken.getText() : '';
  if (!ts.isBinaryExpression(condition) || !/^[=!]==?$/.test(operator))
    return [undefined, undefined];
  const literal = [condition.left, condition.right].find(ts.isStringLiteralLike)?.text ?? '';
  const db =
    literal === 'postgres' ? 'postgres' : /sqlite|sqljs/.test(literal) ? 'sqlite' : undefined;
  const other = db && (db === 'postgres' ? 'sqlite' : 'postgres');
  return operator.startsWith('!') ? [other, db] : [db, other];
}

/** The SQL texts an argument can be; what the file cannot resolve stays `${expression}`. */
function render(expr: ts.Node, names: Map<string, ts.Node>, depth: number): Sql[] {
  const text = (sql: string): Sql[] => [{ sql, db: undefined }];
  const join = (left: Sql[], right: Sql[]) =>
    left.flatMap((a) => right.map((b) => ({ sql: a.sql + b.sql, db: a.db ?? b.db }))).slice(0, 16);
  const next = (node: ts.Node, db?: Db) =>
    render(node, names, depth + 1).map((one) => ({ ...one, db: one.db ?? db }));
  const inner = ts.isIdentifier(expr)
    ? names.get(expr.text)
    : ts.isParenthesizedExpression(expr)
      ? expr.expression
      : undefined;
  if (ts.isStringLiteralLike(expr)) return text(expr.text);
  if (depth > 5 || (inner && !ts.isExpression(inner))) return text(`\${${expr.getText()}}`);
  if (inner) return next(inner);
  if (ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.PlusToken)
    return join(next(expr.left), next(expr.right));
  if (ts.isTemplateExpression(expr)) {
    return expr.templateSpans.reduce(
      (sql, span) => join(join(sql, next(span.expression)), text(span.literal.text)),
      text(expr.head.text),
    );
  }
  if (!ts.isConditionalExpression(expr)) return text(`\${${expr.getText()}}`);
  const [whenTrue, whenFalse] = branchDb(expr.condition, names, 0);
  return [...next(expr.whenTrue, whenTrue), ...next(expr.whenFalse, whenFalse)];
}

/** SQL or code on one line, comments gone, so the patterns and the report stay simple. */
function oneLine(text: string): string {
  const line = text
    .replace(/--[^\n]*/g, '')
    .replace(/\s+/g, ' ')
    .replace(/;\s*$/, '');
  return line
    .replace(/([([]) /g, '$1')
    .replace(/,? ([)\]])/g, '$1')
    .trim();
}

function risk([kind, on, why]: Rule, statement: string, db: Db, table: string): Risk[] {
  if (on !== 'any' && db !== undefined && db !== on) return [];
  return [
    {
      kind,
      why: WHY[why],
      statement,
      database: on === 'any' ? (db ?? 'any') : on,
      table: bare(table),
    },
  ];
}

/** The table a `CREATE TABLE` or `createTable(new Table({ name }))` makes ('' for anything else). */
function createdTable(found: Sql | Call): string {
  if ('sql' in found) return bare(CREATE_TABLE.exec(found.sql)?.[1] ?? '');
  const table = found.method === 'createTable' ? literal(found.call.arguments[0]) : undefined;
  const name = table?.properties.find((property) => property.name?.getText() === 'name');
  return name && ts.isPropertyAssignment(name) ? bare(name.initializer.getText()) : '';
}

function sqlRisks({ sql, db }: Sql, all: Sql[]): Risk[] {
  const table = CREATE_TABLE.exec(sql)?.[1] ?? '';
  if (/^"?temporary_/i.test(table)) return risk(REBUILD, sql, db, table.replace(/temporary_/i, ''));
  const index = CREATE_INDEX.exec(sql);
  if (index) return index[1] ? [] : risk(INDEX, sql, db, index[3]);
  const drop = DROP.exec(sql);
  if (drop) {
    // The rebuild's own DROP TABLE, and an index dropped to be created again, take nothing away.
    const isTable = drop[1].toUpperCase() === 'TABLE';
    const twin = (one: Sql) =>
      isTable
        ? CREATE_TABLE.exec(one.sql)?.[1].split(/temporary_/i)[1]
        : CREATE_INDEX.exec(one.sql)?.[2];
    if (all.some((one) => bare(twin(one) ?? '') === bare(drop[2]))) return [];
    return risk(['drop', 'any', isTable ? 'data' : 'queryPath'], sql, db, isTable ? drop[2] : '');
  }
  const [, altered, actions] = ALTER_TABLE.exec(sql) ?? [];
  // The rebuild's last step renames its temporary table.
  if (!actions || (/^RENAME TO /i.test(actions) && /temporary_/i.test(sql))) return [];
  return actions.split(/,\s?(?=(?:ADD|DROP|ALTER|RENAME)\b)/i).flatMap((clause) => {
    const [, rule, unless] = CLAUSES.find(([pattern]) => pattern.test(clause)) ?? [];
    return rule && !unless?.test(clause) ? risk(rule, sql, db, altered) : [];
  });
}

function callRisks({ call, method, db, table }: Call): Risk[] {
  const statement = oneLine(call.getText());
  const rule = API.find(([pattern]) => pattern.test(method))?.[1];
  const concurrent = rule === INDEX && /isConcurrent:\s*true/.test(statement);
  return [
    ...(rule && !concurrent ? risk(rule, statement, db, table) : []),
    ...(/^addColumns?$/.test(method) && addsNotNull(call)
      ? risk(NOT_NULL, statement, db, table)
      : []),
    ...(SQLITE_REBUILDS.test(method) ? risk(REBUILD, statement, db, table) : []),
  ];
}

/** A column literal given to `addColumn(s)` neither nullable nor defaulted; a variable is not judged. */
function addsNotNull(call: ts.CallExpression): boolean {
  const args = call.arguments
    .slice(1)
    .flatMap((arg) => (ts.isArrayLiteralExpression(arg) ? [...arg.elements] : [arg]));
  const defaulted = /\bisNullable:\s*true\b|\b(default|isGenerated|generatedType):/;
  return args.some((arg) => {
    const column = literal(arg);
    return column !== undefined && !defaulted.test(column.getText());
  });
}

/** The object literal of `new TableColumn({…})`, `new Table({…})` or of a bare `{…}`. */
function literal(node: ts.Node | undefined): ts.ObjectLiteralExpression | undefined {
  const inner = node && ts.isNewExpression(node) ? node.arguments?.[0] : node;
  return inner && ts.isObjectLiteralExpression(inner) ? inner : undefined;
}

const bare = (name: string) =>
  name
    .replace(/["'`\s]/g, '')
    .replace(/^.*\./, '')
    .toLowerCase();
const cut = (statement: string) =>
  statement.length <= 160 ? statement : `${statement.slice(0, 159)}…`;
