import { stopSharedTestPostgres } from './postgres.js';

/** Mocha root hooks (loaded through .mocharc's `require`): what the whole run shares is torn down once. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopSharedTestPostgres();
  },
};
