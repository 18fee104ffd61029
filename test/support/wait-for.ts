/** @module Polling for integration and e2e tests: wait until a condition holds, or fail with what was awaited. */

/**
 * Calls `check` every `intervalMs` until it returns a value other than undefined/false (which is
 * returned); a throw counts as "not yet". Rejects after `timeoutMs` naming `what` and the last error.
 */
export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string,
  timeoutMs = 10_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
