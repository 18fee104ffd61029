/**
 * @module Rolling update and scale-out of a 20-replica web service: `tug server` with its node agent
 * (Deployment, maxSurge 1, maxUnavailable 0, an httpGet readiness probe, containers that exit on
 * SIGTERM) against Docker Swarm on a private dockerd in the same run (`docker service update
 * --update-parallelism 1 --update-delay 0s --update-order start-first` with a health check, and
 * `docker service scale` 20 → 100). While tug updates, a client sends requests to ready endpoints
 * (taken from the EndpointSlices, as the service proxy will) and counts failures.
 * Needs Debian's docker.io. Run: node --import tsx bench/rolling-update.ts
 */
import { loadavg } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildBusyboxImage } from '../src/kubelet/images/busybox-image.js';
import { TEST_IMAGE } from '../src/kubelet/images/names.js';
import { adminHttps } from '../test/support/admin-https.js';
import { startTugServer } from '../test/support/tug-server.js';
import { waitNodeReady } from '../test/support/node-agent.js';
import { startDocker } from './support/docker.js';
import { watch } from './support/lines.js';

const NS = 'bench';
const REPLICAS = 20;
const SCALED = 100;
const SWARM_STEP_TIMEOUT_MS = 600_000;
const log = (m: string) => process.stderr.write(`[+${(performance.now() / 1000).toFixed(1)} s] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A web server that serves its version and exits at once on SIGTERM (PID 1 ignores signals it does not trap). */
const SERVE = 'mkdir -p /www && echo "v$VERSION $(hostname)" > /www/index.html && httpd -f -p 8080 -h /www & trap "exit 0" TERM; wait';

interface Figures { update: number; scale: number; requests?: number; failed?: number }

async function benchTug(): Promise<Figures> {
  const server = await startTugServer({ agent: true });
  try {
    await waitNodeReady((a) => server.kubectl(a));
    const c = await adminHttps(server.kubeconfig, { maxSockets: 32 });
    await c.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const deployment = (version: string, replicas: number) => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS },
      spec: {
        replicas, selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            terminationGracePeriodSeconds: 10,
            containers: [{ name: 'web', image: TEST_IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', SERVE],
              env: [{ name: 'VERSION', value: version }], ports: [{ containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 } }],
          },
        },
      },
    });
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } };
    await c.request('POST', `/api/v1/namespaces/${NS}/services`, service);
    let status: any = {};
    let generation = 0;
    const rv = (await c.request('GET', `/apis/apps/v1/namespaces/${NS}/deployments`)).body.metadata.resourceVersion;
    const dw = await watch(server.kubeconfig, `/apis/apps/v1/namespaces/${NS}/deployments?watch=1&resourceVersion=${rv}`, (e) => { status = { ...e.object.status, gen: e.object.metadata.generation }; });
    const ready = new Set<string>();
    const sw = await watch(server.kubeconfig, `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices?watch=1`, (e) => {
      ready.clear();
      for (const ep of e.object.endpoints ?? []) if (ep.conditions?.ready) for (const a of ep.addresses) ready.add(a);
    });
    const rolledOut = (replicas: number) => status.gen === generation && status.observedGeneration === generation && status.updatedReplicas === replicas
      && status.availableReplicas === replicas && status.replicas === replicas;
    const until = async (what: string, pred: () => boolean) => {
      for (let i = 0; !pred(); i++) { if (i > 30_000) throw new Error(`timed out: ${what}`); await sleep(10); }
    };
    const created = await c.request('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment('1', REPLICAS));
    if (created.status !== 201) throw new Error(`create deployment: ${created.status} ${created.text}`);
    generation = created.body.metadata.generation;
    await until('20 replicas available', () => rolledOut(REPLICAS));
    log('tug: 20 replicas available; updating');

    let requests = 0, failed = 0, loadOn = true;
    const load = (async () => {
      while (loadOn) {
        const ips = [...ready];
        if (!ips.length) { failed++; await sleep(5); continue; }
        const ip = ips[Math.floor(Math.random() * ips.length)];
        requests++;
        try {
          const res = await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(2000) });
          await res.text();
          if (res.status !== 200) failed++;
        } catch { failed++; }
      }
    })();
    const t0 = performance.now();
    const current = (await c.request('GET', `/apis/apps/v1/namespaces/${NS}/deployments/web`)).body;
    current.spec.template.spec.containers[0].env = [{ name: 'VERSION', value: '2' }];
    const updated = await c.request('PUT', `/apis/apps/v1/namespaces/${NS}/deployments/web`, current);
    if (updated.status !== 200) throw new Error(`update deployment: ${updated.status} ${updated.text}`);
    generation = updated.body.metadata.generation;
    await until('rolled out', () => rolledOut(REPLICAS));
    const update = performance.now() - t0;
    loadOn = false;
    await load;
    log(`tug: update ${update.toFixed(0)} ms, ${failed}/${requests} failed requests; scaling`);

    const t1 = performance.now();
    const scaled = await c.request('PUT', `/apis/apps/v1/namespaces/${NS}/deployments/web/scale`, {
      apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: NS }, spec: { replicas: SCALED } });
    if (scaled.status !== 200) throw new Error(`scale: ${scaled.status} ${scaled.text}`);
    generation = (await c.request('GET', `/apis/apps/v1/namespaces/${NS}/deployments/web`)).body.metadata.generation;
    await until('100 available', () => rolledOut(SCALED));
    const scale = performance.now() - t1;
    dw.stop(); sw.stop(); c.close();
    return { update, scale, requests, failed };
  } finally {
    await server.cleanup();
  }
}

async function benchSwarm(imageTar: string): Promise<Figures> {
  const docker = await startDocker();
  try {
    docker.run(['load', '-i', imageTar]);
    docker.swarmInit();
    const health = ['--health-cmd', 'wget -q -O /dev/null http://127.0.0.1:8080/', '--health-interval', '1s', '--health-start-period', '0s', '--health-retries', '1'];
    docker.run(['service', 'create', '--detach=false', '-q', '--name', 'web', '--replicas', String(REPLICAS), '--stop-grace-period', '10s',
      '--update-parallelism', '1', '--update-delay', '0s', '--update-order', 'start-first', '--env', 'VERSION=1', ...health,
      TEST_IMAGE, 'sh', '-c', SERVE]);
    log('swarm: 20 replicas running; updating');
    const t0 = performance.now();
    // Swarm's own pace is what is measured: on a busy machine the update alone outlasts the CLI's usual deadline.
    docker.run(['service', 'update', '--detach=false', '-q', '--env-add', 'VERSION=2', 'web'], undefined, SWARM_STEP_TIMEOUT_MS);
    const update = performance.now() - t0;
    log(`swarm: update ${update.toFixed(0)} ms; scaling`);
    const t1 = performance.now();
    docker.run(['service', 'scale', '--detach=false', `web=${SCALED}`], undefined, SWARM_STEP_TIMEOUT_MS);
    const scale = performance.now() - t1;
    docker.run(['service', 'rm', 'web']);
    return { update, scale };
  } finally {
    await docker.stop();
  }
}

const imageTar = join(process.env.TMPDIR ?? '/tmp', `tug-bench-busybox-${process.pid}.tar`);
const colon = TEST_IMAGE.lastIndexOf(':');
await buildBusyboxImage({ name: TEST_IMAGE.slice(0, colon), tag: TEST_IMAGE.slice(colon + 1), out: imageTar });
log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
try {
  const swarm = await benchSwarm(imageTar);
  const tug = await benchTug();
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`\nRolling update of ${REPLICAS} replicas (one at a time, new before old) and scale ${REPLICAS} → ${SCALED}\n`);
  console.log('| step | tug | docker swarm | tug/swarm |');
  console.log('|---|---|---|---|');
  console.log(`| rolling update | ${s(tug.update)} | ${s(swarm.update)} | ${(tug.update / swarm.update).toFixed(2)}× |`);
  console.log(`| scale ${REPLICAS} → ${SCALED} | ${s(tug.scale)} | ${s(swarm.scale)} | ${(tug.scale / swarm.scale).toFixed(2)}× |`);
  console.log(`\ntug: ${tug.failed} failed of ${tug.requests} requests to ready endpoints during the update; load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  spawnSync('rm', ['-f', imageTar]);
}
