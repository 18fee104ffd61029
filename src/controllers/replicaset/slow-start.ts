/**
 * @module slowStartBatch (upstream controller_utils): calls fn `count` times in batches of 1, 2,
 * 4, … run concurrently, stopping after the first batch with an error, so that a create that
 * always fails (quota, admission) costs one call, not hundreds.
 */

/** Returns how many calls succeeded, and the first error (undefined when all succeeded). */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<unknown>):
  Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failed.length;
    if (failed.length) return { successes, error: failed[0]!.reason };
    remaining -= batch;
  }
  return { successes };
}
