/**
 * @module A pod's hostname and domain (the kubelet's GeneratePodHostNameAndDomain and
 * GetNodenameForKernel): spec.hostname or the pod name cut to 63 characters, and
 * `<subdomain>.<namespace>.svc.<clusterDomain>` when spec.subdomain is set.
 */
import type { Obj } from '../../client/client.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const isLabel = (s: string) => s.length <= 63 && DNS1123_LABEL.test(s);

/** Throws Error when spec.hostname or spec.subdomain is not a DNS label. */
export function podHostnameAndDomain(pod: Obj, clusterDomain: string): { hostname: string; domain: string } {
  const name = String(pod.metadata?.name ?? '');
  const spec = pod.spec ?? {};
  let hostname = name;
  if (spec.hostname) {
    if (!isLabel(spec.hostname)) throw new Error(`pod Hostname "${spec.hostname}" is not a valid DNS label`);
    hostname = spec.hostname;
  }
  if (hostname.length > 63) {
    const cut = hostname.slice(0, 63).replace(/[-.]+$/, '');
    if (!cut) throw new Error(`hostname for pod "${name}" was invalid: "${hostname}"`);
    hostname = cut;
  }
  let domain = '';
  if (spec.subdomain) {
    if (!isLabel(spec.subdomain)) throw new Error(`pod Subdomain "${spec.subdomain}" is not a valid DNS label`);
    domain = `${spec.subdomain}.${pod.metadata?.namespace}.svc.${clusterDomain}`;
  }
  return { hostname, domain };
}

/** The name the kernel gets: the FQDN when setHostnameAsFQDN (at most 64 characters), else the hostname. */
export function kernelHostname(pod: Obj, clusterDomain: string): string {
  const { hostname, domain } = podHostnameAndDomain(pod, clusterDomain);
  if (!domain || pod.spec?.setHostnameAsFQDN !== true) return hostname;
  const fqdn = `${hostname}.${domain}`;
  if (fqdn.length > 64) {
    throw new Error(`failed to construct FQDN from pod hostname and cluster domain, FQDN ${fqdn} is too long (64 characters is the max, ${fqdn.length} characters requested)`);
  }
  return fqdn;
}
