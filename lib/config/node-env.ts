/** The values NODE_ENV may take; unset or empty means development. */
export const NODE_ENV_VALUES = ['production', 'development', 'test'] as const;
export type NodeEnv = (typeof NODE_ENV_VALUES)[number];

export type NodeEnvReading = { readonly ok: true; readonly mode: NodeEnv } | { readonly ok: false; readonly raw: string };

/**
 * The one place that decides what NODE_ENV says. Read case- and space-insensitively
 * (`Production`, `" production "` are production); anything else (`prod`, `staging`) is not
 * a value this project knows, and the config readers refuse it at start rather than guess.
 */
export function readNodeEnv(raw: string | undefined): NodeEnvReading {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '') return { ok: true, mode: 'development' };
  const known = (NODE_ENV_VALUES as readonly string[]).includes(value);
  return known ? { ok: true, mode: value as NodeEnv } : { ok: false, raw: raw! };
}

/**
 * Whether production guards apply. An unknown value counts as production (fail closed: its
 * dev defaults are refused too), on top of being refused itself.
 */
export function isProduction(raw: string | undefined): boolean {
  const reading = readNodeEnv(raw);
  return !reading.ok || reading.mode === 'production';
}
