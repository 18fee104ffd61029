/**
 * @module Builds the meta.k8s.io/v1 Table that `kubectl get` asks for
 * (Accept: application/json;as=Table;v=v1;g=meta.k8s.io).
 */
import type { ResourceType } from '../scheme.js';
import type { ColumnDefinition, TableRowCondition } from './columns.js';
import { tableFor } from './registry.js';

/**
 * What each row carries in `object`. The server defaults to Metadata (a PartialObjectMetadata);
 * kubectl asks for Object only with --sort-by, and None drops it.
 */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object: Record<string, unknown> | null;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: Record<string, unknown>;
  columnDefinitions: ColumnDefinition[];
  rows: TableRow[];
}

export interface TableOptions {
  includeObject: IncludeObject;
  /** The clock for AGE cells. */
  now: Date;
  resourceVersion?: string;
}

/** events.k8s.io/v1 fields under their core/v1 names, so one printer serves both APIs. */
function asCoreEvent(ev: any): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    ...ev,
    involvedObject: ev.regarding ?? {},
    message: ev.note,
    source: ev.deprecatedSource,
    firstTimestamp: ev.deprecatedFirstTimestamp,
    lastTimestamp: ev.deprecatedLastTimestamp,
    count: ev.deprecatedCount,
    reportingComponent: ev.reportingController,
  };
}

function rowObject(obj: any, include: IncludeObject): Record<string, unknown> | null { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (include === 'Object') return obj;
  if (include === 'None') return null;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj?.metadata ?? {} };
}

/** One Table for a list (or a single object, or one watch event's object) of the resource. */
export function toTable(t: ResourceType, objs: readonly any[], opts: TableOptions): Table { // eslint-disable-line @typescript-eslint/no-explicit-any
  const printer = tableFor(t);
  const isEventsV1 = t.group === 'events.k8s.io';
  const rows = objs.map((obj): TableRow => {
    const printed = isEventsV1 ? asCoreEvent(obj) : obj;
    const row: TableRow = { cells: printer.rowCells(printed, opts.now), object: rowObject(obj, opts.includeObject) };
    const conditions = printer.rowConditions?.(printed);
    if (conditions) row.conditions = conditions;
    return row;
  });
  const metadata: Record<string, unknown> = {};
  if (opts.resourceVersion !== undefined) metadata.resourceVersion = opts.resourceVersion;
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: printer.columnDefinitions, rows };
}
