/** @module errors.HasStatusCause(err, NamespaceTerminatingCause): a create refused because its namespace is being deleted. */

/** v1.NamespaceTerminatingCause. */
export const NamespaceTerminatingCause = 'NamespaceTerminating';

/** The cause as upstream sets it, or NamespaceLifecycle's Forbidden message (which this server sends without the cause). */
export function isNamespaceTerminating(e: unknown): boolean {
  const status = (e as { status?: { reason?: string; message?: string; details?: { causes?: { type?: string }[] } } })?.status;
  if (status?.details?.causes?.some((c) => c.type === NamespaceTerminatingCause)) return true;
  return status?.reason === 'Forbidden' && /because it is being terminated$/.test(status.message ?? '');
}
