/** @module Tests for the name and format checks: upstream's exact messages. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isConfigMapKey, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidCIDR,
  isValidLabelValue, isValidPortName, isValidPortNum, nameIsDNSSubdomain, nameIsPathSegment,
} from './names.js';

const subdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const qualifiedMsg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

const cases: { name: string; got: () => string[]; want: string[] }[] = [
  { name: 'an upper-case name is not a DNS subdomain', got: () => isDNS1123Subdomain('Foo'), want: [subdomainMsg] },
  { name: 'a dotted name is a DNS subdomain', got: () => isDNS1123Subdomain('a.b-c'), want: [] },
  { name: 'a 254-character name is too long for a subdomain', got: () => isDNS1123Subdomain('a'.repeat(254)), want: ['must be no more than 253 characters'] },
  { name: 'a dotted name is told it must not contain dots as a label', got: () => isDNS1123Label('a.b'), want: ['must not contain dots'] },
  { name: 'an underscore is not allowed in a DNS label', got: () => isDNS1123Label('a_b'), want: [labelMsg] },
  { name: 'a DNS-1035 label cannot start with a digit', got: () => isDNS1035Label('1abc'), want: ["a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"] },
  { name: 'a prefixed qualified name is valid', got: () => isQualifiedName('example.com/My_Name'), want: [] },
  { name: 'a qualified name with an empty prefix is reported', got: () => isQualifiedName('/name'), want: ['prefix part must be non-empty'] },
  { name: 'a qualified name ending in a dash is reported on its name part', got: () => isQualifiedName('name-'), want: [qualifiedMsg] },
  { name: 'a label value may be empty', got: () => isValidLabelValue(''), want: [] },
  { name: 'a 64-character label value is too long', got: () => isValidLabelValue('a'.repeat(64)), want: ['must be no more than 63 characters'] },
  { name: 'a config key may not start with two dots', got: () => isConfigMapKey('..a'), want: ["must not start with '..'"] },
  { name: 'port 0 is out of range', got: () => isValidPortNum(0), want: ['must be between 1 and 65535, inclusive'] },
  { name: 'a port name needs a letter', got: () => isValidPortName('8080'), want: ['must contain at least one letter (a-z)'] },
  { name: 'a port name longer than 15 characters is reported', got: () => isValidPortName('a'.repeat(16)), want: ['must be no more than 15 characters'] },
  { name: 'a CIDR needs a prefix length', got: () => isValidCIDR('10.0.0.0'), want: ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'] },
  { name: 'a generateName may end with a dash', got: () => nameIsDNSSubdomain('web-', true), want: [] },
  { name: 'a path-segment name may not contain a slash', got: () => nameIsPathSegment('a/b', false), want: ["may not contain '/'"] },
];
for (const c of cases) test(c.name, () => assert.deepEqual(c.got(), c.want));
