import { getBooleanFromEnv, getStringFromEnv, getStringListFromEnv } from '@opentelemetry/core';

/**
 * Whether the standard OpenTelemetry environment asks this process for traces: an OTLP endpoint
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or an explicit
 * `OTEL_TRACES_EXPORTER` (otlp, console), and neither `OTEL_SDK_DISABLED=true` nor
 * `OTEL_TRACES_EXPORTER=none`. Otherwise tracing is off and nothing is added to any call.
 */
export function tracingRequested(): boolean {
  if (getBooleanFromEnv('OTEL_SDK_DISABLED')) return false;
  const exporters = getStringListFromEnv('OTEL_TRACES_EXPORTER') ?? [];
  if (exporters.includes('none')) return false;
  if (exporters.length > 0) return true;
  return getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') !== undefined || getStringFromEnv('OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined;
}

let registered = false;

/** Whether this process registered a tracer provider (startTracing found OTEL_* asking for traces). */
export function tracingOn(): boolean {
  return registered;
}

/** Called once startTracing registered its provider. */
export function markTracingOn(): void {
  registered = true;
}
