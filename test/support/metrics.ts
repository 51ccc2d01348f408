import { httpRequest, type HttpAnswer } from './http.js';

/** One HTTP request to a metrics listener on loopback. */
export function httpGet(port: number, path = '/metrics', method = 'GET'): Promise<HttpAnswer> {
  return httpRequest(port, path, { method });
}

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses the Prometheus text format (the subset prom-client writes): one sample per non-comment line. */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: m[3] === '+Inf' ? Infinity : Number(m[3]) });
  }
  return samples;
}

/** The value of the one sample named `name` whose labels include `labels`; undefined when none; throws when several. */
export function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples match ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/** Scrapes `/metrics` and parses it. */
export async function scrape(port: number): Promise<Sample[]> {
  const answer = await httpGet(port);
  if (answer.status !== 200) throw new Error(`GET /metrics answered ${answer.status}`);
  return parseSamples(answer.body);
}

/** go-grpc-middleware's labels for one method (and code): what `grpc_server_*` series carry. */
export function rpcLabels(path: string, code?: string, type: 'unary' | 'server_stream' | 'client_stream' | 'bidi_stream' = 'unary'): Record<string, string> {
  const [service, method] = path.replace(/^\//, '').split('/') as [string, string];
  return { grpc_type: type, grpc_service: service, grpc_method: method, ...(code === undefined ? {} : { grpc_code: code }) };
}
