export * from './alerting';
export * from './defaults';
export * from './load';
export * from './runtime';
export type * from './types';
export { CONFIG_SCHEMA_FILE, configJsonSchema, configJsonSchemaText } from './schema';
