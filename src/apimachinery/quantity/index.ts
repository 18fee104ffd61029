/** @module resource.Quantity for requests, limits, capacity and quota. */
export * from './quantity.js';
