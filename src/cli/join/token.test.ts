/** @module Join tokens: parsing full and bare tokens, the CA hash, and the server's token file. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { caHash, ensureServerToken, formatToken, parseToken, serverTokenPath } from './token.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const HASH = createHash('sha256').update(CA).digest('hex');

const cases: { name: string; token: string; want?: ReturnType<typeof parseToken>; error?: RegExp }[] = [
  { name: 'a full token gives the CA hash, user and secret', token: `K10${HASH}::server:s3cret`, want: { caHash: HASH, user: 'server', secret: 's3cret' } },
  { name: 'a secret may hold colons', token: `K10${HASH}::server:a:b`, want: { caHash: HASH, user: 'server', secret: 'a:b' } },
  { name: 'a K10 token without a hash verifies no CA', token: 'K10::node:s3cret', want: { caHash: undefined, user: 'node', secret: 's3cret' } },
  { name: 'a bare secret is the secret alone', token: 'just-a-secret\n', want: { secret: 'just-a-secret' } },
  { name: 'an empty token is refused', token: '  ', error: /token must not be empty/ },
  { name: 'a short CA hash is refused', token: 'K10abc::server:x', error: /CA hash must be 64 hex digits/ },
  { name: 'a full token without user:secret is refused', token: `K10${HASH}::nosecret`, error: /want K10<ca-hash>::<user>:<secret>/ },
];
for (const c of cases) {
  test(c.name, () => {
    if (c.error) assert.throws(() => parseToken(c.token), c.error);
    else assert.deepEqual(parseToken(c.token), c.want);
  });
}

test('formatToken puts the sha256 of the CA PEM first, and parseToken reads it back', () => {
  assert.equal(caHash(CA), HASH);
  assert.equal(formatToken(CA, 'xyz'), `K10${HASH}::server:xyz`);
  assert.deepEqual(parseToken(formatToken(CA, 'xyz')), { caHash: HASH, user: 'server', secret: 'xyz' });
});

test('the server token is made once (0600), kept across starts, set by --token, and a token of another CA is refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tug-token-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const first = await ensureServerToken(dir, CA);
  assert.match(first, new RegExp(`^K10${HASH}::server:[0-9a-f]{48}$`));
  assert.equal((await stat(serverTokenPath(dir))).mode & 0o777, 0o600);
  assert.equal(await ensureServerToken(dir, CA), first);
  assert.equal(await ensureServerToken(dir, CA, 'chosen'), `K10${HASH}::server:chosen`);
  assert.equal((await readFile(serverTokenPath(dir), 'utf8')).trim(), `K10${HASH}::server:chosen`);
  assert.equal(await ensureServerToken(dir, CA, `K10${HASH}::server:full`), `K10${HASH}::server:full`);
  await assert.rejects(ensureServerToken(dir, CA, `K10${'0'.repeat(64)}::server:x`), /CA hash does not match this server's CA/);
});
