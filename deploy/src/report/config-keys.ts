import ts from 'typescript';

/** One environment key that a zod config schema validates at boot. */
export interface ConfigKey {
  key: string;
  /** The file that declares it, as passed in. */
  file: string;
  /** The `.default(…)` argument as written: `86_400`, `'nats://127.0.0.1:4222'`, `64 * 1024`. */
  default?: string;
  /** `.optional()` or `.nullish()`: the key may be left unset. */
  optional: boolean;
  /** Neither defaulted nor optional: the schema rejects an environment without it. */
  required: boolean;
  /** Its doc comment, on one line. */
  description?: string;
}

export interface ConfigKeyChange {
  key: string;
  from: ConfigKey;
  to: ConfigKey;
  /** What changed, in words: `default 86_400 → 3_600`, `now required`. */
  what: string[];
}

/** Keys added, removed and changed, each list sorted by key. */
export interface ConfigChanges {
  /** New keys. One with `required: true` stops the service from starting until it is set. */
  added: ConfigKey[];
  removed: ConfigKey[];
  changed: ConfigKeyChange[];
}

/** Environment keys are UPPER_SNAKE_CASE; other object schemas (payloads, views) are not config. */
const ENV_KEY = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/**
 * The environment keys of every `z.object({…})` and `.extend({…})` literal in `source`. A key
 * written twice in one file is taken from its first schema: `service-config.ts` re-declares
 * `DATABASE_URL` and `DB_MIGRATE` inside `loadConfig` for processes hosting several domains.
 */
export function configKeysIn(path: string, source: string): ConfigKey[] {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const consts = new Map<string, ts.Expression>();
  const shapes: ts.ObjectLiteralExpression[] = [];
  const collect = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      consts.set(node.name.text, node.initializer);
    }
    const shape = ts.isCallExpression(node) && isSchemaCall(node) ? node.arguments[0] : undefined;
    if (shape && ts.isObjectLiteralExpression(shape)) shapes.push(shape);
    ts.forEachChild(node, collect);
  };
  collect(file);

  const keys = new Map<string, ConfigKey>();
  for (const property of shapes.flatMap((shape) => shape.properties)) {
    const key =
      property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))
        ? property.name.text
        : undefined;
    const value = ts.isPropertyAssignment(property)
      ? property.initializer
      : ts.isShorthandPropertyAssignment(property)
        ? property.name
        : undefined;
    if (key === undefined || value === undefined || !ENV_KEY.test(key) || keys.has(key)) continue;
    const { fallback, optional } = modifiersOf(value, consts);
    const description = ts
      .getJSDocCommentsAndTags(property)
      .filter(ts.isJSDoc)
      .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    keys.set(key, {
      key,
      file: path,
      ...(fallback !== undefined && { default: fallback }),
      optional,
      required: fallback === undefined && !optional,
      ...(description !== '' && { description }),
    });
  }
  return [...keys.values()];
}

/** `z.object({…})` (strict and loose too) or `<schema>.extend({…})`. */
function isSchemaCall(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const method = callee.name.text;
  if (method === 'extend' || method === 'safeExtend') return true;
  return /^(strict|loose)?[oO]bject$/.test(method) && /^(z|zod)$/.test(callee.expression.getText());
}

/**
 * Reads a key's schema from the outside in: `.default(x)` and `.optional()` anywhere in its method
 * chain count, and a chain that starts at a const of the same file (`natsUrl.default(…)`, a bare
 * `origins`) goes on in that const's own chain. The outermost default is the one zod applies.
 */
function modifiersOf(
  value: ts.Expression,
  consts: Map<string, ts.Expression>,
): { fallback?: string; optional: boolean } {
  let fallback: string | undefined;
  let optional = false;
  let node: ts.Expression = value;
  for (let hops = 0; hops < 50; hops++) {
    if (
      ts.isParenthesizedExpression(node) ||
      ts.isAsExpression(node) ||
      ts.isSatisfiesExpression(node)
    ) {
      node = node.expression;
    } else if (ts.isIdentifier(node) && consts.has(node.text)) {
      node = consts.get(node.text) as ts.Expression;
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const argument = node.arguments[0];
      if (/^(default|prefault)$/.test(method) && fallback === undefined) {
        fallback = argument?.getText() ?? 'undefined';
      }
      if (method === 'optional' || method === 'nullish') optional = true;
      // `z.optional(schema)` wraps its argument rather than chaining on it.
      const wraps =
        /^(z|zod)$/.test(node.expression.expression.getText()) && argument !== undefined;
      node = wraps ? argument : node.expression.expression;
    } else {
      break;
    }
  }
  return { fallback, optional };
}

/**
 * What changed between two commits' keys. Within one list a key is taken once, from its first
 * entry (the caller lists the keys of every schema a service reads).
 */
export function diffConfigKeys(before: ConfigKey[], after: ConfigKey[]): ConfigChanges {
  const byKey = (keys: ConfigKey[]) => new Map([...keys].reverse().map((key) => [key.key, key]));
  const [old, now] = [byKey(before), byKey(after)];
  const sorted = <T extends { key: string }>(items: T[]) =>
    items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const changed = [...now.values()].flatMap((to) => {
    const from = old.get(to.key);
    const what = from === undefined ? [] : changesOf(from, to);
    return from === undefined || what.length === 0 ? [] : [{ key: to.key, from, to, what }];
  });
  return {
    added: sorted([...now.values()].filter((key) => !old.has(key.key))),
    removed: sorted([...old.values()].filter((key) => !now.has(key.key))),
    changed: sorted(changed),
  };
}

function changesOf(from: ConfigKey, to: ConfigKey): string[] {
  const what: string[] = [];
  if (!sameSource(from.default, to.default)) {
    what.push(`default ${from.default ?? 'none'} → ${to.default ?? 'none'}`);
  }
  if (from.required !== to.required) what.push(to.required ? 'now required' : 'no longer required');
  else if (from.optional !== to.optional)
    what.push(to.optional ? 'now optional' : 'no longer optional');
  return what;
}

/** `86_400` and `86400`, `"x"` and `'x'` are the same default: only a changed value is news. */
function sameSource(a: string | undefined, b: string | undefined): boolean {
  const normal = (text: string | undefined) =>
    text
      ?.replace(/\s+/g, '')
      .replace(/(\d)_(?=\d)/g, '$1')
      .replace(/"/g, "'");
  return normal(a) === normal(b);
}
