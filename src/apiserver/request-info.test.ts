import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestInfo } from './request-info.js';

const cases: { name: string; method: string; url: string; want: Partial<ReturnType<typeof requestInfo>> }[] = [
  { name: 'a namespaced get names namespace, resource and name', method: 'GET', url: '/api/v1/namespaces/default/pods/web',
    want: { isResourceRequest: true, verb: 'get', namespace: 'default', resource: 'pods', name: 'web', group: '', version: 'v1' } },
  { name: 'a GET without a name is a list', method: 'GET', url: '/apis/apps/v1/namespaces/ns1/deployments',
    want: { verb: 'list', group: 'apps', version: 'v1', namespace: 'ns1', resource: 'deployments', name: '' } },
  { name: 'watch=true turns a list into a watch', method: 'GET', url: '/api/v1/pods?watch=true',
    want: { verb: 'watch', namespace: '', resource: 'pods' } },
  { name: 'the legacy /watch/ prefix is a watch', method: 'GET', url: '/api/v1/watch/namespaces/a/pods',
    want: { verb: 'watch', namespace: 'a', resource: 'pods' } },
  { name: 'a namespace itself is a cluster-scoped resource', method: 'GET', url: '/api/v1/namespaces/kube-system',
    want: { verb: 'get', namespace: '', resource: 'namespaces', name: 'kube-system' } },
  { name: 'namespace status and finalize stay on the namespace', method: 'PUT', url: '/api/v1/namespaces/x/finalize',
    want: { verb: 'update', resource: 'namespaces', name: 'x', subresource: 'finalize' } },
  { name: 'subresources follow the name', method: 'PATCH', url: '/apis/apps/v1/namespaces/a/deployments/d/scale',
    want: { verb: 'patch', resource: 'deployments', name: 'd', subresource: 'scale' } },
  { name: 'DELETE without a name is deletecollection', method: 'DELETE', url: '/api/v1/namespaces/a/configmaps',
    want: { verb: 'deletecollection', resource: 'configmaps' } },
  { name: 'discovery paths are not resource requests', method: 'GET', url: '/apis/apps/v1',
    want: { isResourceRequest: false, group: 'apps', version: 'v1' } },
  { name: 'non-API paths are not resource requests', method: 'GET', url: '/openapi/v3',
    want: { isResourceRequest: false } },
];

for (const c of cases) {
  test(c.name, () => {
    const u = new URL(c.url, 'http://x');
    const got = requestInfo(c.method, u.pathname, u.searchParams);
    for (const [k, v] of Object.entries(c.want)) assert.deepEqual((got as any)[k], v, k);
  });
}
