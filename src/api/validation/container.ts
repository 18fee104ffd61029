/**
 * @module Container validation (pkg/apis/core/validation validateContainers and friends): names,
 * image, ports, env, volume mounts, probes, pull policy, resources; paths as `spec.containers[0].…`.
 */
import type { Container, ContainerPort, EnvVar, Probe } from 'kubernetes-types/core/v1.js';
import {
  duplicate, forbidden, invalid, invalidEach, nonNegative, notFound, notSupported, required, type FieldError,
} from '../../apimachinery/validation/field.js';
import {
  isConfigMapKey, isDNS1123Label, isEnvVarName, isQualifiedName, isValidPortName, isValidPortNum, nameIsDNSSubdomain,
} from '../../apimachinery/validation/names.js';
import { validateResourceRequirements } from './resources.js';

export const supportedPortProtocols = ['SCTP', 'TCP', 'UDP'];
const envFieldPaths = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];

/** An int-or-string port: a number in range or an IANA service name. */
export function validatePortNumOrName(port: number | string | undefined, path: string): FieldError[] {
  if (typeof port === 'number') return invalidEach(path, port, isValidPortNum(port));
  return invalidEach(path, port ?? '', isValidPortName(port ?? ''));
}

export function validateProtocol(protocol: string | undefined, path: string): FieldError[] {
  if (!protocol) return [required(path)];
  return supportedPortProtocols.includes(protocol) ? [] : [notSupported(path, protocol, supportedPortProtocols)];
}

function validateContainerPorts(ports: ContainerPort[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const at = `${path}[${i}]`;
    if (p.name) {
      const msgs = isValidPortName(p.name);
      if (msgs.length) errs.push(...invalidEach(`${at}.name`, p.name, msgs));
      else if (names.has(p.name)) errs.push(duplicate(`${at}.name`, p.name));
      else names.add(p.name);
    }
    if (!p.containerPort) errs.push(required(`${at}.containerPort`));
    else errs.push(...invalidEach(`${at}.containerPort`, p.containerPort, isValidPortNum(p.containerPort)));
    if (p.hostPort) errs.push(...invalidEach(`${at}.hostPort`, p.hostPort, isValidPortNum(p.hostPort)));
    errs.push(...validateProtocol(p.protocol, `${at}.protocol`));
  });
  return errs;
}

function validateKeySelector(sel: { name?: string; key: string }, path: string): FieldError[] {
  const errs = invalidEach(`${path}.name`, sel.name ?? '', nameIsDNSSubdomain(sel.name ?? '', false));
  if (!sel.key) errs.push(required(`${path}.key`));
  else errs.push(...invalidEach(`${path}.key`, sel.key, isConfigMapKey(sel.key)));
  return errs;
}

/** A downward-API field reference (env valueFrom.fieldRef, downwardAPI volume items). */
export function validateObjectFieldSelector(ref: { apiVersion?: string; fieldPath: string }, path: string, allowed = envFieldPaths): FieldError[] {
  if (!ref.apiVersion) return [required(`${path}.apiVersion`)];
  if (!ref.fieldPath) return [required(`${path}.fieldPath`)];
  const m = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(ref.fieldPath);
  if (m) return invalidEach(path, m[2], isQualifiedName(m[1] === 'metadata.annotations' ? m[2].toLowerCase() : m[2]));
  return allowed.includes(ref.fieldPath) ? [] : [notSupported(`${path}.fieldPath`, ref.fieldPath, allowed)];
}

