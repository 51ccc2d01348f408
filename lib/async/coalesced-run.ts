/**
 * Wraps an async job so that runs never overlap and calls made while one runs share a
 * single follow-up run (which starts after it and so sees everything done before the call).
 * For "re-read what changed" jobs: a burst of triggers costs at most two reads.
 */
export function coalesced(job: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  let next: Promise<void> | undefined;
  return () => {
    if (!next) {
      const run: Promise<void> = running.then(() => {
        next = undefined;
        return job();
      });
      next = run;
      running = run.catch(() => {});
    }
    return next;
  };
}
