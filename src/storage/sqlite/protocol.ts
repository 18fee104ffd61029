/**
 * @module Messages between SqliteStore (main thread) and its writer worker. The store posts
 * arrays of requests; the worker answers each commit with one array of outcomes.
 */
import type { KeyValue } from '../store.js';
import type { Row } from './schema.js';

export type WriteRequest =
  | { seq: number; op: 'create'; key: string; value: string }
  | { seq: number; op: 'update'; key: string; value: string; expected: number }
  | { seq: number; op: 'delete'; key: string; expected?: number }
  | { seq: number; op: 'compact'; revision: number };

export type WriteOutcome =
  | { seq: number; row: Row }
  | { seq: number; error: 'exists' | 'notfound' }
  | { seq: number; error: 'conflict'; current: KeyValue }
  | { seq: number; error: 'failed'; message: string }
  | { seq: number; compacted: true };

export type WriterMessage = { ready: true } | { outcomes: WriteOutcome[] };

export interface WriterData { path: string }