function validateEnv(env: EnvVar[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  env.forEach((e, i) => {
    const at = `${path}[${i}]`;
    if (!e.name) errs.push(required(`${at}.name`));
    else errs.push(...invalidEach(`${at}.name`, e.name, isEnvVarName(e.name)));
    const from = e.valueFrom;
    if (!from) return;
    const fp = `${at}.valueFrom`;
    let sources = 0;
    if (from.fieldRef) { sources++; errs.push(...validateObjectFieldSelector(from.fieldRef, `${fp}.fieldRef`)); }
    if (from.resourceFieldRef) {
      sources++;
      if (!from.resourceFieldRef.resource) errs.push(required(`${fp}.resourceFieldRef.resource`));
    }
    if (from.configMapKeyRef) { sources++; errs.push(...validateKeySelector(from.configMapKeyRef, `${fp}.configMapKeyRef`)); }
    if (from.secretKeyRef) { sources++; errs.push(...validateKeySelector(from.secretKeyRef, `${fp}.secretKeyRef`)); }
    if (sources === 0) errs.push(invalid(fp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (e.value) errs.push(invalid(fp, '', 'may not be specified when `value` is not empty'));
    else if (sources > 1) errs.push(invalid(fp, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

/** One handler type among exec, httpGet, tcpSocket, grpc (and sleep for lifecycle hooks). */
function validateHandler(h: Record<string, any>, path: string, kinds: string[]): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const kind of kinds) {
    const v = h[kind];
    if (v == null) continue;
    if (count++ > 0) { errs.push(forbidden(`${path}.${kind}`, 'may not specify more than 1 handler type')); continue; }
    const at = `${path}.${kind}`;
    if (kind === 'exec' && !(v.command ?? []).length) errs.push(required(`${at}.command`));
    if (kind === 'httpGet') {
      if (!v.path) errs.push(required(`${at}.path`));
      errs.push(...validatePortNumOrName(v.port, `${at}.port`));
      if (!['HTTP', 'HTTPS'].includes(v.scheme)) errs.push(notSupported(`${at}.scheme`, v.scheme ?? '', ['HTTP', 'HTTPS']));
    }
    if (kind === 'tcpSocket') errs.push(...validatePortNumOrName(v.port, `${at}.port`));
    if (kind === 'grpc') errs.push(...invalidEach(`${at}.port`, v.port, isValidPortNum(v.port)));
    if (kind === 'sleep' && !(v.seconds >= 0)) errs.push(invalid(`${at}.seconds`, v.seconds, 'must be greater than or equal to 0'));
  }
  if (!count) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

const probeHandlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'];

function validateProbe(p: Probe | undefined, path: string, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
  if (!p) return [];
  const errs = validateHandler(p, path, probeHandlers);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    errs.push(...nonNegative(`${path}.${f}`, p[f]));
  }
  if (p.terminationGracePeriodSeconds !== undefined) {
    if (kind === 'readiness') errs.push(invalid(`${path}.terminationGracePeriodSeconds`, p.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
    else if (p.terminationGracePeriodSeconds <= 0) errs.push(invalid(`${path}.terminationGracePeriodSeconds`, p.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  // Liveness and startup probes stop at the first success, so a higher threshold is meaningless.
  if (kind !== 'readiness' && p.successThreshold !== undefined && p.successThreshold !== 1) {
    errs.push(invalid(`${path}.successThreshold`, p.successThreshold, 'must be 1'));
  }
  return errs;
}

function validateVolumeMounts(c: Container, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  (c.volumeMounts ?? []).forEach((m, i) => {
    const at = `${path}[${i}]`;
    if (!m.name) errs.push(required(`${at}.name`));
    if (!volumes.has(m.name)) errs.push(notFound(`${at}.name`, m.name ?? ''));
    if (!m.mountPath) errs.push(required(`${at}.mountPath`));
    if (mountPoints.has(m.mountPath)) errs.push(invalid(`${at}.mountPath`, m.mountPath, 'must be unique'));
    mountPoints.add(m.mountPath);
    if (m.subPath) {
      if (m.subPath.startsWith('/')) errs.push(invalid(`${path}.subPath`, m.subPath, 'must be a relative path'));
      if (m.subPath.split('/').includes('..')) errs.push(invalid(`${path}.subPath`, m.subPath, "must not contain '..'"));
    }
  });
  return errs;
}

const pullPolicies = ['Always', 'IfNotPresent', 'Never'];
const terminationMessagePolicies = ['File', 'FallbackToLogsOnError'];

/** What every container kind shares (validateContainerCommon). */
function validateContainerCommon(c: Container, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(required(`${path}.name`));
  else errs.push(...invalidEach(`${path}.name`, c.name, isDNS1123Label(c.name)));
  if (!c.image) errs.push(required(`${path}.image`));
  const tmp = c.terminationMessagePolicy;
  if (!tmp) errs.push(required(`${path}.terminationMessagePolicy`));
  else if (!terminationMessagePolicies.includes(tmp)) errs.push(notSupported(`${path}.terminationMessagePolicy`, tmp, terminationMessagePolicies));
  errs.push(...validateContainerPorts(c.ports ?? [], `${path}.ports`));
  errs.push(...validateEnv(c.env ?? [], `${path}.env`));
  errs.push(...validateVolumeMounts(c, volumes, `${path}.volumeMounts`));
  if (!c.imagePullPolicy) errs.push(required(`${path}.imagePullPolicy`));
  else if (!pullPolicies.includes(c.imagePullPolicy)) errs.push(notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy, pullPolicies));
  errs.push(...validateResourceRequirements(c.resources, `${path}.resources`));
  return errs;
}

function validateLifecycleAndProbes(c: Container, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const hook of ['postStart', 'preStop'] as const) {
    const h = c.lifecycle?.[hook];
    if (h) errs.push(...validateHandler(h, `${path}.lifecycle.${hook}`, ['exec', 'httpGet', 'tcpSocket', 'sleep']));
  }
  errs.push(...validateProbe(c.livenessProbe, `${path}.livenessProbe`, 'liveness'));
  errs.push(...validateProbe(c.readinessProbe, `${path}.readinessProbe`, 'readiness'));
  errs.push(...validateProbe(c.startupProbe, `${path}.startupProbe`, 'startup'));
  return errs;
}

/** Host ports must be unique per (hostIP, protocol, port) across all of a pod's containers. */
export function validateHostPortConflicts(containers: Container[], path: string, seen = new Set<string>()): FieldError[] {
  const errs: FieldError[] = [];
  containers.forEach((c, ci) => (c.ports ?? []).forEach((p, pi) => {
    if (!p.hostPort) return;
    const key = `${p.hostIP ?? ''}/${p.protocol ?? ''}/${p.hostPort}`;
    if (seen.has(key)) errs.push(duplicate(`${path}[${ci}].ports[${pi}].hostPort`, key));
    else seen.add(key);
  }));
  return errs;
}

export function validateContainers(containers: Container[] | undefined, volumes: Set<string>, path: string): FieldError[] {
  if (!containers?.length) return [required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const at = `${path}[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, at));
    if (names.has(c.name)) errs.push(duplicate(`${at}.name`, c.name));
    else names.add(c.name);
    errs.push(...validateLifecycleAndProbes(c, at));
    if (c.restartPolicy !== undefined) errs.push(forbidden(`${at}.restartPolicy`, 'may not be set for non-init containers'));
  });
  errs.push(...validateHostPortConflicts(containers, path));
  return errs;
}

/** Init containers: unique also against regular containers; only sidecars (restartPolicy Always) may have probes. */
export function validateInitContainers(inits: Container[] | undefined, regular: Container[], volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(regular.map((c) => c.name));
  (inits ?? []).forEach((c, i) => {
    const at = `${path}[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, at));
    if (names.has(c.name)) errs.push(duplicate(`${at}.name`, c.name));
    else names.add(c.name);
    if (c.restartPolicy === 'Always') {
      errs.push(...validateLifecycleAndProbes(c, at));
      return;
    }
    if (c.restartPolicy !== undefined) errs.push(notSupported(`${at}.restartPolicy`, c.restartPolicy, ['Always']));
    if (c.lifecycle) errs.push(forbidden(`${at}.lifecycle`, 'may not be set for init containers without restartPolicy=Always'));
    if (c.livenessProbe) errs.push(forbidden(`${at}.livenessProbe`, 'may not be set for init containers without restartPolicy=Always'));
    if (c.readinessProbe) errs.push(forbidden(`${at}.readinessProbe`, 'may not be set for init containers without restartPolicy=Always'));
    if (c.startupProbe) errs.push(forbidden(`${at}.startupProbe`, 'may not be set for init containers without restartPolicy=Always'));
  });
  return errs;
}
