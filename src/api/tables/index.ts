/** @module Server-side printing: per-resource columns and the meta.k8s.io/v1 Table. */
export type { ColumnDefinition, TablePrinter, TableRowCondition } from './columns.js';
export { humanDuration, since } from './duration.js';
export { podStatus } from './pods.js';
export { tableFor } from './registry.js';
export { type IncludeObject, type Table, type TableOptions, type TableRow, toTable } from './table.js';
