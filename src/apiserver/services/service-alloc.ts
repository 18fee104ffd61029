/**
 * @module A service's cluster IP and node ports through its life, as upstream's service REST
 * (storage/alloc.go): claimed before the write, given back when the write fails, released
 * after a successful update no longer names them or once the service is gone. The store has no
 * transactions spanning an object and its keys, so each write carries a small undo list.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import { StatusError, newInternalError, newInvalid } from '../../apimachinery/errors.js';
import { invalid } from '../../apimachinery/validation/field.js';
import { AllocationError, RangeFullError, type ClusterIPAllocator, type NodePortAllocator } from './allocators.js';
import type { Owner } from './store-range.js';
import { isHeadless, needsClusterIP, needsHealthCheckNodePort, needsNodePort, nodePortsOf } from './type-fields.js';

const SERVICE = { group: '', kind: 'Service' };
type Step = () => Promise<void>;

/** The undo and follow-up steps of one write's allocations. */
export class AllocationTxn {
  private readonly onRevert: Step[] = [];
  private readonly onCommit: Step[] = [];
  /** Node ports claimed by this write, so one port is not claimed twice for different service ports. */
  readonly portsClaimed = new Set<number>();
  /** Upstream's dry run hands out 32769, 32770, … without looking. */
  dryRunPort = 32768;

  constructor(readonly dryRun: boolean, private onError?: (err: unknown) => void) {}

  revertWith(step: Step) { if (!this.dryRun) this.onRevert.push(step); }
  commitWith(step: Step) { if (!this.dryRun) this.onCommit.push(step); }

  /** Runs the commit steps after a successful write, the revert steps after a failed one. */
  async finish(success: boolean): Promise<void> {
    for (const step of (success ? this.onCommit : this.onRevert).splice(0)) {
      // A release that fails leaves a key behind; the repair loop takes it back later.
      await step().catch((err) => this.onError?.(err));
    }
  }
}

const ownerOf = (svc: Service): Owner =>
  ({ namespace: svc.metadata?.namespace ?? '', name: svc.metadata?.name ?? '', uid: svc.metadata?.uid ?? '' });

/** Go's %#v of a []string, as upstream's field error prints spec.clusterIPs. */
const goStrings = (list: string[]) => `[]string{${list.map((s) => JSON.stringify(s)).join(', ')}}`;

/** 422 on spec.clusterIPs with upstream's exact wording (the value printed as a Go []string). */
function clusterIPInvalid(svc: Service, ip: string, why: string): StatusError {
  const name = svc.metadata?.name ?? '';
  const field = 'spec.clusterIPs';
  const cause = `Invalid value: ${goStrings(svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : [ip])}: failed to allocate IP ${ip}: ${why}`;
  return new StatusError({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 422, reason: 'Invalid',
    message: `Service "${name}" is invalid: ${field}: ${cause}`,
    details: { name, kind: 'Service', causes: [{ reason: 'FieldValueInvalid', message: cause, field }] },
  });
}

export class ServiceAllocator {
  constructor(readonly ips: ClusterIPAllocator, readonly ports: NodePortAllocator, private onError?: (err: unknown) => void) {}

  /** Allocates what a new service needs; the caller finishes the txn with the write's outcome. */
  async allocateCreate(svc: Service, dryRun: boolean): Promise<AllocationTxn> {
    const txn = new AllocationTxn(dryRun, this.onError);
    try {
      await this.allocClusterIP(svc, txn);
      if (needsNodePort(svc)) await this.initNodePorts(svc, txn);
      if (needsHealthCheckNodePort(svc)) await this.allocHealthCheckNodePort(svc, txn);
      return txn;
    } catch (e) {
      await txn.finish(false);
      throw e;
    }
  }

