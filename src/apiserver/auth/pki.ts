/**
 * @module The cluster PKI in DATA_DIR/tls: a CA made on first start, the API server's serving
 * certificate and the admin client certificate, all ECDSA P-256, reused and renewed as k3s does.
 */
import { X509Certificate, createPrivateKey, webcrypto } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as Crypto);

/** A certificate and its PKCS#8 private key, both PEM. */
export interface CertKeyPair { cert: string; key: string }
export interface PKI { dir: string; ca: CertKeyPair; server: CertKeyPair; admin: CertKeyPair }
export interface EnsurePKIOptions {
  /** Extra DNS names and IPs the serving certificate must cover. */
  hosts: string[];
  /** Clock for tests; defaults to the current time. */
  now?: Date;
}
export interface ClientCertOptions { commonName: string; organizations?: string[]; days?: number; now?: Date }

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY_MS = 86_400_000;
const CA_DAYS = 3650;
const LEAF_DAYS = 365;
/** Leaves closer than this to expiry are replaced on start. */
const RENEW_BEFORE_MS = 30 * DAY_MS;
/** Backdating tolerates clocks of agents that run a little behind the server. */
const BACKDATE_MS = 60 * 60 * 1000;
const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const OID_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const BUILTIN_NAMES = ['localhost', '127.0.0.1', '::1', 'kubernetes', 'kubernetes.default',
  'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];

/**
 * Loads the PKI from DATA_DIR/tls, creating what is missing. A new CA replaces every leaf; the
 * serving certificate is also replaced when it misses one of the wanted names, and any leaf that
 * expires within 30 days or no longer matches the CA or its key is reissued.
 */
export async function ensurePKI(dataDir: string, opts: EnsurePKIOptions): Promise<PKI> {
  const dir = join(dataDir, 'tls');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const now = opts.now ?? new Date();

  let ca = await readPair(dir, 'ca');
  const newCA = !ca || !matchesKey(ca);
  if (!ca || newCA) {
    ca = await createCA(now);
    await writePair(dir, 'ca', ca);
  }
  const names = servingNames(opts.hosts);
  let server = await readPair(dir, 'server');
  if (newCA || !server || !usable(server, ca, now) || !covers(server.cert, names)) {
    server = await issue(ca, { subject: [{ CN: ['kube-apiserver'] }], days: LEAF_DAYS, now, eku: OID_SERVER_AUTH,
      sans: names.map((n) => ({ type: isIP(n) ? 'ip' : 'dns', value: n })) });
    await writePair(dir, 'server', server);
  }
  let admin = await readPair(dir, 'admin');
  if (newCA || !admin || !usable(admin, ca, now)) {
    admin = await issueClientCert({ ca }, { commonName: 'system:admin', organizations: ['system:masters'], now });
    await writePair(dir, 'admin', admin);
  }
  return { dir, ca, server, admin };
}

/** The CN and group of the API server's client certificate toward node agents, as kubeadm names it. */
export const KUBELET_CLIENT_CN = 'kube-apiserver-kubelet-client';
export interface KubeletServingOptions {
  nodeName: string;
  /** The node's IPs (and any extra DNS names) the API server may dial it by. */
  addresses: string[];
  now?: Date;
}

/**
 * The node agent's HTTPS serving certificate (CN system:node:NAME, O system:nodes, serverAuth),
 * covering the node name and its addresses, as DATA_DIR/tls/kubelet-serving-NAME.{crt,key}.
 * Reused across starts; reissued when an address is new, the CA changed or expiry nears.
 */
export async function ensureKubeletServingCert(pki: Pick<PKI, 'dir' | 'ca'>, o: KubeletServingOptions): Promise<CertKeyPair> {
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(o.nodeName)) throw new Error(`invalid node name "${o.nodeName}" for a serving certificate`);
  const now = o.now ?? new Date();
  const names = [...new Set([o.nodeName, ...o.addresses].map((n) => n.trim().toLowerCase()).filter(Boolean))];
  const file = `kubelet-serving-${o.nodeName}`;
  let pair = await readPair(pki.dir, file);
  if (!pair || !usable(pair, pki.ca, now) || !covers(pair.cert, names)) {
    pair = await issue(pki.ca, { subject: [{ O: ['system:nodes'] }, { CN: [`system:node:${o.nodeName}`] }], days: LEAF_DAYS, now,
      eku: OID_SERVER_AUTH, sans: names.map((n) => ({ type: isIP(n) ? 'ip' : 'dns', value: n })) });
    await writePair(pki.dir, file, pair);
  }
  return pair;
}

/**
 * The API server's client certificate for calls to node agents (CN kube-apiserver-kubelet-client,
 * O system:masters), as DATA_DIR/tls/apiserver-kubelet-client.{crt,key}; reused until near expiry.
 */
