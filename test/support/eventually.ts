/**
 * Polls `probe` until it returns true or `withinMs` passes; resolves with the time it took.
 * Rejects when the condition never held, so a test can assert an upper bound (e.g. "a
 * logout reaches business-svc within 1 s") without sleeping a fixed time.
 */
export async function within(withinMs: number, probe: () => Promise<boolean>, what: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started > withinMs) throw new Error(`not within ${withinMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** True when the promise rejects with the given gRPC status code. */
export async function failsWith(promise: Promise<unknown>, code: number): Promise<boolean> {
  try {
    await promise;
    return false;
  } catch (err) {
    return (err as { code?: number }).code === code;
  }
}
