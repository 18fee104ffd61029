/** @module The image manager: pull policy matrix, pull secrets, ErrImagePull then ImagePullBackOff, image names. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { CRIError, type AuthConfig, type Image, type ImageService } from '../cri/types.js';
import { registryHost, withDefaultTag } from './image-name.js';
import { ImagePuller } from './image-puller.js';
import { credentialsFor } from './pull-secrets.js';

/** Images by name; pulls of names in `pullable` succeed (with `password` when set). */
function fakeImages(present: string[], pullable: string[] = [], password?: string) {
  const have = new Set(present);
  const pulls: { image: string; auth?: AuthConfig }[] = [];
  const images: ImageService = {
    listImages: async () => [],
    imageStatus: async ({ image }) => (have.has(image) ? { id: `sha256:${image.length}`, repoTags: [image], repoDigests: [], size: '1234' } as Image : undefined),
    pullImage: async ({ image }, auth) => {
      pulls.push({ image, auth });
      if (!pullable.includes(image)) throw new CRIError('PullImage', 2, `failed to pull and unpack image "${image}": not found`);
      if (password && auth?.password !== password) throw new CRIError('PullImage', 2, 'unexpected status: 401 Unauthorized');
      have.add(image);
      return `sha256:${image.length}`;
    },
    removeImage: async () => {},
    imageFsInfo: async () => [],
  };
  return { images, pulls };
}

const pod = (container: Obj, spec: Obj = {}): Obj => ({ metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [container], ...spec } });
const recorder = () => {
  const events: string[] = [];
  return { events, recorder: { event: (_o: Obj, type: string, reason: string, message: string) => { events.push(`${type} ${reason} ${message}`); } } };
};

const matrix: { name: string; policy?: string; image: string; present: boolean; pullable: boolean; want: string; pulled: boolean }[] = [
  { name: 'IfNotPresent with the image present does not pull', policy: 'IfNotPresent', image: 'busybox:1', present: true, pullable: true, want: 'ok', pulled: false },
  { name: 'IfNotPresent with the image missing pulls', policy: 'IfNotPresent', image: 'busybox:1', present: false, pullable: true, want: 'ok', pulled: true },
  { name: 'Always pulls even when present', policy: 'Always', image: 'busybox:1', present: true, pullable: true, want: 'ok', pulled: true },
  { name: 'Never with the image present runs it', policy: 'Never', image: 'busybox:1', present: true, pullable: false, want: 'ok', pulled: false },
  { name: 'Never with the image missing is ErrImageNeverPull', policy: 'Never', image: 'busybox:1', present: false, pullable: true, want: 'ErrImageNeverPull', pulled: false },
  { name: 'no policy and no tag means Always (":latest")', image: 'busybox', present: true, pullable: true, want: 'ok', pulled: true },
  { name: 'a failed pull is ErrImagePull', policy: 'IfNotPresent', image: 'nope:1', present: false, pullable: false, want: 'ErrImagePull', pulled: true },
  { name: 'a malformed name is InvalidImageName', policy: 'IfNotPresent', image: 'Bad Name', present: false, pullable: false, want: 'InvalidImageName', pulled: false },
];
for (const c of matrix) {
  test(c.name, async () => {
    const full = c.image.includes(':') ? c.image : `${c.image}:latest`;
    const { images, pulls } = fakeImages(c.present ? [full] : [], c.pullable ? [full] : []);
    const p = new ImagePuller({ images, recorder: recorder().recorder, secret: async () => undefined });
    const r = await p.ensureImage(pod({ name: 'c', image: c.image, imagePullPolicy: c.policy }), { name: 'c', image: c.image, imagePullPolicy: c.policy });
    assert.equal(r.failure?.reason ?? 'ok', c.want);
    assert.equal(pulls.length > 0, c.pulled);
  });
}

