// Just enough PromQL reading for the dashboards' and rules' specs: which series and which labels an
// expression names. Not a parser: the expressions are ours, and promtool or Prometheus itself is
// what checks their syntax.

const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/** The expression without string literals, Grafana variables, ranges and subqueries. */
function stripped(expr: string): string {
  return expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
}

/** Series names the expression selects (identifiers that are not functions or keywords). */
export function seriesIn(expr: string): string[] {
  const text = stripped(expr)
    .replace(/\{[^}]*\}/g, ' ')
    .replace(GROUPING, ' ')
    .replace(/\boffset\s+-?\d+\w*/g, ' ');
  const names = new Set<string>();
  for (const match of text.matchAll(/(?<![\w.:])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (call === undefined && !KEYWORDS.has(name)) names.add(name);
  }
  return [...names];
}

/** Label names the expression matches on (`{label="…"}`) or groups by (`by (…)`, `on (…)`, …). */
export function labelsIn(expr: string): string[] {
  const text = stripped(expr);
  const labels = new Set<string>();
  for (const [, matchers] of text.matchAll(/\{([^}]*)\}/g)) {
    for (const [, label] of matchers.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)) {
      labels.add(label);
    }
  }
  for (const [, , list] of text.matchAll(GROUPING)) {
    for (const label of list.split(',').map((entry) => entry.trim())) {
      if (label !== '') labels.add(label);
    }
  }
  return [...labels];
}

/**
 * Labels an alert's series keep: those of its `by (…)` clauses when it aggregates, `undefined`
 * (all of the selected series') when it does not.
 */
export function keptLabels(expr: string): string[] | undefined {
  const text = stripped(expr);
  const lists = [...text.matchAll(/\bby\s*\(([^)]*)\)/g)].map((match) => match[1]);
  if (lists.length === 0 && !/\b(sum|avg|min|max|count|topk|bottomk)\b\s*\(/.test(text)) {
    return undefined;
  }
  return [...new Set(lists.flatMap((list) => list.split(',').map((entry) => entry.trim())))];
}
