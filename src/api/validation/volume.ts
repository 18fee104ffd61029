/**
 * @module Pod volumes (ValidateVolumes): names, exactly one source, and the details of the sources
 * in use here (emptyDir, hostPath, configMap, secret, persistentVolumeClaim, downwardAPI, projected).
 */
import type { KeyToPath, Volume } from 'kubernetes-types/core/v1.js';
import { duplicate, forbidden, invalid, invalidEach, notSupported, required, type FieldError } from '../../apimachinery/validation/field.js';
import { isDNS1123Label } from '../../apimachinery/validation/names.js';

export const fileModeErrorMsg = 'must be a number between 0 and 0777 (octal), both inclusive';
export const hostPathTypes = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

const validateMode = (mode: number | undefined, path: string): FieldError[] =>
  mode !== undefined && (mode > 0o777 || mode < 0) ? [invalid(path, mode, fileModeErrorMsg)] : [];

export function validateNoBacksteps(p: string, path: string): FieldError[] {
  return p.split('/').includes('..') ? [invalid(path, p, "must not contain '..'")] : [];
}

/** A file path inside a volume: relative, without '..' steps, not starting with '..'. */
function validateLocalNonReservedPath(p: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.startsWith('/')) errs.push(invalid(path, p, 'must be a relative path'));
  errs.push(...validateNoBacksteps(p, path));
  if (p.length >= 2 && p.startsWith('..')) errs.push(invalid(path, p, "must not start with '..'"));
  return errs;
}

function validateItems(items: KeyToPath[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (items ?? []).forEach((kp, i) => {
    const at = `${path}[${i}]`;
    if (!kp.key) errs.push(required(`${at}.key`));
    if (!kp.path) errs.push(required(`${at}.path`));
    errs.push(...validateLocalNonReservedPath(kp.path ?? '', `${at}.path`), ...validateMode(kp.mode, `${at}.mode`));
  });
  return errs;
}

export function validateHostPath(hp: { path: string; type?: string }, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!hp.path) errs.push(required(`${path}.path`));
  else errs.push(...validateNoBacksteps(hp.path, `${path}.path`));
  if (hp.type !== undefined && !hostPathTypes.includes(hp.type)) errs.push(notSupported(`${path}.type`, hp.type, hostPathTypes));
  return errs;
}

/** Checks of one source; unknown sources are accepted as they are (the kubelet rejects what it cannot mount). */
function validateSource(kind: string, src: any, path: string): FieldError[] {
  switch (kind) {
    case 'hostPath': return validateHostPath(src, path);
    case 'configMap': {
      const errs = src.name ? [] : [required(`${path}.name`)];
      return [...errs, ...validateMode(src.defaultMode, `${path}.defaultMode`), ...validateItems(src.items, `${path}.items`)];
    }
    case 'secret': {
      const errs = src.secretName ? [] : [required(`${path}.secretName`)];
      return [...errs, ...validateMode(src.defaultMode, `${path}.defaultMode`), ...validateItems(src.items, `${path}.items`)];
    }
    case 'persistentVolumeClaim': return src.claimName ? [] : [required(`${path}.claimName`)];
    case 'downwardAPI': case 'projected': return validateMode(src.defaultMode, `${path}.defaultMode`);
    default: return [];
  }
}

/** Validates the volumes and returns the names that mounts may refer to. */
export function validateVolumes(volumes: Volume[] | undefined, path: string): { names: Set<string>; errs: FieldError[] } {
  const names = new Set<string>();
  const errs: FieldError[] = [];
  (volumes ?? []).forEach((v, i) => {
    const at = `${path}[${i}]`;
    const el: FieldError[] = [];
    const sources = Object.keys(v).filter((k) => k !== 'name' && (v as any)[k] != null);
    if (!sources.length) el.push(required(at, 'must specify a volume type'));
    sources.forEach((kind, n) => {
      if (n > 0) el.push(forbidden(`${at}.${kind}`, 'may not specify more than 1 volume type'));
      else el.push(...validateSource(kind, (v as any)[kind], `${at}.${kind}`));
    });
    if (!v.name) el.push(required(`${at}.name`));
    else el.push(...invalidEach(`${at}.name`, v.name, isDNS1123Label(v.name)));
    if (names.has(v.name)) el.push(duplicate(`${at}.name`, v.name));
    // As upstream, a volume with errors is left out so mounts of it are reported too.
    if (!el.length) names.add(v.name);
    errs.push(...el);
  });
  return { names, errs };
}
