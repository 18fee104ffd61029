/**
 * @module The string-format checks of k8s.io/apimachinery/pkg/util/validation: each returns the list of
 * messages (empty when valid) worded exactly as upstream, so callers wrap them in field errors.
 */
import { isIP } from 'node:net';

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const qnameCharFmt = '[A-Za-z0-9]';
const qualifiedNameFmt = `(${qnameCharFmt}[-A-Za-z0-9_.]*)?${qnameCharFmt}`;
const labelValueFmt = `(${qualifiedNameFmt})?`;
const configMapKeyFmt = '[-._a-zA-Z0-9]+';
const envVarNameFmt = '[-._a-zA-Z][-._a-zA-Z0-9]*';
const percentFmt = '[0-9]+%';
const wildcardSubdomainFmt = `\\*\\.${dns1123SubdomainFmt}`;

const whole = (fmt: string) => new RegExp(`^${fmt}$`);
const dns1123LabelRe = whole(dns1123LabelFmt);
const dns1123SubdomainRe = whole(dns1123SubdomainFmt);
const dns1035LabelRe = whole(dns1035LabelFmt);
const qualifiedNameRe = whole(qualifiedNameFmt);
const labelValueRe = whole(labelValueFmt);
const configMapKeyRe = whole(configMapKeyFmt);
const envVarNameRe = whole(envVarNameFmt);
const percentRe = whole(percentFmt);
const wildcardSubdomainRe = whole(wildcardSubdomainFmt);

export const DNS1123LabelMaxLength = 63;
export const DNS1123SubdomainMaxLength = 253;
export const LabelValueMaxLength = 63;
const qualifiedNameMaxLength = 63;

export const maxLenError = (n: number) => `must be no more than ${n} characters`;
export const emptyError = () => 'must be non-empty';
export const inclusiveRangeError = (lo: number, hi: number) => `must be between ${lo} and ${hi}, inclusive`;

