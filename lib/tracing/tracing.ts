import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, getNumberFromEnv, getStringFromEnv, getStringListFromEnv, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Logger } from '../log/logger.js';
import { markTracingOn, tracingOn, tracingRequested } from './tracing-env.js';

/**
 * Registers a tracer provider, W3C trace-context and baggage propagation and an
 * AsyncLocalStorage context manager, configured by the standard environment only:
 * `OTEL_TRACES_EXPORTER` (otlp — the default —, console), `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL`
 * (http/protobuf — the default —, http/json, grpc) with the exporters' own `OTEL_EXPORTER_OTLP_*`
 * endpoint, headers, timeout and compression, `OTEL_SERVICE_NAME` (default: `service`),
 * `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER`(+`_ARG`), `OTEL_BSP_*`. Does nothing when the
 * environment does not ask for traces (tracingRequested). Returns the flush-and-stop to run at exit.
 * Import this module only when tracingRequested(): it loads the SDK and the three exporters.
 */
export function startTracing(service: string, log: Logger): (() => Promise<void>) | undefined {
  if (tracingOn() || !tracingRequested()) return undefined;
  diag.setLogger(diagTo(log), DiagLogLevel.WARN);
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new TracerProvider({ resource, spanProcessors: spanProcessors(log), ...samplerOption() });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  trace.setGlobalTracerProvider(provider);
  markTracingOn();
  log.info({ exporter: exporterNames(), protocol: otlpProtocol(), serviceName: resource.attributes[ATTR_SERVICE_NAME] }, 'tracing on');
  // At shutdown the last spans get a short, bounded try: a collector that is down must not hold the exit up.
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), SHUTDOWN_FLUSH_MS)));
    const flushed = provider.shutdown().then(
      () => 'flushed' as const,
      (err: unknown) => (log.warn({ err: String(err) }, 'tracing: flushing spans at shutdown failed'), 'failed' as const),
    );
    if ((await Promise.race([flushed, gaveUp])) === 'timeout') log.warn({ waitedMs: SHUTDOWN_FLUSH_MS }, 'tracing: spans not flushed at shutdown (collector slow or down)');
    clearTimeout(timer);
  };
}

/** How long shutdown waits for the last spans to be exported. */
const SHUTDOWN_FLUSH_MS = 2000;

function exporterNames(): string[] {
  const names = [...new Set(getStringListFromEnv('OTEL_TRACES_EXPORTER') ?? [])];
  return names.length > 0 ? names : ['otlp'];
}

function otlpProtocol(): string {
  return (getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? getStringFromEnv('OTEL_EXPORTER_OTLP_PROTOCOL'))?.trim() || 'http/protobuf';
}

function spanProcessors(log: Logger): SpanProcessor[] {
  const processors: SpanProcessor[] = [];
  for (const name of exporterNames()) {
    if (name === 'console') processors.push(new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }));
    else if (name === 'otlp') processors.push(batched(otlpExporter(log)));
    else log.warn({ exporter: name }, 'OTEL_TRACES_EXPORTER: unsupported exporter ignored (otlp, console, none)');
  }
  return processors;
}

function otlpExporter(log: Logger): SpanExporter {
  const protocol = otlpProtocol();
  switch (protocol) {
    case 'grpc':
      return new GrpcExporter();
    case 'http/json':
      return new JsonExporter();
    case 'http/protobuf':
      return new ProtobufExporter();
    default:
      log.warn({ protocol }, 'OTEL_EXPORTER_OTLP_PROTOCOL: unsupported, using http/protobuf');
      return new ProtobufExporter();
  }
}

function batched(exporter: SpanExporter): SpanProcessor {
  const options: Record<string, number> = {};
  for (const [option, name] of BSP_ENV) {
    const value = getNumberFromEnv(name);
    if (value !== undefined && value >= 0) options[option] = value;
  }
  return new BatchSpanProcessor({ exporter, ...options });
}

const BSP_ENV = [
  ['maxQueueSize', 'OTEL_BSP_MAX_QUEUE_SIZE'],
  ['scheduledDelayMillis', 'OTEL_BSP_SCHEDULE_DELAY'],
  ['exportTimeoutMillis', 'OTEL_BSP_EXPORT_TIMEOUT'],
  ['maxExportBatchSize', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'],
] as const;

/** `OTEL_TRACES_SAMPLER` (+ `OTEL_TRACES_SAMPLER_ARG`); unset: the SDK's default, parent-based always-on. */
function samplerOption(): { sampler?: Sampler } {
  const name = getStringFromEnv('OTEL_TRACES_SAMPLER');
  const ratio = () => {
    const arg = getNumberFromEnv('OTEL_TRACES_SAMPLER_ARG');
    return arg === undefined || arg < 0 || arg > 1 ? 1 : arg;
  };
  switch (name) {
    case undefined:
      return {};
    case 'always_on':
      return { sampler: new AlwaysOnSampler() };
    case 'always_off':
      return { sampler: new AlwaysOffSampler() };
    case 'traceidratio':
      return { sampler: new TraceIdRatioBasedSampler(ratio()) };
    case 'parentbased_always_on':
      return { sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }) };
    case 'parentbased_always_off':
      return { sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }) };
    case 'parentbased_traceidratio':
      return { sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) }) };
    default:
      diag.warn(`OTEL_TRACES_SAMPLER: unknown value "${name}", using parentbased_always_on`);
      return {};
  }
}

/** The SDK's own warnings (an export that failed, say) as log lines. */
function diagTo(log: Logger) {
  const line = (level: 'warn' | 'error') => (message: string, ...args: unknown[]) => log[level]({ args: args.map(String) }, `opentelemetry: ${message}`);
  return { error: line('error'), warn: line('warn'), info: () => {}, debug: () => {}, verbose: () => {} };
}
