/**
 * @module Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection: acquire
 * an absent or expired lease, renew it every retry period, step down when renewals fail past the
 * renew deadline, and release it on stop so that the next candidate takes over at once.
 */
import { isNotFound } from '../apimachinery/errors.js';
import type { Client, Obj } from './client.js';
import { ref } from './kind-ref.js';

export interface LeaderElectionClock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface LeaderElectionOptions {
  client: Client;
  /** Default 'kube-system'. */
  namespace?: string;
  name: string;
  /** Unique per candidate (e.g. hostname plus a random suffix). */
  identity: string;
  /** How long a lease counts as held after its last renewal. Default 15. */
  leaseDurationSeconds?: number;
  /** How long the leader keeps trying to renew before it steps down. Default 10. */
  renewDeadlineSeconds?: number;
  /** Time between tries to acquire or renew. Default 2. */
  retryPeriodSeconds?: number;
  /** Write holderIdentity '' on stop (client-go's ReleaseOnCancel). Default true. */
  releaseOnCancel?: boolean;
  /** Called on becoming leader; `signal` aborts when leadership ends. Errors are logged. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called once leadership ends (lost or stopped); never called by a candidate that never led. */
  onStoppedLeading(): void;
  /** Called when the observed holder changes (this candidate included); '' when the lease was released. */
  onNewLeader?(identity: string): void;
  clock?: LeaderElectionClock;
  log?: { error(obj: object, msg?: string): void };
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

const realClock: LeaderElectionClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => { clearTimeout(timer); signal.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  }),
};

/** A metav1.MicroTime: RFC 3339 with six fractional digits. */
export const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export class LeaderElector {
  private readonly o: Required<Omit<LeaderElectionOptions, 'onNewLeader' | 'log'>> & Pick<LeaderElectionOptions, 'onNewLeader' | 'log'>;
  private readonly leases = ref('Lease');
  private observed: { spec: LeaseSpec; resourceVersion: string; at: number } | undefined;
  private reportedLeader: string | undefined;
  private leading = false;

  constructor(opts: LeaderElectionOptions) {
    this.o = { namespace: 'kube-system', leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2,
      releaseOnCancel: true, clock: realClock, ...opts };
    if (this.o.renewDeadlineSeconds >= this.o.leaseDurationSeconds) throw new Error('leaseDurationSeconds must be greater than renewDeadlineSeconds');
  }

  isLeader(): boolean { return this.leading; }
  /** The holder this candidate last saw ('' for none). */
  leader(): string { return this.observed?.spec.holderIdentity ?? ''; }

  /**
   * Campaigns until leader, leads until the lease cannot be renewed within the renew deadline or
   * `signal` aborts, then resolves (a lost lease is not re-campaigned: as with client-go, the caller
   * decides, usually by exiting). API errors never reject: they count as a failed try.
   */
  async run(signal: AbortSignal): Promise<void> {
    const { clock, retryPeriodSeconds } = this.o;
    while (!signal.aborted && !(await this.tryAcquireOrRenew())) await clock.sleep(jittered(retryPeriodSeconds), signal);
    if (signal.aborted) return;

    const leading = new AbortController();
    this.leading = true;
    Promise.resolve().then(() => this.o.onStartedLeading(leading.signal))
      .catch((err) => this.o.log?.error({ err }, 'onStartedLeading failed'));
    try {
      await this.renewLoop(signal);
    } finally {
      this.leading = false;
      leading.abort();
      if (signal.aborted && this.o.releaseOnCancel) await this.release();
      this.o.onStoppedLeading();
    }
  }

  private async renewLoop(signal: AbortSignal): Promise<void> {
    const { clock } = this.o;
    let lastRenew = clock.now();
    while (!signal.aborted) {
      await clock.sleep(this.o.retryPeriodSeconds * 1000, signal);
      if (signal.aborted) return;
      // A hung request must not keep a stale leader leading: the try races the deadline.
      const deadline = lastRenew + this.o.renewDeadlineSeconds * 1000;
      const timeout = new AbortController();
      const renewed = await Promise.race([this.tryAcquireOrRenew(),
        clock.sleep(Math.max(0, deadline - clock.now()), timeout.signal).then(() => false)]);
      timeout.abort();
      if (renewed) lastRenew = clock.now();
      else if (clock.now() >= deadline) return;
    }
  }

  /** One try: true when this candidate holds the lease afterwards. Conflicts and API errors are false. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name, identity, clock } = this.o;
    const r = { ...this.leases, namespace };
    const now = clock.now();
    const desired = (acquireTime: string, transitions: number): LeaseSpec => ({ holderIdentity: identity,
      leaseDurationSeconds: this.o.leaseDurationSeconds, acquireTime, renewTime: microTime(now), leaseTransitions: transitions });
    try {
      let lease: Obj;
      try {
        lease = await client.get(r, name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        const created = await client.create(r, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
          metadata: { name, namespace }, spec: desired(microTime(now), 0) });
        this.observe(created, now);
        return true;
      }
      this.observe(lease, now);
      const spec: LeaseSpec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? '';
      if (holder !== '' && holder !== identity && !this.expired(spec, now)) return false;
      const next = holder === identity
        ? desired(spec.acquireTime ?? microTime(now), spec.leaseTransitions ?? 0)
        : desired(microTime(now), (spec.leaseTransitions ?? 0) + 1);
      // resourceVersion from the read: a concurrent writer makes this a 409, and we retry next period.
      this.observe(await client.update(r, { ...lease, spec: next }), now);
      return true;
    } catch (err) {
      this.o.log?.error({ err, lease: `${namespace}/${name}` }, 'leader election: acquire or renew failed');
      return false;
    }
  }

  /**
   * A lease counts as held until leaseDuration after the later of its renewTime and the moment this
   * candidate saw it change: the local observation guards against a holder whose clock runs behind.
   */
  private expired(spec: LeaseSpec, now: number): boolean {
    const renewed = Math.max(Date.parse(spec.renewTime ?? '') || 0, this.observed?.at ?? 0);
    return renewed + (spec.leaseDurationSeconds ?? this.o.leaseDurationSeconds) * 1000 < now;
  }

  private observe(lease: Obj, now: number): void {
    const spec: LeaseSpec = lease.spec ?? {};
    const prev = this.observed;
    const changed = !prev || prev.resourceVersion !== lease.metadata?.resourceVersion;
    this.observed = { spec, resourceVersion: lease.metadata?.resourceVersion ?? '', at: changed ? now : prev.at };
    const holder = spec.holderIdentity ?? '';
    if (holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.o.onNewLeader?.(holder);
    }
  }

  /** Empties holderIdentity when this candidate still holds the lease; errors are logged. */
  private async release(): Promise<void> {
    const { client, namespace, name, identity, clock } = this.o;
    const r = { ...this.leases, namespace };
    try {
      const lease = await client.get(r, name);
      if (lease.spec?.holderIdentity !== identity) return;
      const now = microTime(clock.now());
      await client.update(r, { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now } });
    } catch (err) {
      this.o.log?.error({ err, lease: `${namespace}/${name}` }, 'leader election: release failed');
    }
  }
}

/** client-go's wait.JitterUntil with factor 1.2: spreads candidates' tries apart. */
const jittered = (seconds: number) => seconds * 1000 * (1 + Math.random() * 1.2);