  /** Allocates what an update adds; what it drops is released when the txn commits. */
  async allocateUpdate(next: Service, old: Service, dryRun: boolean): Promise<AllocationTxn> {
    const txn = new AllocationTxn(dryRun, this.onError);
    const spec = next.spec ?? {};
    const o = old.spec ?? {};
    try {
      const hadIP = needsClusterIP(old) && (o.clusterIPs?.length ?? 0) > 0;
      if (!hadIP && needsClusterIP(next)) await this.allocClusterIP(next, txn);
      else if (hadIP && !needsClusterIP(next) && !isHeadless(old)) {
        const ip = o.clusterIPs![0];
        txn.commitWith(() => this.ips.release(ip, old.metadata?.uid ?? ''));
      }
      if (needsNodePort(old) && !needsNodePort(next)) this.releaseNodePortsOf(old, txn);
      if (needsNodePort(next)) await this.updateNodePorts(next, old, txn);
      const needed = needsHealthCheckNodePort(old), needs = needsHealthCheckNodePort(next);
      if (!needed && needs) await this.allocHealthCheckNodePort(next, txn);
      else if (needed && !needs) {
        const hc = o.healthCheckNodePort;
        if (hc) txn.commitWith(() => this.ports.release(hc, old.metadata?.uid ?? ''));
        delete spec.healthCheckNodePort;
      } else if (needed && needs && spec.healthCheckNodePort !== o.healthCheckNodePort) {
        throw newInvalid(SERVICE, next.metadata?.name ?? '', [invalid('spec.healthCheckNodePort', spec.healthCheckNodePort,
          'cannot change healthCheckNodePort on loadBalancer service with externalTraffic=Local during update')]);
      }
      return txn;
    } catch (e) {
      await txn.finish(false);
      throw e;
    }
  }

  /** Releases everything a service that is gone held (only keys that still name its uid). */
  async releaseAll(svc: Service): Promise<void> {
    const txn = new AllocationTxn(false, this.onError);
    const ip = svc.spec?.clusterIPs?.[0] ?? svc.spec?.clusterIP;
    if (ip && ip !== 'None' && needsClusterIP(svc)) txn.commitWith(() => this.ips.release(ip, svc.metadata?.uid ?? ''));
    this.releaseNodePortsOf(svc, txn);
    const hc = svc.spec?.healthCheckNodePort;
    if (hc) txn.commitWith(() => this.ports.release(hc, svc.metadata?.uid ?? ''));
    await txn.finish(true);
  }

  private async allocClusterIP(svc: Service, txn: AllocationTxn): Promise<void> {
    const spec = (svc.spec ??= {});
    if (!needsClusterIP(svc) || isHeadless(svc)) return;
    const wanted = spec.clusterIP || spec.clusterIPs?.[0];
    const owner = ownerOf(svc);
    let ip: string;
    if (wanted) {
      try {
        const c = await this.ips.allocate(wanted, owner, txn.dryRun);
        if (c.created) txn.revertWith(() => this.ips.release(wanted, owner.uid));
      } catch (e) {
        if (e instanceof AllocationError) throw clusterIPInvalid(svc, wanted, e.message);
        throw e;
      }
      ip = wanted;
    } else if (txn.dryRun) {
      // Upstream's dry run answers the network address rather than look for a free one.
      ip = this.ips.cidr.text.split('/')[0];
    } else {
      try {
        ip = (await this.ips.allocateNext(owner)).value;
      } catch (e) {
        if (e instanceof RangeFullError) throw newInternalError(new Error(`failed to allocate a serviceIP: ${e.message}`));
        throw e;
      }
      txn.revertWith(() => this.ips.release(ip, owner.uid));
    }
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  }

  /** Claims a requested node port (once per write, as upstream's port operation); AllocationError when it cannot. */
  private async claimPort(svc: Service, port: number, txn: AllocationTxn): Promise<void> {
    if (txn.portsClaimed.has(port)) throw new AllocationError('provided port is already allocated');
    const owner = ownerOf(svc);
    const c = await this.ports.allocate(port, owner, txn.dryRun);
    if (c.created) txn.revertWith(() => this.ports.release(port, owner.uid));
    txn.portsClaimed.add(port);
  }

