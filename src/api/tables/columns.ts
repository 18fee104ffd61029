/**
 * @module Shapes of a meta.k8s.io/v1 Table and the helpers every printer shares: column
 * constructors, the NAME and AGE columns, and the container/image/selector cells.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { formatLabelSelector } from '../../apimachinery/labels/index.js';

export interface ColumnDefinition {
  name: string;
  /** OpenAPI type of the cells: string, integer, number, boolean or date. */
  type: string;
  /** "name" marks the column holding the object's name. */
  format: string;
  description: string;
  /** 0 is always shown; 1 only with `-o wide`. */
  priority: number;
}

export interface TableRowCondition { type: string; status: string; reason?: string; message?: string }

/** How one resource prints: the column definitions and the cells of one object's row. */
export interface TablePrinter {
  columnDefinitions: ColumnDefinition[];
  rowCells(obj: any, now: Date): unknown[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Row conditions; pods report Completed when they succeeded or failed. */
  rowConditions?(obj: any): TableRowCondition[] | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
}

// The two ObjectMeta descriptions are the swagger docs upstream copies into its columns.
export const nameDescription = 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const creationTimestampDescription = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const col = (name: string, type: string, description: string, priority = 0): ColumnDefinition =>
  ({ name, type, format: '', description, priority });
export const wide = (name: string, type: string, description: string) => col(name, type, description, 1);
export const nameCol = (): ColumnDefinition => ({ name: 'Name', type: 'string', format: 'name', description: nameDescription, priority: 0 });
export const ageCol = () => col('Age', 'string', creationTimestampDescription);

export const containersCol = () => wide('Containers', 'string', 'Names of each container in the template.');
export const imagesCol = () => wide('Images', 'string', 'Images referenced by each container in the template.');

/** layoutContainerCells: names and images, comma-joined. */
export function containerCells(containers: { name?: string; image?: string }[] | undefined): [string, string] {
  const cs = containers ?? [];
  return [cs.map((c) => c.name ?? '').join(','), cs.map((c) => c.image ?? '').join(',')];
}

export const selectorCell = (ls: LabelSelector | null | undefined) => formatLabelSelector(ls);
export const orNone = (s: string | undefined | null) => (s ? s : '<none>');
export const int = (n: unknown) => (typeof n === 'number' ? n : 0);
export const printBool = (b: boolean) => (b ? 'True' : 'False');
