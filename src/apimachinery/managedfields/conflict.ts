/**
 * @module The 409 an apply gets when it would change fields other managers own, worded as
 * k8s.io/apimachinery/pkg/util/managedfields/internal/conflict.go.
 */
import { StatusError } from '../errors.js';
import { pathString, type FieldSet } from './fieldpath.js';
import { printManager, type Manager } from './managers.js';

export const CAUSE_FIELD_MANAGER_CONFLICT = 'FieldManagerConflict';

/** `conflicts` maps a manager id to the fields of that manager the apply would change. */
export function newApplyConflict(conflicts: Map<string, FieldSet>, managers: Map<string, Manager>): StatusError {
  const ids = [...conflicts.keys()].sort();
  const list = ids.flatMap((id) =>
    conflicts.get(id)!.paths().map((p) => ({ who: printManager(managers.get(id)!), path: pathString(p) })));
  let message: string;
  if (list.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${list[0].who}: ${list[0].path}`;
  } else {
    const lines = ids.flatMap((id) => [
      `conflicts with ${printManager(managers.get(id)!)}:`,
      ...conflicts.get(id)!.paths().map((p) => `- ${pathString(p)}`),
    ]);
    message = `Apply failed with ${list.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 409, reason: 'Conflict', message,
    details: {
      causes: list.map((c) => ({ reason: CAUSE_FIELD_MANAGER_CONFLICT, message: `conflict with ${c.who}`, field: c.path })),
    },
  });
}
