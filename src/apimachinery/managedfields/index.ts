/**
 * @module managedFields and server-side apply: what the API server's write handlers call.
 */
export { apply, LAST_APPLIED_ANNOTATION, BEFORE_FIRST_APPLY_MANAGER, type ApplyOptions } from './apply.js';
export { updateManagedFields, managerFromUserAgent, type UpdateOptions, type ManagedResult } from './update.js';
export type { ManagedFieldsEntry, Operation } from './managers.js';
export { CAUSE_FIELD_MANAGER_CONFLICT } from './conflict.js';
