/** Why `names` are refused (the unknown ones, and every valid name), or undefined when all are known. */
export function unknownNamesProblem(kind: 'role' | 'scope', names: readonly string[], known: readonly string[]): string | undefined {
  const unknown = [...new Set(names.filter((n) => !known.includes(n)))];
  if (unknown.length === 0) return undefined;
  return `unknown ${kind}${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => JSON.stringify(n)).join(', ')} (valid ${kind}s: ${known.join(', ')})`;
}
