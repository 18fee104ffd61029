/** @module Table tests for NodePorts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerPort } from 'kubernetes-types/core/v1.js';
import { makeNode, makePod, runFilter } from '../../testing/builders.js';
import { ErrReason, New } from './node-ports.js';

const withPorts = (node: string | undefined, ...ports: ContainerPort[]) =>
  makePod({ node, spec: { containers: [{ name: 'c', image: 'app', ports }] } });

const cases = [
  { name: 'a pod without host ports always fits', pod: makePod(), existing: [withPorts('n', { containerPort: 80, hostPort: 8080 })], want: '' },
  { name: 'the same host port and protocol conflict', pod: withPorts(undefined, { containerPort: 80, hostPort: 8080 }),
    existing: [withPorts('n', { containerPort: 81, hostPort: 8080 })], want: ErrReason },
  { name: 'another protocol on the same port does not conflict', pod: withPorts(undefined, { containerPort: 53, hostPort: 53, protocol: 'UDP' }),
    existing: [withPorts('n', { containerPort: 53, hostPort: 53 })], want: '' },
  { name: 'two specific IPs do not conflict', pod: withPorts(undefined, { containerPort: 80, hostPort: 80, hostIP: '10.0.0.1' }),
    existing: [withPorts('n', { containerPort: 80, hostPort: 80, hostIP: '10.0.0.2' })], want: '' },
  { name: '0.0.0.0 conflicts with a specific IP', pod: withPorts(undefined, { containerPort: 80, hostPort: 80 }),
    existing: [withPorts('n', { containerPort: 80, hostPort: 80, hostIP: '10.0.0.2' })], want: ErrReason },
  { name: 'a container port without hostPort takes nothing', pod: withPorts(undefined, { containerPort: 80, hostPort: 80 }),
    existing: [withPorts('n', { containerPort: 80 })], want: '' },
];
for (const c of cases) test(c.name, () => assert.deepEqual(runFilter(New, c.pod, [makeNode('n')], c.existing), { n: c.want }));
