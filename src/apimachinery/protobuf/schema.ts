/**
 * @module The notation of the protobuf tables: message name → field number → [JSON name, type, kind].
 * Message names drop the Go package prefix: "core.v1.PodSpec", "meta.v1.ObjectMeta", "intstr.IntOrString".
 */

/** Wire scalars; any other type string names a message. */
export type Scalar = 'string' | 'int32' | 'int64' | 'bool' | 'bytes';

/**
 * How Go holds the field: absent = optional pointer (kept even when zero), 'v' = value type (Go always encodes
 * it, omitted here when zero as omitempty would), 'r' = repeated, 'm' = map<string, type> (entries {1 key, 2 value}),
 * 'i' = an embedded struct whose JSON is inline (`json:",inline"`): its fields join the parent's.
 */
export type FieldKind = 'v' | 'r' | 'm' | 'i';

export type FieldSpec = readonly [name: string, type: string, kind?: FieldKind];

export type MessageTable = Readonly<Record<string, Readonly<Record<number, FieldSpec>>>>;

export const scalars: ReadonlySet<string> = new Set<Scalar>(['string', 'int32', 'int64', 'bool', 'bytes']);
