/** @module Label and field selectors of a list or watch, as one predicate over objects. */
import type { ResourceType } from '../../api/scheme.js';
import { parseSelector, matches } from '../../apimachinery/labels/index.js';
import { parseFieldSelector, matchesFields } from '../../apimachinery/fields/index.js';
import type { ObjectFilter } from './resource-storage.js';

export function buildFilter(t: ResourceType, labelSelector: string, fieldSelector: string): ObjectFilter | undefined {
  const labels = labelSelector.trim() ? parseSelector(labelSelector) : undefined;
  const fields = fieldSelector.trim() ? parseFieldSelector(t, fieldSelector) : undefined;
  if (!labels && !fields) return undefined;
  return (obj) => (!labels || matches(labels, obj.metadata?.labels)) && (!fields || matchesFields(fields, t, obj));
}
