import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, from dist/scripts/bench. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface NodeLine {
  /** As asked for: `22`, `24`, `26`, or an exact version. */
  readonly line: string;
  /** The release found, e.g. `v26.12.1`. */
  readonly version: string;
  readonly node: string;
}

/**
 * The newest release of each line, unpacked from the npm registry (scripts/node-line.sh, the
 * same provisioning .ci/run uses), so one benchmark run can start services on every line.
 */
export function provisionNodeLines(lines: readonly string[]): NodeLine[] {
  return lines.map((line) => {
    const dir = execFileSync('bash', [join(ROOT, 'scripts/node-line.sh'), line], { encoding: 'utf8' }).trim();
    const node = join(dir, 'bin', 'node');
    return { line, version: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(), node };
  });
}