export async function ensureKubeletClientCert(pki: Pick<PKI, 'dir' | 'ca'>, o: { now?: Date } = {}): Promise<CertKeyPair> {
  const now = o.now ?? new Date();
  let pair = await readPair(pki.dir, 'apiserver-kubelet-client');
  if (!pair || !usable(pair, pki.ca, now)) {
    pair = await issueClientCert(pki, { commonName: KUBELET_CLIENT_CN, organizations: ['system:masters'], now });
    await writePair(pki.dir, 'apiserver-kubelet-client', pair);
  }
  return pair;
}

/** Issues a client certificate (clientAuth) signed by the cluster CA; it is not written to disk. */
export function issueClientCert(pki: Pick<PKI, 'ca'>, opts: ClientCertOptions): Promise<CertKeyPair> {
  const subject: x509.JsonName = [...(opts.organizations ?? []).map((o) => ({ O: [o] })), { CN: [opts.commonName] }];
  return issue(pki.ca, { subject, days: opts.days ?? LEAF_DAYS, now: opts.now ?? new Date(), eku: OID_CLIENT_AUTH });
}

/** The names the serving certificate covers: the built-in ones, this machine's hostname, then opts.hosts. */
function servingNames(hosts: string[]): string[] {
  const all = [...BUILTIN_NAMES, hostname(), ...hosts].map((h) => h.trim().toLowerCase());
  return [...new Set(all.filter((h) => h !== ''))];
}

async function createCA(now: Date): Promise<CertKeyPair> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [`tugboat-ca@${Math.floor(now.getTime() / 1000)}`] }],
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY_MS),
    signingAlgorithm: ALG,
    keys,
    // Go's verifier wants a CA flagged critical, allowed to sign, and a key id leaves can point at.
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await exportKey(keys.privateKey) };
}

interface LeafSpec { subject: x509.JsonName; days: number; now: Date; eku: string; sans?: x509.JsonGeneralNames }

/** Makes a fresh key pair and a leaf certificate for it; serials are random and positive (the library adds a 0x00 when needed). */
async function issue(ca: CertKeyPair, spec: LeafSpec): Promise<CertKeyPair> {
  const caCert = new x509.X509Certificate(ca.cert);
  const caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(ca.key), ALG, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([spec.eku]),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    authorityKeyId(caCert),
  ];
  if (spec.sans) extensions.push(new x509.SubjectAlternativeNameExtension(spec.sans));
  const cert = await x509.X509CertificateGenerator.create({
    subject: spec.subject,
    // The parsed Name keeps the CA's encoding, so issuer and CA subject compare equal byte for byte.
    issuer: caCert.subjectName,
    notBefore: new Date(spec.now.getTime() - BACKDATE_MS),
    notAfter: new Date(spec.now.getTime() + spec.days * DAY_MS),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions,
  });
  return { cert: cert.toString('pem'), key: await exportKey(keys.privateKey) };
}

/** Copies the CA's own key id, so the leaf points at exactly what the CA declares. */
function authorityKeyId(caCert: x509.X509Certificate): x509.AuthorityKeyIdentifierExtension {
  const ski = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (!ski) throw new Error(`CA certificate ${caCert.subject} has no SubjectKeyIdentifier`);
  return new x509.AuthorityKeyIdentifierExtension(ski.keyId);
}

async function exportKey(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** True when the leaf is signed by this CA, matches its key and has more than RENEW_BEFORE_MS left. */
function usable(leaf: CertKeyPair, ca: CertKeyPair, now: Date): boolean {
  const cert = new X509Certificate(leaf.cert);
  return cert.verify(new X509Certificate(ca.cert).publicKey) && matchesKey(leaf)
    && new Date(cert.validTo).getTime() - now.getTime() > RENEW_BEFORE_MS;
}

/** Files are written one at a time, so a crash can leave a certificate beside another key. */
function matchesKey(pair: CertKeyPair): boolean {
  return new X509Certificate(pair.cert).checkPrivateKey(createPrivateKey(pair.key));
}

function covers(certPem: string, names: string[]): boolean {
  const cert = new X509Certificate(certPem);
  return names.every((n) => (isIP(n) ? cert.checkIP(n) : cert.checkHost(n, { wildcards: false })) !== undefined);
}

async function readPair(dir: string, name: string): Promise<CertKeyPair | undefined> {
  try {
    const [cert, key] = await Promise.all([
      readFile(join(dir, `${name}.crt`), 'utf8'), readFile(join(dir, `${name}.key`), 'utf8')]);
    return { cert, key };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Key first, then certificate, each through a rename so a reader never sees half a file. */
async function writePair(dir: string, name: string, pair: CertKeyPair): Promise<void> {
  await writeAtomic(join(dir, `${name}.key`), pair.key, 0o600);
  await writeAtomic(join(dir, `${name}.crt`), pair.cert, 0o644);
}

async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode });
  await rename(tmp, path);
}