test('messages and events are the kubelet\'s', async () => {
  const { images } = fakeImages([], []);
  const { events, recorder: rec } = recorder();
  const p = new ImagePuller({ images, recorder: rec, secret: async () => undefined });
  const never = await p.ensureImage(pod({}), { name: 'c', image: 'x:1', imagePullPolicy: 'Never' });
  assert.equal(never.failure?.message, 'Container image "x:1" is not present with pull policy of Never');
  const failed = await p.ensureImage(pod({}), { name: 'c', image: 'x:1', imagePullPolicy: 'IfNotPresent' });
  assert.equal(failed.failure?.message, 'rpc error: code = Unknown desc = failed to pull and unpack image "x:1": not found');
  assert.deepEqual(events, [
    'Warning ErrImageNeverPull Container image "x:1" is not present with pull policy of Never',
    'Normal Pulling Pulling image "x:1"',
    'Warning Failed Failed to pull image "x:1": rpc error: code = Unknown desc = failed to pull and unpack image "x:1": not found',
  ]);
});

test('after a failed pull the image is in back-off (ImagePullBackOff) for 10 s, then 20 s', async () => {
  let now = 1_000_000;
  const { images, pulls } = fakeImages([], []);
  const p = new ImagePuller({ images, recorder: recorder().recorder, secret: async () => undefined, now: () => now });
  const c = { name: 'c', image: 'x:1', imagePullPolicy: 'IfNotPresent' };
  assert.equal((await p.ensureImage(pod(c), c)).failure?.reason, 'ErrImagePull');
  now += 5_000;
  const r = await p.ensureImage(pod(c), c);
  assert.deepEqual(r.failure, { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x:1"' });
  assert.equal(p.backoffRemaining('u1', 'x:1'), 5_000);
  assert.equal(pulls.length, 1);
  now += 5_001;
  assert.equal((await p.ensureImage(pod(c), c)).failure?.reason, 'ErrImagePull');
  assert.equal(p.backoffRemaining('u1', 'x:1'), 20_000);
});

test('pull secrets of the image\'s registry are passed to the pull; a wrong one fails', async () => {
  const cfg = (host: string, user: string, pass: string) => ({ type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${user}:${pass}`).toString('base64') } } })).toString('base64') } });
  const secrets: Record<string, Obj> = { good: cfg('127.0.0.1:5000', 'u', 'right'), bad: cfg('127.0.0.1:5000', 'u', 'wrong'), other: cfg('quay.io', 'u', 'right') };
  const image = '127.0.0.1:5000/app:1';
  for (const [names, want] of [[['other', 'good'], undefined], [['bad'], 'ErrImagePull'], [[], 'ErrImagePull']] as const) {
    const { images, pulls } = fakeImages([], [image], 'right');
    const p = new ImagePuller({ images, recorder: recorder().recorder, secret: async (_ns, n) => secrets[n] });
    const c = { name: 'c', image, imagePullPolicy: 'IfNotPresent' };
    const r = await p.ensureImage(pod(c, { imagePullSecrets: names.map((name) => ({ name })) }), c);
    assert.equal(r.failure?.reason, want, names.join());
    if (!want) assert.deepEqual(pulls[0].auth, { username: 'u', password: 'right' });
  }
});

test('dockercfg secrets and Docker Hub aliases match', () => {
  const s = { type: 'kubernetes.io/dockercfg', data: { '.dockercfg': Buffer.from(JSON.stringify({ 'https://index.docker.io/v1/': { username: 'a', password: 'b' } })).toString('base64') } };
  assert.equal(credentialsFor('docker.io', [s])[0].username, 'a');
  assert.deepEqual(credentialsFor('quay.io', [s]), []);
  assert.deepEqual(credentialsFor('docker.io', [{ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': 'bm90IGpzb24=' } }]), []);
});

const names: [string, string, string][] = [
  ['busybox', 'docker.io', 'busybox:latest'], ['library/busybox:1.36', 'docker.io', 'library/busybox:1.36'],
  ['localhost/app', 'localhost', 'localhost/app:latest'], ['127.0.0.1:5000/a/b:2', '127.0.0.1:5000', '127.0.0.1:5000/a/b:2'],
  ['quay.io/x/y@sha256:' + 'a'.repeat(64), 'quay.io', 'quay.io/x/y@sha256:' + 'a'.repeat(64)],
];
for (const [image, host, tagged] of names) {
  test(`${image}: registry ${host}, pulled as ${tagged}`, () => {
    assert.equal(registryHost(image), host);
    assert.equal(withDefaultTag(image), tagged);
  });
}
