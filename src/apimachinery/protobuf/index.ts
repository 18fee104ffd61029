/**
 * @module Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf) decoded to JSON objects.
 */
import { decodeProtobuf, PROTOBUF_MEDIA_TYPE } from './decode.js';

export { decodeProtobuf, PROTOBUF_MEDIA_TYPE };

/** True for `application/vnd.kubernetes.protobuf`, with or without parameters. */
export const isProtobufContentType = (contentType: string | undefined): boolean =>
  (contentType ?? '').split(';')[0].trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
