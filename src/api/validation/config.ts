/**
 * @module core/v1 ConfigMap and Secret rules: keys, the 1 MiB size budget, secret types' required
 * keys, and the `immutable` flag on update.
 */
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.js';
import { deepEqual, forbidden, immutable, invalid, invalidEach, required, tooLong, type FieldError } from '../../apimachinery/validation/field.js';
import { isConfigMapKey } from '../../apimachinery/validation/names.js';
import type { KindRules } from './types.js';

export const MaxSecretSize = 1024 * 1024;

const decodedSize = (b64: string) => Buffer.from(b64, 'base64').length;

function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    errs.push(...invalidEach(`data[${k}]`, k, isConfigMapKey(k)));
    if (Object.hasOwn(cm.binaryData ?? {}, k)) errs.push(invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(v);
  }
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) {
    errs.push(...invalidEach(`binaryData[${k}]`, k, isConfigMapKey(k)));
    size += decodedSize(v);
  }
  // Upstream reports the whole object, which prints as "[]".
  if (size > MaxSecretSize) errs.push(tooLong('[]', MaxSecretSize));
  return errs;
}

/** Once `immutable: true` is stored, the flag and the data stay as they are. */
function validateImmutableData(next: { immutable?: boolean }, prev: { immutable?: boolean }, fields: string[]): FieldError[] {
  if (!prev.immutable) return [];
  const errs: FieldError[] = [];
  if (!next.immutable) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) {
    if (!deepEqual((next as Record<string, unknown>)[f], (prev as Record<string, unknown>)[f])) {
      errs.push(forbidden(f, 'field is immutable when `immutable` is set'));
    }
  }
  return errs;
}

/** The keys each built-in secret type must carry. */
function validateSecretType(s: Secret): FieldError[] {
  const data = s.data ?? {};
  const has = (k: string) => Object.hasOwn(data, k);
  switch (s.type) {
    case 'kubernetes.io/service-account-token':
      return s.metadata?.annotations?.['kubernetes.io/service-account.name']
        ? [] : [required('metadata.annotations[kubernetes.io/service-account.name]')];
    case 'kubernetes.io/dockercfg': case 'kubernetes.io/dockerconfigjson': {
      const key = s.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) return [required(`data[${key}]`)];
      try {
        JSON.parse(Buffer.from(data[key], 'base64').toString('utf8'));
        return [];
      } catch (e) {
        return [invalid(`data[${key}]`, '<secret contents redacted>', (e as Error).message)];
      }
    }
    case 'kubernetes.io/basic-auth':
      return has('username') || has('password') ? [] : [required('data[username]'), required('data[password]')];
    case 'kubernetes.io/ssh-auth':
      return data['ssh-privatekey'] ? [] : [required('data[ssh-privatekey]')];
    case 'kubernetes.io/tls':
      return ['tls.crt', 'tls.key'].filter((k) => !has(k)).map((k) => required(`data[${k}]`));
    default:
      return [];
  }
}

function validateSecret(s: Secret): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(s.data ?? {})) {
    errs.push(...invalidEach(`data[${k}]`, k, isConfigMapKey(k)));
    size += decodedSize(v);
  }
  if (size > MaxSecretSize) errs.push(tooLong('data', MaxSecretSize));
  return [...errs, ...validateSecretType(s)];
}

export const configMapRules: KindRules = {
  spec: validateConfigMap,
  update: (cm: ConfigMap, old: ConfigMap) => validateImmutableData(cm, old, ['data', 'binaryData']),
};

export const secretRules: KindRules = {
  spec: validateSecret,
  update: (s: Secret, old: Secret) => [...immutable('type', s.type, old.type), ...validateImmutableData(s, old, ['data'])],
};
