/**
 * @module For tests of the agent's API against real containerd: a private containerd, pods run
 * straight through CRI with the kubelet's labels (so the server finds them as it finds the
 * kubelet's), and the certificates of a cluster CA in a temp dir. stop() removes all of it.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestContainerd, type TestContainerd } from '../../../test/support/containerd.js';
import { ensureKubeletClientCert, ensureKubeletServingCert, ensurePKI, issueClientCert, type CertKeyPair, type PKI } from '../../apiserver/auth/pki.js';
import { CRIClient } from '../cri/client.js';
import { Labels, type PodSandboxConfig } from '../cri/types.js';
import { TEST_IMAGE } from '../images/names.js';
import { RESTART_COUNT_ANNOTATION } from './containers.js';

export interface TestContainerSpec { name: string; command: string[]; tty?: boolean; stdin?: boolean; restartCount?: number }
export interface TestPod { namespace: string; name: string; uid: string; sandboxId: string; ip: string; config: PodSandboxConfig }

export interface TestPods {
  ctd: TestContainerd;
  runtime: CRIClient;
  pki: PKI;
  /** The agent's serving certificate for node "test-node" on 127.0.0.1. */
  serving: CertKeyPair;
  /** The API server's kubelet client certificate. */
  kubeletClient: CertKeyPair;
  /** A valid client certificate that is neither the kubelet client nor in system:masters. */
  stranger: CertKeyPair;
  /** Runs a sandbox and its containers; `uid` defaults to a fresh one (pass a Pod object's uid to match it). */
  runPod(p: { namespace?: string; name: string; uid?: string; containers: TestContainerSpec[] }): Promise<TestPod>;
  /** Creates and starts one more container in a pod (e.g. a restart). Returns its id. */
  runContainer(pod: TestPod, c: TestContainerSpec): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestPods(): Promise<TestPods> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tug-kubelet-server-'));
  // A test file that dies before its after() hook still leaves no directory behind.
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  process.once('exit', removeDir);
  let ctd: TestContainerd | undefined;
  try {
    ctd = await startTestContainerd();
    const runtime = new CRIClient(ctd.endpoint);
    const pki = await ensurePKI(dataDir, { hosts: [] });
    const serving = await ensureKubeletServingCert(pki, { nodeName: 'test-node', addresses: ['127.0.0.1'] });
    const kubeletClient = await ensureKubeletClientCert(pki);
    const stranger = await issueClientCert(pki, { commonName: 'jane', organizations: ['developers'] });
    const logDir = ctd.logDir;
    let uidSeq = 0;

    const runContainer = async (pod: TestPod, c: TestContainerSpec): Promise<string> => {
      const restarts = c.restartCount ?? 0;
      const id = await runtime.createContainer(pod.sandboxId, {
        metadata: { name: c.name, attempt: restarts },
        image: { image: TEST_IMAGE },
        command: c.command,
        labels: { ...pod.config.labels, [Labels.containerName]: c.name },
        annotations: { [RESTART_COUNT_ANNOTATION]: String(restarts) },
        logPath: `${c.name}/${restarts}.log`,
        tty: c.tty, stdin: c.stdin, stdinOnce: false,
      }, pod.config);
      await runtime.startContainer(id);
      return id;
    };

    return {
      ctd, runtime, pki, serving, kubeletClient, stranger, runContainer,
      async runPod(p) {
        const namespace = p.namespace ?? 'default';
        const uid = p.uid ?? `uid-${process.pid}-${++uidSeq}`;
        const labels = { [Labels.podNamespace]: namespace, [Labels.podName]: p.name, [Labels.podUID]: uid };
        const config: PodSandboxConfig = {
          metadata: { name: p.name, namespace, uid, attempt: 0 },
          hostname: p.name, logDirectory: join(logDir, `${namespace}_${p.name}_${uid}`), labels, linux: {},
        };
        const sandboxId = await runtime.runPodSandbox(config);
        const ip = (await runtime.podSandboxStatus(sandboxId)).network?.ip ?? '';
        const pod = { namespace, name: p.name, uid, sandboxId, ip, config };
        for (const c of p.containers) await runContainer(pod, c);
        return pod;
      },
      async stop() {
        try {
          await ctd?.stop();
        } finally {
          runtime.close();
          await rm(dataDir, { recursive: true, force: true });
          process.removeListener('exit', removeDir);
        }
      },
    };
  } catch (e) {
    await ctd?.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
}
