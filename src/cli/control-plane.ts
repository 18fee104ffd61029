/**
 * @module The control-plane loops of `tug server` — controller manager and scheduler — run
 * under leader election on a Lease, so that several servers on one etcd never reconcile twice.
 * A server that loses the lease stops its loops and campaigns again.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Client } from '../client/client.js';
import { EventBroadcaster } from '../client/events.js';
import { InformerFactory } from '../client/informer.js';
import { LeaderElector } from '../client/leaderelection.js';
import { runControllerManager } from '../controllers/manager.js';
import type { ControllerContext, ControllerOptions } from '../controllers/context.js';
import { Scheduler } from '../scheduler/scheduler.js';

export interface ControlPlaneOptions {
  client: Client;
  log: { info(o: object | string, m?: string): void; error(o: object | string, m?: string): void };
  /** Lease timing (seconds); tests shorten it. */
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  /** Controller names to run (default: all). */
  controllers?: string[];
  /** Tunables of individual controllers. */
  controllerOptions?: ControllerOptions;
  /** Run the scheduler (default true). */
  scheduler?: boolean;
}

export const LEASE_NAME = 'tug-controller-manager';

/** Runs until signal aborts; resolves after the loops stopped and the lease was released. */
export async function runControlPlane(o: ControlPlaneOptions, signal: AbortSignal): Promise<void> {
  const identity = `${hostname()}_${randomBytes(4).toString('hex')}`;
  while (!signal.aborted) {
    const elector = new LeaderElector({
      client: o.client, name: LEASE_NAME, identity,
      leaseDurationSeconds: o.leaseDurationSeconds, renewDeadlineSeconds: o.renewDeadlineSeconds, retryPeriodSeconds: o.retryPeriodSeconds,
      log: o.log,
      onStartedLeading: (leading) => {
        o.log.info({ identity }, 'became leader: starting controllers');
        return lead(o, leading);
      },
      onStoppedLeading: () => o.log.info({ identity }, 'stopped leading'),
      onNewLeader: (id) => { if (id && id !== identity) o.log.info({ leader: id }, 'another server leads'); },
    });
    await elector.run(signal);
  }
}

/** One term of leadership: fresh informers, controllers and scheduler, all stopped when `leading` aborts. */
async function lead(o: ControlPlaneOptions, leading: AbortSignal): Promise<void> {
  const events = new EventBroadcaster(o.client, { log: o.log });
  const ctx: ControllerContext = {
    client: o.client,
    informers: new InformerFactory(o.client),
    recorder: (component) => events.recorder(component, hostname()),
    now: () => Date.now(),
    options: o.controllerOptions,
  };
  const scheduler = o.scheduler === false ? undefined
    : new Scheduler({ client: o.client, informers: ctx.informers, events: events.recorder('default-scheduler', hostname()) });
  await Promise.all([
    runControllerManager(ctx, leading, {
      enabled: o.controllers,
      onError: (controller, err) => o.log.error({ controller, err }, 'controller stopped with an error'),
    }),
    scheduler?.run(leading).catch((err) => o.log.error({ err }, 'scheduler stopped with an error')),
  ]);
}
