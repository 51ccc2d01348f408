/**
 * Another process on an auth store: increments one throttle row `count` times, one update after
 * another, and prints the counts it saw (JSON). Usage: throttle-increment-cli <sqlite file> <key> <count>
 */
import { openAuthStore } from '../../auth-svc/store/index.js';

const [dbPath, key, count] = process.argv.slice(2);
const store = await openAuthStore({ dbPath: dbPath!, databaseUrl: undefined });
const seen: number[] = [];
for (let i = 0; i < Number(count); i++) {
  seen.push(
    await store.throttles.update([key!], 0, (rows) => {
      const n = rows.get<{ n: number }>(key!)?.n ?? 0;
      rows.set(key!, { n: n + 1 }, Number.MAX_SAFE_INTEGER);
      return n;
    }),
  );
}
await store.close();
process.stdout.write(JSON.stringify(seen));
