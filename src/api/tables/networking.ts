/** @module Rows for networking kinds: ingresses, ingress classes, network policies, endpoint slices. */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress, IngressClass, NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { type TablePrinter, ageCol, col, nameCol, selectorCell } from './columns.js';
import { since } from './duration.js';

/** Up to three items, then "+ N more..."; "<unset>" when empty (listWithMoreString). */
function listWithMore(items: string[], max = 3): string {
  if (items.length > max) return `${items.slice(0, max).join(',')} + ${items.length - max} more...`;
  return items.join(',') || '<unset>';
}

function formatHosts(ing: Ingress): string {
  const rules = ing.spec?.rules ?? [];
  const hosts = rules.slice(0, 3).map((r) => r.host).filter((h): h is string => Boolean(h));
  if (hosts.length === 0) return '*';
  return rules.length > 3 ? `${hosts.join(',')} + ${rules.length - 3} more...` : hosts.join(',');
}

export const ingressTable: TablePrinter = {
  columnDefinitions: [
    nameCol(),
    col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    ageCol(),
  ],
  rowCells(ing: Ingress, now) {
    const address = [...new Set((ing.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname).filter(Boolean))].join(',');
    return [ing.metadata?.name, ing.spec?.ingressClassName ?? '<none>', formatHosts(ing), address,
      ing.spec?.tls?.length ? '80, 443' : '80', since(ing.metadata?.creationTimestamp, now)];
  },
};

export const ingressClassTable: TablePrinter = {
  columnDefinitions: [
    nameCol(),
    col('Controller', 'string', 'Controller that is responsible for handling this class'),
    col('Parameters', 'string', 'A reference to a resource with additional parameters'),
    ageCol(),
  ],
  rowCells(ic: IngressClass, now) {
    const p = ic.spec?.parameters;
    const params = p ? `${p.kind}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name}` : '<none>';
    return [ic.metadata?.name, ic.spec?.controller ?? '', params, since(ic.metadata?.creationTimestamp, now)];
  },
};

export const networkPolicyTable: TablePrinter = {
  columnDefinitions: [nameCol(), col('Pod-Selector', 'string', 'podSelector selects the pods to which this NetworkPolicy object applies.'), ageCol()],
  rowCells: (np: NetworkPolicy, now) => [np.metadata?.name, selectorCell(np.spec?.podSelector ?? {}), since(np.metadata?.creationTimestamp, now)],
};

export const endpointSliceTable: TablePrinter = {
  columnDefinitions: [
    nameCol(),
    col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
    col('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
    ageCol(),
  ],
  rowCells(es: EndpointSlice, now) {
    const ports = (es.ports ?? []).map((p) => (p.port != null ? String(p.port) : p.name ?? '*'));
    const addrs = (es.endpoints ?? []).flatMap((e) => e.addresses);
    return [es.metadata?.name, es.addressType, listWithMore(ports), listWithMore(addrs), since(es.metadata?.creationTimestamp, now)];
  },
};
