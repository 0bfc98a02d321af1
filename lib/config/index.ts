export * from './alerting';
export * from './defaults';
export * from './load';
export * from './runtime';
export type * from './types';
