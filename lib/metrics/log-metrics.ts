import { Counter, type Registry } from 'prom-client';
import type { LineCap } from '../log/line-cap.js';

/** log_lines_dropped_total: lines a LineCap left out, read from the cap at scrape time. */
export function exposeDroppedLogLines(registry: Registry, cap: LineCap): void {
  const dropped = new Counter({
    name: 'log_lines_dropped_total',
    help: 'Handler log lines left out because more than LOG_LINES_PER_SECOND were written in a second (each second that drops some also writes one "log lines left out" line).',
    registers: [registry],
    collect() {
      // Mirrors the cap's own monotonic count (reset + inc: prom-client counters have no set).
      dropped.reset();
      dropped.inc(cap.dropped);
    },
  });
}
