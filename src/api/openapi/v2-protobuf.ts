/**
 * @module /openapi/v2 as protobuf: the Swagger 2.0 document encoded as gnostic's openapi.v2.Document, which
 * kubectl asks for to validate kinds the server does not serve and for `explain --output plaintext-openapiv2`.
 */
import { stringify as toYAML } from 'yaml';
import { delimited, double, tag, varint } from '../../apimachinery/protobuf/writer.js';
import { buildV2Document } from './v2.js';

/**
 * kubectl 1.32 asks for the `@v1.0` spelling, which Go's mime.ParseMediaType rejects in a Content-Type, so
 * upstream answers both spellings with the dotted one (client-go fails on the other: "unexpected content
 * after media subtype").
 */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const PROTOBUF_TYPES = [OPENAPI_V2_PROTOBUF, 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf'];
const JSON_TYPES = ['application/json', 'application/*', '*/*'];

/** True when the client accepts the protobuf document and not JSON (upstream prefers JSON when both are). */
export function protobufAccepted(accept: string | undefined): boolean {
  const types = (accept ?? '').split(',').map((a) => a.split(';')[0].trim().toLowerCase());
  return !types.some((t) => JSON_TYPES.includes(t)) && types.some((t) => PROTOBUF_TYPES.includes(t));
}

type Obj = Record<string, unknown>;
/** Encodes one JSON value as a message's bytes. */
type Enc = (v: unknown) => Buffer;
/** Writes one JSON value as the record(s) of field `num`; proto3 zero values write nothing. */
type Put = (num: number, v: unknown) => Buffer;
type Table = Record<string, [number, Put]>;

const EMPTY = Buffer.alloc(0);
const str: Put = (n, v) => (v === '' ? EMPTY : delimited(n, Buffer.from(v as string, 'utf8')));
const bool: Put = (n, v) => (v ? Buffer.concat([tag(n, 0), varint(1n)]) : EMPTY);
const int: Put = (n, v) => (v ? Buffer.concat([tag(n, 0), varint(BigInt(v as number))]) : EMPTY);
const dbl: Put = (n, v) => (v ? double(n, v as number) : EMPTY);
const strs: Put = (n, v) => Buffer.concat((v as string[]).map((s) => str(n, s)));
const msg = (enc: Enc): Put => (n, v) => delimited(n, enc(v));
const msgs = (enc: Enc): Put => (n, v) => Buffer.concat((v as unknown[]).map((x) => delimited(n, enc(x))));
/** An ordered map as gnostic's repeated Named* {name = 1, value = 2}. */
const named = (enc: Enc): Put => (n, v) =>
  Buffer.concat(Object.entries(v as Obj).map(([k, x]) => delimited(n, Buffer.concat([str(1, k), delimited(2, enc(x))]))));
/** gnostic's Any {yaml = 2}: the value as YAML text (1.1, as kubectl's YAML reader resolves plain scalars). */
const anyOf: Enc = (v) => delimited(2, Buffer.from(toYAML(v, { version: '1.1' }), 'utf8'));
const any = msg(anyOf);
const anys = msgs(anyOf);

/**
 * A message encoder: known properties by table, `x-*` as NamedAny at `ext` (if the message has them), any other
 * property by `rest` (the Named* map of Paths, Responses, Definitions...), records in field-number order.
 */
function message(table: Table, ext?: number, rest?: [number, Put]): Enc {
  return (v) => {
    const records: [number, Buffer][] = [];
    for (const [k, x] of Object.entries(v as Obj)) {
      const known = Object.hasOwn(table, k);
      const field: [number, Put] | undefined = known ? table[k] : ext && k.startsWith('x-') ? [ext, named(anyOf)] : rest;
      if (!field) throw new Error(`openapi v2 protobuf: no field for property "${k}"`);
      const [n, put] = field;
      if (x !== undefined) records.push([n, known ? put(n, x) : put(n, { [k]: x })]);
    }
    return Buffer.concat(records.sort((a, b) => a[0] - b[0]).map((r) => r[1]));
  };
}
/** A message that is only an ordered map (Definitions, Properties, SecurityDefinitions...). */
const mapOf = (enc: Enc, ext?: number) => message({}, ext, [ext === 1 ? 2 : 1, named(enc)]);

/** The validation keywords shared by PrimitivesItems and the non-body parameters, numbered from `first`. */
function primitives(first: number): Table {
  const puts: [string, Put][] = [['type', str], ['format', str], ['items', msg((v) => primitivesItems(v))],
    ['collectionFormat', str], ['default', any], ['maximum', dbl], ['exclusiveMaximum', bool], ['minimum', dbl],
    ['exclusiveMinimum', bool], ['maxLength', int], ['minLength', int], ['pattern', str], ['maxItems', int],
    ['minItems', int], ['uniqueItems', bool], ['enum', anys], ['multipleOf', dbl]];
  return Object.fromEntries(puts.map(([k, put], i) => [k, [first + i, put]]));
}
const primitivesItems = message(primitives(1), 18);

const schema: Enc = message({
  $ref: [1, str], format: [2, str], title: [3, str], description: [4, str], default: [5, any], multipleOf: [6, dbl],
  maximum: [7, dbl], exclusiveMaximum: [8, bool], minimum: [9, dbl], exclusiveMinimum: [10, bool], maxLength: [11, int],
  minLength: [12, int], pattern: [13, str], maxItems: [14, int], minItems: [15, int], uniqueItems: [16, bool],
  maxProperties: [17, int], minProperties: [18, int], required: [19, strs], enum: [20, anys],
  // AdditionalPropertiesItem: oneof {Schema schema = 1; bool boolean = 2} (a oneof bool is written even when false).
  additionalProperties: [21, msg((v) => (typeof v === 'boolean'
    ? Buffer.concat([tag(2, 0), varint(v ? 1n : 0n)]) : delimited(1, schema(v))))],
  type: [22, msg((v) => strs(1, [v].flat()))], // TypeItem {repeated string value = 1}
  items: [23, msg((v) => msgs((x) => schema(x))(1, [v].flat()))], // ItemsItem {repeated Schema schema = 1}
  allOf: [24, msgs((v) => schema(v))], properties: [25, msg(mapOf((v) => schema(v)))], discriminator: [26, str],
  readOnly: [27, bool], example: [30, any],
}, 31);

const jsonReference = message({ $ref: [1, str], description: [2, str] });
const PARAMETER: Table = { required: [1, bool], in: [2, str], description: [3, str], name: [4, str] };
const bodyParameter = message({ description: [1, str], name: [2, str], in: [3, str], required: [4, bool],
  schema: [5, msg(schema)] }, 6);
const queryOrFormData = message({ ...PARAMETER, allowEmptyValue: [5, bool], ...primitives(6) }, 23);
const headerOrPath = message({ ...PARAMETER, ...primitives(5) }, 22);
/** NonBodyParameter: oneof {header = 1, formData = 2, query = 3, path = 4}. */
const NON_BODY: Record<string, [number, Enc]> = { header: [1, headerOrPath], formData: [2, queryOrFormData],
  query: [3, queryOrFormData], path: [4, headerOrPath] };

/** ParametersItem: oneof {Parameter = 1 (oneof {BodyParameter = 1; NonBodyParameter = 2}); JsonReference = 2}. */
const parametersItem: Enc = (v) => {
  const p = v as Obj;
  if (p.$ref !== undefined) return delimited(2, jsonReference(p));
  if (p.in === 'body') return delimited(1, delimited(1, bodyParameter(p)));
  const [n, enc] = NON_BODY[String(p.in)] ?? [];
  if (!enc) throw new Error(`openapi v2 protobuf: parameter in "${String(p.in)}"`);
  return delimited(1, delimited(2, delimited(n, enc(p))));
};

// Response.schema is a SchemaItem: oneof {Schema schema = 1; FileSchema file_schema = 2}.
const response = message({ description: [1, str], schema: [2, msg((v) => delimited(1, schema(v)))] }, 5);
/** ResponseValue: oneof {Response response = 1; JsonReference json_reference = 2}. */
const responseValue: Enc = (v) => ((v as Obj).$ref !== undefined ? delimited(2, jsonReference(v)) : delimited(1, response(v)));

/** SecurityRequirement {repeated NamedStringArray = 1}; StringArray {repeated string value = 1}. */
const securityRequirement = mapOf((v) => strs(1, v));
const operation = message({ tags: [1, strs], summary: [2, str], description: [3, str], operationId: [5, str],
  produces: [6, strs], consumes: [7, strs], parameters: [8, msgs(parametersItem)],
  responses: [9, msg(message({}, 2, [1, named(responseValue)]))], // Responses {response_code = 1; vendor_extension = 2}
  schemes: [10, strs], deprecated: [11, bool], security: [12, msgs(securityRequirement)] }, 13);
const pathItem = message({ $ref: [1, str], get: [2, msg(operation)], put: [3, msg(operation)], post: [4, msg(operation)],
  delete: [5, msg(operation)], options: [6, msg(operation)], head: [7, msg(operation)], patch: [8, msg(operation)],
  parameters: [9, msgs(parametersItem)] }, 10);

/** SecurityDefinitionsItem: oneof {..., ApiKeySecurity api_key_security = 2, ...}; only API keys are served. */
const apiKeySecurity = message({ type: [1, str], name: [2, str], in: [3, str], description: [4, str] }, 5);
const securityDefinitionsItem: Enc = (v) => {
  if ((v as Obj).type !== 'apiKey') throw new Error(`openapi v2 protobuf: security definition type "${String((v as Obj).type)}"`);
  return delimited(2, apiKeySecurity(v));
};

const info = message({ title: [1, str], version: [2, str], description: [3, str], termsOfService: [4, str] }, 7);
const document = message({
  swagger: [1, str], info: [2, msg(info)], host: [3, str], basePath: [4, str], schemes: [5, strs], consumes: [6, strs],
  produces: [7, strs], paths: [8, msg(mapOf(pathItem, 1))], // Paths {vendor_extension = 1; repeated NamedPathItem path = 2}
  definitions: [9, msg(mapOf(schema))], security: [12, msgs(securityRequirement)],
  securityDefinitions: [13, msg(mapOf(securityDefinitionsItem))],
}, 16);

/** Encodes a Swagger 2.0 document as openapi.v2.Document; throws on a property it has no field for. */
export const encodeOpenAPIv2 = (doc: Obj): Buffer => document(doc);

let bytes: Buffer | undefined;

/** GET /openapi/v2 as protobuf: the bytes, built once. */
export function openapiV2Protobuf(): Buffer {
  bytes ??= encodeOpenAPIv2(buildV2Document());
  return bytes;
}
