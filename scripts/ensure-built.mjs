#!/usr/bin/env node
// Builds only when dist/ is missing or older than its sources, so `npm run auth-svc`,
// `npm run users` and the other commands start in a second instead of rebuilding each
// time. Plain JavaScript: it has to run before anything is compiled.
//
// Sources are what tsconfig.json compiles (its "include" folders), the packages' sources, plus tsconfig.json,
// package.json and package-lock.json; a folder's own mtime counts too, so a deleted
// file is noticed. `npm run build` touches dist/.build-stamp when it succeeds.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STAMP = join('dist', '.build-stamp');

/** Newest modification time (ms) of `path` and, for a folder, of everything inside it; 0 when missing. */
function newestMtime(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  let newest = stat.mtimeMs;
  if (stat.isDirectory()) for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Why `root` needs a build (a sentence), or undefined when dist/ is up to date. */
export function buildStaleness(root) {
  let stampMs;
  try {
    stampMs = statSync(join(root, STAMP)).mtimeMs;
  } catch {
    return 'dist/ has not been built yet';
  }
  const include = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')).include ?? [];
  // The packages are built first (tsc -b sdk server-kit): their sources count too.
  const packages = ['sdk/src', 'sdk/package.json', 'server-kit/src', 'server-kit/package.json'];
  for (const source of [...include, ...packages, 'tsconfig.json', 'package.json', 'package-lock.json']) {
    if (newestMtime(join(root, source)) > stampMs) return `${source} changed since the last build`;
  }
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const why = buildStaleness(root);
  if (why) {
    process.stderr.write(`building: ${why}\n`);
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
    process.exit(build.status ?? 1);
  }
}
