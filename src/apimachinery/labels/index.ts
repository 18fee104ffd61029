/** @module Label selectors: parse, match, convert from metav1.LabelSelector, print. */
export * from './selector.js';
export { parseSelector } from './parse.js';
export { fromLabelSelector, selectorToString, formatLabelSelector } from './label-selector.js';
