import type { Metric, MetricObjectWithValues, MetricValueWithName, Registry } from 'prom-client';

/** One label set's counts: `counts[i]` observations ≤ buckets[i] (not cumulative), the last slot for +Inf. */
interface Series {
  readonly labels: Readonly<Record<string, string>>;
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** Records observations for one label set: a bucket search and three additions, nothing allocated. */
export interface Observer {
  observe(value: number): void;
}

/**
 * A Prometheus histogram for the per-RPC path. prom-client's `observe` builds a label hash string
 * and looks the bucket up by its decimal key on every call (about 1.3 µs per RPC under load); here
 * a label set is resolved once into an `Observer`. Scrapes read it through prom-client's registry in
 * the shape its own histograms have (`_bucket` with cumulative `le`, `_sum`, `_count`), so text
 * output and the cluster primary's aggregation (summed) are prom-client's.
 */
export class LeanHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series: Series[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  observer(labels: Readonly<Record<string, string>>): Observer {
    const s: Series = { labels, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
    this.series.push(s);
    const bounds = this.buckets;
    return {
      observe: (value) => {
        let i = 0;
        while (i < bounds.length && value > bounds[i]!) i++;
        s.counts[i]!++;
        s.sum += value;
        s.count++;
      },
    };
  }

  async get(): Promise<Omit<MetricObjectWithValues<MetricValueWithName<string>>, 'collect'>> {
    const values: MetricValueWithName<string>[] = [];
    for (const s of this.series) {
      let cumulative = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        cumulative += s.counts[i]!;
        values.push({ labels: { ...s.labels, le: this.buckets[i]! }, value: cumulative, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { ...s.labels, le: '+Inf' }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type as never, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const s of this.series) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
