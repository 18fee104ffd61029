/**
 * @module The controller manager: builds every registered controller, starts the shared
 * informers, waits for their caches, then runs the controllers until the signal aborts. Under
 * leader election, only the leader runs this.
 */
import type { ControllerContext, Controller } from './context.js';
import { controllerFactories } from './registry.js';

export interface ManagerOptions {
  /** Controller names to run; default all registered. */
  enabled?: string[];
  onError?: (controller: string, err: unknown) => void;
}

export async function runControllerManager(ctx: ControllerContext, signal: AbortSignal, opts: ManagerOptions = {}): Promise<void> {
  const names = opts.enabled ?? Object.keys(controllerFactories);
  const controllers: Controller[] = [];
  for (const name of names) {
    const factory = controllerFactories[name];
    if (!factory) throw new Error(`unknown controller "${name}"; known: ${Object.keys(controllerFactories).join(', ')}`);
    const c = factory(ctx);
    c.setup?.();
    controllers.push(c);
  }
  ctx.informers.start(signal);
  await ctx.informers.waitForSync();
  await Promise.all(controllers.map((c) => c.run(signal).catch((e) => opts.onError?.(c.name, e))));
}
