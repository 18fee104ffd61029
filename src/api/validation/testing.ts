/** @module Test helpers: validate a defaulted object of a served kind and read the errors as kubectl prints them. */
import { fieldErrorMessage } from '../../apimachinery/errors.js';
import { applyDefaults } from '../defaults/index.js';
import { lookupKind, type ResourceType } from '../scheme.js';
import { validate, validateStatusUpdate } from './index.js';

export const typeOf = (apiVersion: string, kind: string): ResourceType => {
  const t = lookupKind(apiVersion, kind);
  if (!t) throw new Error(`${apiVersion} ${kind} is not served`);
  return t;
};

/** Defaults then validates (as the API server does on create, or on update when `old` is given). */
export function errorsOf(apiVersion: string, kind: string, obj: any, old?: any): string[] {
  const t = typeOf(apiVersion, kind);
  applyDefaults(t, obj);
  return validate(t, obj, old).map(fieldErrorMessage);
}

export const statusErrorsOf = (apiVersion: string, kind: string, obj: any, old: any): string[] =>
  validateStatusUpdate(typeOf(apiVersion, kind), obj, old).map(fieldErrorMessage);

export const subdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
export const labelMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