  /** claimPort for spec.ports[i], failing as a 422 on its nodePort. */
  private async claimServicePort(svc: Service, i: number, port: number, txn: AllocationTxn): Promise<void> {
    try {
      await this.claimPort(svc, port, txn);
    } catch (e) {
      if (e instanceof AllocationError) throw newInvalid(SERVICE, svc.metadata?.name ?? '', [invalid(`spec.ports[${i}].nodePort`, port, e.message)]);
      throw e;
    }
  }

  private async nextPort(svc: Service, txn: AllocationTxn, what = 'a nodePort'): Promise<number> {
    if (txn.dryRun) return ++txn.dryRunPort;
    const owner = ownerOf(svc);
    try {
      const { value } = await this.ports.allocateNext(owner);
      txn.revertWith(() => this.ports.release(value, owner.uid));
      txn.portsClaimed.add(value);
      return value;
    } catch (e) {
      if (e instanceof RangeFullError) throw newInternalError(new Error(`failed to allocate ${what}: ${e.message}`));
      throw e;
    }
  }

  /** Upstream's initNodePorts: a service port number shares one node port across its protocols. */
  private async initNodePorts(svc: Service, txn: AllocationTxn): Promise<void> {
    const ports = svc.spec?.ports ?? [];
    const byServicePort = new Map<number, number>();
    for (const [i, p] of ports.entries()) {
      if (!p.nodePort && !shouldAllocateNodePorts(svc)) continue;
      const shared = byServicePort.get(p.port);
      if (shared === undefined) {
        const requested = ports.slice(i).find((q) => q.port === p.port && q.nodePort)?.nodePort;
        if (requested) await this.claimServicePort(svc, i, requested, txn);
        p.nodePort = requested || await this.nextPort(svc, txn);
        byServicePort.set(p.port, p.nodePort);
      } else if (p.nodePort !== shared) {
        if (!p.nodePort) p.nodePort = shared;
        else await this.claimServicePort(svc, i, p.nodePort, txn);
      }
    }
  }

  /** Upstream's updateNodePorts: new values are claimed, old ones no longer named are released on commit. */
  private async updateNodePorts(next: Service, old: Service, txn: AllocationTxn): Promise<void> {
    const before = nodePortsOf(old);
    for (const [i, p] of (next.spec?.ports ?? []).entries()) {
      if (!p.nodePort && !shouldAllocateNodePorts(next)) continue;
      if (!p.nodePort) p.nodePort = await this.nextPort(next, txn);
      else if (!before.has(p.nodePort) && !txn.portsClaimed.has(p.nodePort)) await this.claimServicePort(next, i, p.nodePort, txn);
    }
    const after = nodePortsOf(next);
    for (const port of before) if (!after.has(port)) txn.commitWith(() => this.ports.release(port, old.metadata?.uid ?? ''));
  }

  private releaseNodePortsOf(svc: Service, txn: AllocationTxn): void {
    for (const port of nodePortsOf(svc)) txn.commitWith(() => this.ports.release(port, svc.metadata?.uid ?? ''));
  }

  private async allocHealthCheckNodePort(svc: Service, txn: AllocationTxn): Promise<void> {
    const spec = svc.spec!;
    const hc = spec.healthCheckNodePort;
    if (!hc) {
      spec.healthCheckNodePort = await this.nextPort(svc, txn, 'a HealthCheck NodePort');
      return;
    }
    try {
      await this.claimPort(svc, hc, txn);
    } catch (e) {
      if (e instanceof AllocationError) throw newInternalError(new Error(`failed to allocate requested HealthCheck NodePort ${hc}: ${e.message}`));
      throw e;
    }
  }
}

const shouldAllocateNodePorts = (svc: Service) =>
  svc.spec?.type === 'NodePort' || (svc.spec?.type === 'LoadBalancer' && svc.spec.allocateLoadBalancerNodePorts !== false);
