/** @module Tests for applyDefaults: what `kubectl get -o yaml` shows after a create. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupKind } from '../scheme.js';
import { applyDefaults, jobSelectorDefaults } from './index.js';
import { defaultPullPolicy } from './pod.js';

const defaulted = (apiVersion: string, kind: string, obj: any) => {
  applyDefaults(lookupKind(apiVersion, kind)!, obj);
  return obj;
};

const defaultedContainer = {
  name: 'c', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent', resources: {},
  terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
};
const templateSpec = {
  containers: [defaultedContainer], dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler',
  securityContext: {}, terminationGracePeriodSeconds: 30,
};

test('a pod gets the pod spec, container and pod-only defaults', () => {
  const pod = defaulted('v1', 'Pod', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } });
  assert.deepEqual(pod.spec, { ...templateSpec, enableServiceLinks: true, priority: 0, preemptionPolicy: 'PreemptLowerPriority' });
});

test('a pod naming a priority class is left for admission to give a priority', () => {
  const pod = defaulted('v1', 'Pod', { spec: { priorityClassName: 'high', containers: [] } });
  assert.equal(pod.spec.priority, undefined);
  assert.equal(pod.spec.preemptionPolicy, undefined);
});

test('container ports, probes, env field refs and volumes get their defaults', () => {
  const pod = defaulted('v1', 'Pod', { spec: {
    containers: [{
      name: 'c', image: 'x', ports: [{ containerPort: 80 }],
      livenessProbe: { httpGet: { port: 80 } }, readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 },
      env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      resources: { limits: { cpu: '1' } },
    }],
    volumes: [{ name: 'a' }, { name: 'b', configMap: { name: 'cm' } }, { name: 'c', secret: { secretName: 's' } }, { name: 'd', hostPath: { path: '/x' } }],
  } });
  const c = pod.spec.containers[0];
  assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.equal(c.readinessProbe.periodSeconds, 5);
  assert.equal(c.env[0].valueFrom.fieldRef.apiVersion, 'v1');
  assert.deepEqual(c.resources, { limits: { cpu: '1' }, requests: { cpu: '1' } });
  assert.deepEqual(pod.spec.volumes, [
    { name: 'a', emptyDir: {} }, { name: 'b', configMap: { name: 'cm', defaultMode: 420 } },
    { name: 'c', secret: { secretName: 's', defaultMode: 420 } }, { name: 'd', hostPath: { path: '/x', type: '' } },
  ]);
});

const pullPolicies: { name: string; image: string; want: string }[] = [
  { name: 'an image without a tag is pulled always', image: 'nginx', want: 'Always' },
  { name: 'an image tagged latest is pulled always', image: 'nginx:latest', want: 'Always' },
  { name: 'an image with another tag is pulled if not present', image: 'nginx:1.25', want: 'IfNotPresent' },
  { name: 'a registry port is not mistaken for a tag', image: 'localhost:5000/app', want: 'Always' },
  { name: 'an image pinned by digest is pulled if not present', image: 'app@sha256:abc', want: 'IfNotPresent' },
];
for (const c of pullPolicies) test(c.name, () => assert.equal(defaultPullPolicy(c.image), c.want));

test('a deployment gets replicas, a 25% rolling update, history and deadline, and template defaults', () => {
  const d = defaulted('apps/v1', 'Deployment', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } } });
  assert.deepEqual(d.spec, {
    replicas: 1, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    revisionHistoryLimit: 10, progressDeadlineSeconds: 600, template: { spec: templateSpec },
  });
});

test('a Recreate deployment gets no rolling-update parameters', () => {
  const d = defaulted('apps/v1', 'Deployment', { spec: { strategy: { type: 'Recreate' } } });
  assert.deepEqual(d.spec.strategy, { type: 'Recreate' });
});

test('a daemon set rolls one pod at a time without surge', () => {
  const ds = defaulted('apps/v1', 'DaemonSet', { spec: {} });
  assert.deepEqual(ds.spec, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 });
});

test('a stateful set gets ordered pods, partition 0 and retained claims', () => {
  const sts = defaulted('apps/v1', 'StatefulSet', { spec: {} });
  assert.deepEqual(sts.spec, {
    podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' }, replicas: 1, revisionHistoryLimit: 10,
  });
});

test('a service gets ClusterIP, TCP ports aimed at themselves and single-stack IPv4', () => {
  const svc = defaulted('v1', 'Service', { spec: { ports: [{ port: 80 }], clusterIP: '10.0.0.5' } });
  assert.deepEqual(svc.spec, {
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], clusterIP: '10.0.0.5', clusterIPs: ['10.0.0.5'],
    sessionAffinity: 'None', type: 'ClusterIP', internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'],
  });
});

test('a NodePort service gets the Cluster external traffic policy', () => {
  assert.equal(defaulted('v1', 'Service', { spec: { type: 'NodePort' } }).spec.externalTrafficPolicy, 'Cluster');
});

test('an ExternalName service gets no IP families', () => {
  const svc = defaulted('v1', 'Service', { spec: { type: 'ExternalName', externalName: 'example.com' } });
  assert.equal(svc.spec.ipFamilies, undefined);
  assert.equal(svc.spec.internalTrafficPolicy, undefined);
});

test('a job defaults its counts and policies and copies template labels to itself', () => {
  const job = defaulted('batch/v1', 'Job', { metadata: { name: 'pi' }, spec: { template: { metadata: { labels: { app: 'pi' } }, spec: { restartPolicy: 'Never', containers: [] } } } });
  const { template: _, ...spec } = job.spec;
  assert.deepEqual(spec, {
    completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false,
    podReplacementPolicy: 'TerminatingOrFailed', manualSelector: false,
  });
  assert.deepEqual(job.metadata.labels, { app: 'pi' });
});

test('a job with parallelism but no completions keeps completions unset', () => {
  assert.equal(defaulted('batch/v1', 'Job', { spec: { parallelism: 3 } }).spec.completions, undefined);
});

test('jobSelectorDefaults labels the template and selects on the uid, as the job strategy does', () => {
  const job = defaulted('batch/v1', 'Job', { metadata: { name: 'pi' }, spec: { template: { metadata: { labels: { app: 'pi' } } } } });
  jobSelectorDefaults(job, 'u1');
  const want = { app: 'pi', 'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u1', 'batch.kubernetes.io/controller-uid': 'u1' };
  assert.deepEqual(job.spec.template.metadata.labels, want);
  assert.deepEqual(job.metadata.labels, want);
  assert.deepEqual(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } });
});

test('jobSelectorDefaults leaves a manual selector alone', () => {
  const job = { metadata: { name: 'pi' }, spec: { manualSelector: true, selector: { matchLabels: { a: 'b' } }, template: {} } };
  jobSelectorDefaults(job as any, 'u1');
  assert.deepEqual(job.spec.template, {});
});

test('a cron job allows concurrency and keeps three successful and one failed job', () => {
  const cj = defaulted('batch/v1', 'CronJob', { spec: { schedule: '* * * * *', jobTemplate: { spec: {} } } });
  assert.deepEqual(cj.spec, { schedule: '* * * * *', jobTemplate: { spec: {} }, concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
});

test('a namespace gets its name label, the kubernetes finalizer and the Active phase', () => {
  const ns = defaulted('v1', 'Namespace', { metadata: { name: 'dev', labels: { team: 'a' } } });
  assert.deepEqual(ns, {
    metadata: { name: 'dev', labels: { team: 'a', 'kubernetes.io/metadata.name': 'dev' } },
    spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
  });
});

test('a secret is Opaque and its stringData moves into data as base64', () => {
  const s = defaulted('v1', 'Secret', { stringData: { user: 'admin' }, data: { a: 'Yg==' } });
  assert.deepEqual(s, { type: 'Opaque', data: { a: 'Yg==', user: 'YWRtaW4=' } });
});

test('volumes and claims default to the Filesystem mode and Retain', () => {
  assert.deepEqual(defaulted('v1', 'PersistentVolume', { spec: {} }), { spec: { persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
  assert.equal(defaulted('v1', 'PersistentVolumeClaim', { spec: {} }).spec.volumeMode, 'Filesystem');
});

test('a network policy with egress rules governs both directions and its ports are TCP', () => {
  const np = defaulted('networking.k8s.io/v1', 'NetworkPolicy', { spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } });
  assert.deepEqual(np.spec.policyTypes, ['Ingress', 'Egress']);
  assert.equal(np.spec.egress[0].ports[0].protocol, 'TCP');
});

test('a priority class preempts lower priorities by default', () => {
  assert.equal(defaulted('scheduling.k8s.io/v1', 'PriorityClass', { value: 5 }).preemptionPolicy, 'PreemptLowerPriority');
});

test('kinds without defaults are left untouched', () => {
  assert.deepEqual(defaulted('v1', 'ConfigMap', { data: { a: 'b' } }), { data: { a: 'b' } });
});
