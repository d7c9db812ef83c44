import { createUpcallCore } from '../../upcall-core';
import { runUpcallCoreContract } from './upcall-core.contract';

/** The embedded default store runs the same kit as every other. */
runUpcallCoreContract('in-memory', async () => {
  const core = createUpcallCore();
  return { core, close: () => core.close() };
});
