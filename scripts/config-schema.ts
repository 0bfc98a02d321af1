/**
 * Writes hookguard.schema.json, the JSON Schema of hookguard.config.json, from the zod schema the loader validates
 * with (lib/config/schema.ts). Editors read it through the config's `$schema` key. A jest test fails when the
 * checked-in file is stale.
 *
 * Run: npm run config:schema
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_SCHEMA_FILE, configJsonSchemaText } from '../lib/config/schema';

const target = join(__dirname, '..', CONFIG_SCHEMA_FILE);
writeFileSync(target, configJsonSchemaText());
console.log(`wrote ${CONFIG_SCHEMA_FILE}`);
