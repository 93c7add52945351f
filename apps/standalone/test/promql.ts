/** Words of PromQL that look like names but are not metrics. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression reads: every name that is not a function or aggregation
 * (followed by `(`), a keyword, a label (inside `{}` or a `by (...)` list), a string, a range or
 * a number. Enough for the expressions of our dashboards and rules; not a PromQL parser.
 */
export function metricNamesOf(expr: string): string[] {
  const text = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ');
  const names = new Set<string>();
  for (const match of text.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = match[0];
    const before = text[match.index - 1] ?? ' ';
    if (/[0-9.$]/.test(before)) continue;
    if (
      text
        .slice(match.index + name.length)
        .trimStart()
        .startsWith('(')
    )
      continue;
    if (KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}