/** RegexError: the message, the examples and the regex, as upstream phrases it. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (!examples.length) return `${msg} (regex used for validation is '${fmt}')`;
  // Upstream appends " or " after "'x', ", so two examples read "'my-name',  or '123-abc'" (two spaces).
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

export function isDNS1123Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > DNS1123LabelMaxLength) errs.push(maxLenError(DNS1123LabelMaxLength));
  if (!dns1123LabelRe.test(v)) {
    // A valid subdomain of legal length that is not a label can only be failing on its dots.
    if (dns1123SubdomainRe.test(v)) errs.push('must not contain dots');
    else errs.push(regexError('a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character', dns1123LabelFmt, 'my-name', '123-abc'));
  }
  return errs;
}

export function isDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > DNS1123SubdomainMaxLength) errs.push(maxLenError(DNS1123SubdomainMaxLength));
  if (!dns1123SubdomainRe.test(v)) {
    errs.push(regexError('a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character', dns1123SubdomainFmt, 'example.com'));
  }
  return errs;
}

export function isDNS1035Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > DNS1123LabelMaxLength) errs.push(maxLenError(DNS1123LabelMaxLength));
  if (!dns1035LabelRe.test(v)) {
    errs.push(regexError('a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character', dns1035LabelFmt, 'my-name', 'abc-123'));
  }
  return errs;
}

export function isWildcardDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > DNS1123SubdomainMaxLength) errs.push(maxLenError(DNS1123SubdomainMaxLength));
  if (!wildcardSubdomainRe.test(v)) {
    errs.push(regexError('a wildcard DNS-1123 subdomain must start with \'*.\', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, \'-\' or \'.\' and end with an alphanumeric character', wildcardSubdomainFmt, '*.example.com'));
  }
  return errs;
}

const qualifiedNameRegexError = () =>
  regexError('must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character', qualifiedNameFmt, 'MyName', 'my.name', '123-abc');

/** A label key, annotation key or finalizer: an optional DNS-subdomain prefix and '/', then a name. */
export function isQualifiedName(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split('/');
  let name: string;
  if (parts.length === 1) name = parts[0];
  else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (!prefix) errs.push(`prefix part ${emptyError()}`);
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [`a qualified name ${qualifiedNameRegexError()} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (!name) errs.push(`name part ${emptyError()}`);
  else if (name.length > qualifiedNameMaxLength) errs.push(`name part ${maxLenError(qualifiedNameMaxLength)}`);
  if (!qualifiedNameRe.test(name)) errs.push(`name part ${qualifiedNameRegexError()}`);
  return errs;
}

export function isValidLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (v.length > LabelValueMaxLength) errs.push(maxLenError(LabelValueMaxLength));
  if (!labelValueRe.test(v)) {
    errs.push(regexError('a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character', labelValueFmt, 'MyValue', 'my_value', '12345'));
  }
  return errs;
}

function chDirPrefix(v: string): string[] {
  if (v === '.') return ['must not be \'.\''];
  if (v === '..') return ['must not be \'..\''];
  if (v.startsWith('..')) return ['must not start with \'..\''];
  return [];
}

/** A ConfigMap or Secret data key (also a projected file name). */
export function isConfigMapKey(v: string): string[] {
  const errs: string[] = [];
  if (v.length > DNS1123SubdomainMaxLength) errs.push(maxLenError(DNS1123SubdomainMaxLength));
  if (!configMapKeyRe.test(v)) {
    errs.push(regexError('a valid config key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'', configMapKeyFmt, 'key.name', 'KEY_NAME', 'key-name'));
  }
  return [...errs, ...chDirPrefix(v)];
}

export function isEnvVarName(v: string): string[] {
  const errs: string[] = [];
  if (!envVarNameRe.test(v)) {
    errs.push(regexError('a valid environment variable name must consist of alphabetic characters, digits, \'_\', \'-\', or \'.\', and must not start with a digit', envVarNameFmt, 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1'));
  }
  return [...errs, ...chDirPrefix(v)];
}

export const isValidPortNum = (p: number): string[] =>
  Number.isInteger(p) && p >= 1 && p <= 65535 ? [] : [inclusiveRangeError(1, 65535)];

/** An IANA_SVC_NAME: at most 15 of [-a-z0-9], with a letter, no '--', no hyphen at either end. */
export function isValidPortName(v: string): string[] {
  const errs: string[] = [];
  if (v.length < 1 || v.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(v)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(v)) errs.push('must contain at least one letter (a-z)');
  if (v.includes('--')) errs.push('must not contain consecutive hyphens');
  if (v.startsWith('-') || v.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

export const isValidPercent = (v: string): string[] =>
  percentRe.test(v) ? [] : [regexError('a valid percent string must be a numeric string followed by an ending \'%\'', percentFmt, '1%', '93%')];

export const isValidIP = (v: string): string[] =>
  isIP(v) ? [] : ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'];

/** Parses "a.b.c.d/n" or "x::/n"; undefined when malformed. */
export function parseCIDR(v: string): { ip: string; bits: number; family: 4 | 6 } | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(v);
  if (!m) return undefined;
  const family = isIP(m[1]);
  const bits = Number(m[2]);
  if (!family || bits > (family === 4 ? 32 : 128)) return undefined;
  return { ip: m[1], bits, family: family as 4 | 6 };
}

export const isValidCIDR = (v: string): string[] =>
  parseCIDR(v) ? [] : ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'];

const pathSegmentPrefixErrors = (v: string) => ['/', '%'].filter((c) => v.includes(c)).map((c) => `may not contain '${c}'`);

/** A name usable as one URL path segment (RBAC object names). */
export const isValidPathSegmentName = (v: string): string[] =>
  v === '.' || v === '..' ? [`may not be '${v}'`] : pathSegmentPrefixErrors(v);

/** A name check as apimachinery's ValidateNameFunc; `prefix` is true for generateName. */
export type NameFn = (name: string, prefix: boolean) => string[];

// A generateName may end in '-' since a random suffix follows it.
const maskTrailingDash = (name: string) => (name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name);

export const nameIsDNSSubdomain: NameFn = (n, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(n) : n);
export const nameIsDNSLabel: NameFn = (n, prefix) => isDNS1123Label(prefix ? maskTrailingDash(n) : n);
export const nameIsDNS1035Label: NameFn = (n, prefix) => isDNS1035Label(prefix ? maskTrailingDash(n) : n);
export const nameIsPathSegment: NameFn = (n, prefix) => (prefix ? pathSegmentPrefixErrors(n) : isValidPathSegmentName(n));
