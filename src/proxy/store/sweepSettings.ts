// How the ledgers drop what the claim model has forgotten (`isForgotten`) and the time budget's
// spans past their TTL, in one place so the backends cannot drift apart. What is kept, and for
// how long, is the claim model's and the options' (`ttlMs`, `DEFAULT_LEDGER_TTL_MS`, `budgetTtl`);
// these settings only pace the clean-up, which no answer depends on.

/** A database-backed ledger or budget sweeps once every this many claims (or span reads), so no request pays for a large purge. */
export const SWEEP_EVERY = 256

/** Rows one sweep deletes at most (along an index). */
export const SWEEP_BATCH = 1000

/** The memory ledger's pass visits every id, so it runs less often than a database's batch. */
export const MEMORY_SWEEP_EVERY = 1024
