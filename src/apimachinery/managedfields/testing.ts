/**
 * @module Test fixture: a Deployment schema with the list and patch metadata of the real apps/v1 types.
 */
import type { Schema } from '../../api/openapi/schema-types.js';
import { lookupOf } from '../patch/testing/schemas.js';

const ref = (n: string): Schema => ({ $ref: `#/components/schemas/${n}` });

export const deploymentLookup = lookupOf({
  Deployment: {
    properties: {
      apiVersion: { type: 'string' }, kind: { type: 'string' },
      metadata: { allOf: [ref('ObjectMeta')], default: {} },
      spec: { allOf: [ref('DeploymentSpec')], default: {} },
      status: { type: 'object', properties: { replicas: { type: 'integer' } } },
    },
  },
  ObjectMeta: {
    properties: {
      name: { type: 'string' }, namespace: { type: 'string' }, resourceVersion: { type: 'string' },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      annotations: { type: 'object', additionalProperties: { type: 'string' } },
      finalizers: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
      managedFields: { type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'atomic' },
    },
  },
  DeploymentSpec: {
    properties: {
      replicas: { type: 'integer' },
      selector: { allOf: [ref('LabelSelector')] },
      template: { properties: { metadata: { allOf: [ref('ObjectMeta')] }, spec: ref('PodSpec') } },
    },
  },
  LabelSelector: {
    properties: { matchLabels: { type: 'object', additionalProperties: { type: 'string' } } },
    'x-kubernetes-map-type': 'atomic',
  },
  PodSpec: {
    properties: {
      containers: {
        type: 'array', items: ref('Container'),
        'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge',
      },
      tolerations: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' } } }, 'x-kubernetes-list-type': 'atomic' },
    },
  },
  Container: {
    properties: {
      name: { type: 'string' }, image: { type: 'string' },
      args: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic' },
      ports: {
        type: 'array', items: ref('ContainerPort'),
        'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
        'x-kubernetes-patch-merge-key': 'containerPort', 'x-kubernetes-patch-strategy': 'merge',
      },
      resources: { type: 'object', properties: { limits: { type: 'object', additionalProperties: { type: 'string' } } } },
    },
  },
  ContainerPort: { properties: { containerPort: { type: 'integer' }, protocol: { type: 'string', default: 'TCP' } } },
}, { 'apps/v1|Deployment': 'Deployment' });
