/**
 * Loads and validates the configuration file. The shape of every setting is checked by the zod schema in
 * `schema.ts`; the rules that tie settings together are the code below. Every problem is collected and reported at
 * once, each with the path where the user wrote the offending value (a mistake in `shared` once at `shared...`, not
 * once per stage), so one run tells the user everything to fix.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { managedAccountProblems, withManagedDefaults } from '../../lambda/core/managed-accounts';
import { PROVIDER_IDS, type ProviderId } from '../../lambda/core/provider-ids';
import { MANAGEMENT_MODULES } from '../../lambda/management';
import { ALERTING_KEYS, readAlerting } from './alerting';
import { DEFAULT_CONFIG_FILE } from './defaults';
import { jsonSyntaxError } from './json-syntax';
import { fileSchema, isStageName, show, type StageBlock, stageSchema } from './schema';
import type { HookguardConfig, ProviderConfig, StageConfig } from './types';

export { cidrProblem } from './cidr';

/** One thing wrong with the configuration. */
export interface ConfigProblem {
  /** Where, e.g. `stages.prod.providers.sendgrid.allowedCidrs[1]` or `shared.waf.rateLimit`. */
  readonly path: string;
  readonly message: string;
}

/**
 * The configuration is invalid; `problems` lists every problem found. The message is the list a person reads:
 * a header line, then one `  - path: problem` line each.
 */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `Invalid Hookguard configuration (${source}): ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` +
        problems.map((problem) => `  - ${problem.path}: ${problem.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

type Json = Record<string, unknown>;
type Path = readonly PropertyKey[];

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `stages.dev.providers.sendgrid.allowedCidrs[1]`: dots between keys, brackets around list indexes. */
function formatPath(path: Path): string {
  if (path.length === 0) return '(root)';
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/** How many leading keys of `path` exist in `value`. */
function depthIn(value: unknown, path: Path): number {
  let node = value;
  for (const [index, key] of path.entries()) {
    const present =
      typeof key === 'number' ? Array.isArray(node) && key < node.length : isObject(node) && Object.hasOwn(node, key);
    if (!present) return index;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return path.length;
}

/** Whether a stage path is under one of the alerting keys of `monitoring` (alerting.ts reads those). */
const isAlertingPath = (path: Path): boolean =>
  path[0] === 'monitoring' && (ALERTING_KEYS as readonly PropertyKey[]).includes(path[1] as PropertyKey);

/** `.alarms.forgery.threshold` or `.alarmEmails[0]` (alerting.ts's relative paths) as keys. */
const pathFromText = (text: string): Path =>
  [...text.matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)].map((match) =>
    match[2] === undefined ? (match[1] as string) : Number(match[2]),
  );

/** Recursively merges `override` over `base`: objects merge key by key; anything else (lists too) replaces. */
function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isObject(base) || !isObject(override)) return override;
  const merged: Json = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = deepMerge(base[key], value);
  return merged;
}

/**
 * The order in which a reader meets each path of a document (depth first, keys as written), so that problems are
 * listed in the order of the file.
 */
function documentOrder(document: unknown): (path: Path) => number {
  const order = new Map<string, number>();
  const walk = (node: unknown, path: PropertyKey[]) => {
    order.set(formatPath(path), order.size);
    if (Array.isArray(node)) node.forEach((item, index) => walk(item, [...path, index]));
    else if (isObject(node)) for (const [key, value] of Object.entries(node)) walk(value, [...path, key]);
  };
  walk(document, []);
  // A path that is not in the file (a setting left out) sorts with the deepest part of it that is.
  return (path) => {
    for (let length = path.length; length >= 0; length -= 1) {
      const found = order.get(formatPath(path.slice(0, length)));
      if (found !== undefined) return found;
    }
    return 0;
  };
}

/** Collects problems, each once. */
class Problems {
  private readonly found = new Map<string, { readonly at: Path; readonly problem: ConfigProblem }>();

  add(path: Path, message: string): void {
    const problem = { path: formatPath(path), message };
    this.found.set(`${problem.path}\n${message}`, { at: path, problem });
  }

  addIssues(issues: readonly z.core.$ZodIssue[], locate: (path: Path) => Path): void {
    for (const issue of issues) {
      if (isAlertingPath(issue.path)) continue; // reported by readAlerting, with its own wording
      // One unknown-keys issue names several keys: report each at its own path, where the user can find it.
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) this.add(locate([...issue.path, key]), issue.message);
      } else this.add(locate(issue.path), issue.message);
    }
  }

  /** The problems in the order of the file they were found in. */
  inOrderOf(document: unknown): ConfigProblem[] {
    const rank = documentOrder(document);
    return [...this.found.values()]
      .map((entry) => ({ ...entry, rank: rank(entry.at) }))
      .sort((a, b) => a.rank - b.rank || a.problem.path.localeCompare(b.problem.path, 'en', { numeric: true }))
      .map((entry) => entry.problem);
  }
}

/**
 * Removes what an issue points at (or the nearest thing above it that exists, and a whole list rather than one of
 * its items) so that the rest of a stage can still be resolved and its cross-field rules checked.
 */
function prune(value: Json, path: Path): boolean {
  const listAt = path.findIndex((key) => typeof key === 'number');
  const target = path.slice(0, Math.min(listAt === -1 ? path.length : listAt, Math.max(depthIn(value, path), 1)));
  if (target.length === 0) return false;
  let node: unknown = value;
  for (const key of target.slice(0, -1)) node = (node as Json)[key as string];
  if (!isObject(node)) return false;
  return delete node[target.at(-1) as string];
}

/** Parses a stage block, dropping what is invalid so that the remainder resolves (problems already reported). */
function parseLeniently(merged: Json): StageBlock | undefined {
  const working = structuredClone(merged);
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const result = stageSchema.safeParse(working);
    if (result.success) return result.data;
    if (!result.error.issues.some((issue) => prune(working, issue.path))) return undefined;
  }
  return undefined;
}

/**
 * The rules that involve more than one setting, over a stage whose settings each passed the schema. `written`
 * says whether the user wrote a value at a path (a pruned invalid value counts as written: it was reported already).
 */
function crossFieldRules(
  block: StageBlock,
  writtenProviders: readonly string[],
  written: (path: Path) => boolean,
  problem: (path: Path, message: string) => void,
) {
  const providers = block.providers as Partial<Record<ProviderId, StageBlock['providers'][ProviderId]>>;
  const windowSeconds = block.dedupe.windowHours * 3600;
  for (const id of PROVIDER_IDS) {
    const config = providers[id];
    if (config === undefined || config.enabled === false) continue;
    const at = (key: string): Path => ['providers', id, key];
    if (config.timestampToleranceSeconds !== undefined && config.timestampToleranceSeconds > windowSeconds) {
      // Dedupe must cover every replay the tolerance lets through.
      problem(
        at('timestampToleranceSeconds'),
        `must be a whole number from 0 to ${windowSeconds} (the dedupe window), ` +
          `got ${config.timestampToleranceSeconds}`,
      );
    }
    if (id === 'amazon-ses' && !written(at('snsTopicArns'))) {
      problem(at('snsTopicArns'), 'is required: list the SNS topics allowed to deliver SES events');
    }
    if (id === 'mandrill' && config.auth !== 'basic' && !written(at('signedUrl'))) {
      problem(at('signedUrl'), 'is required: the webhook URL exactly as entered at Mandrill, without credentials');
    }
    if (config.managed !== undefined) {
      // Provider sync: the registry decides which providers can be managed and which options they need.
      const context = { snsTopicArns: config.snsTopicArns };
      for (const found of managedAccountProblems(id, config.managed, MANAGEMENT_MODULES, context)) {
        problem(found.key === undefined ? at('managed') : [...at('managed'), found.key], found.message);
      }
    }
  }
  // Counted as written, a misspelt provider is reported once, as unknown, not also as "no provider".
  if (!writtenProviders.some((id) => (providers as Record<string, { enabled?: boolean }>)[id]?.enabled !== false)) {
    problem(['providers'], 'enable at least one provider');
  }
  const maxGraceHours = block.auth.rotationDays * 24;
  if (block.auth.gracePeriodHours > maxGraceHours) {
    problem(
      ['auth', 'gracePeriodHours'],
      `must be a whole number from 0 to ${maxGraceHours} (the rotation interval), got ${block.auth.gracePeriodHours}`,
    );
  }
  const { tracing } = block.monitoring;
  if (tracing.reservoirPerSecond === 0 && tracing.fixedRate === 0) {
    problem(
      ['monitoring', 'tracing'],
      'reservoirPerSecond 0 and fixedRate 0 would trace nothing; tracing stays on: set either above 0',
    );
  }
  const names = new Set<string>();
  block.events.routes.forEach((route, index) => {
    if (names.has(route.name)) {
      problem(['events', 'routes', index, 'name'], `duplicates another route: ${show(route.name)}`);
    }
    names.add(route.name);
  });
  const domain = block.customDomain;
  if (domain && (domain.hostedZoneId === undefined) !== (domain.hostedZoneName === undefined)) {
    problem(['customDomain'], 'hostedZoneId and hostedZoneName go together');
  }
}

/** The resolved configuration of one stage, from its block with every default applied. */
function toStageConfig(stage: string, block: StageBlock, alerting: StageConfig['alerting']): StageConfig {
  const providers: Partial<Record<ProviderId, ProviderConfig>> = {};
  for (const [id, settings] of Object.entries(block.providers) as [ProviderId, StageBlock['providers'][ProviderId]][]) {
    if (settings === undefined) continue;
    const { enabled, rateLimit, managed, ...rest } = settings;
    if (enabled === false) continue;
    providers[id] = {
      ...rest,
      rateLimit: rateLimit ?? block.waf.rateLimit,
      ...(managed ? { managed: withManagedDefaults(id, managed, { snsTopicArns: rest.snsTopicArns }) } : {}),
    };
  }
  const { env, customDomain, monitoring, ...sections } = block;
  return {
    stage,
    ...sections,
    providers,
    monitoring: { detailedMetrics: monitoring.detailedMetrics, tracing: monitoring.tracing },
    alerting,
    ...(env ? { env } : {}),
    ...(customDomain ? { customDomain } : {}),
  };
}

/**
 * Validates a parsed configuration document and resolves every stage (defaults, then `shared`, then the stage).
 *
 * @param raw the parsed JSON document.
 * @param source where it came from, for the error message.
 * @throws ConfigError listing every problem once, each with the path where it was written and the offending value.
 * @example
 * const config = parseConfig({ stages: { dev: { providers: { sendgrid: {} } } } });
 * config.stages.dev.providers.sendgrid?.auth; // 'both'
 */
export function parseConfig(raw: unknown, source = DEFAULT_CONFIG_FILE): HookguardConfig {
  if (!isObject(raw)) {
    throw new ConfigError(source, [{ path: '(root)', message: `must be a JSON object, got ${show(raw)}` }]);
  }
  const problems = new Problems();
  const file = fileSchema.safeParse(raw);
  if (!file.success) problems.addIssues(file.error.issues, (path) => path);
  const shared = isObject(raw.shared) ? raw.shared : {};
  const stagesRaw = isObject(raw.stages) ? raw.stages : {};
  const stages: Record<string, StageConfig> = {};
  for (const [name, stageRaw] of Object.entries(stagesRaw)) {
    if (!isStageName(name)) continue; // already reported
    if (!isObject(stageRaw)) {
      problems.add(['stages', name], `must be an object, got ${show(stageRaw)}`);
      continue;
    }
    const merged = deepMerge(shared, stageRaw) as Json;
    // A problem belongs where its value was written: the stage if it wrote (more of) the path, else `shared`.
    const locate = (path: Path): Path =>
      depthIn(shared, path) > depthIn(stageRaw, path) ? ['shared', ...path] : ['stages', name, ...path];
    const result = stageSchema.safeParse(merged);
    if (!result.success) problems.addIssues(result.error.issues, locate);
    const alerting = readAlerting(isObject(merged.monitoring) ? merged.monitoring : {}, name);
    for (const found of alerting.problems) {
      problems.add(locate(['monitoring', ...pathFromText(found.path)]), found.message);
    }
    const block = result.success ? result.data : parseLeniently(merged);
    if (block === undefined) continue;
    crossFieldRules(
      block,
      isObject(merged.providers) ? Object.keys(merged.providers) : [],
      (path) => depthIn(merged, path) === path.length,
      (path, message) => problems.add(locate(path), message),
    );
    stages[name] = toStageConfig(name, block, alerting.value);
  }
  const found = problems.inOrderOf(raw);
  if (found.length > 0) throw new ConfigError(source, found);
  return { stages };
}

/**
 * Reads and validates a configuration file.
 *
 * @param path the JSON file; default `hookguard.config.json` in the working directory.
 * @throws ConfigError when the file is missing, not JSON (with the line and column), or invalid (every problem).
 */
export function loadConfig(path: string = DEFAULT_CONFIG_FILE): HookguardConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'file not readable';
    throw new ConfigError(path, [{ path: '(file)', message: reason }]);
  }
  // Some editors on Windows save a byte-order mark, which JSON.parse refuses.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const where = jsonSyntaxError(text);
    const message = where
      ? `not valid JSON at line ${where.line}, column ${where.column}: ${where.message}`
      : `not valid JSON: ${(error as Error).message}`;
    throw new ConfigError(path, [{ path: '(file)', message }]);
  }
  return parseConfig(raw, path);
}

/**
 * The configuration of one stage.
 *
 * @throws ConfigError when the stage does not exist (naming the ones that do).
 */
export function stageOf(config: HookguardConfig, stage: string, source = DEFAULT_CONFIG_FILE): StageConfig {
  const found = config.stages[stage];
  if (found === undefined) {
    throw new ConfigError(source, [
      { path: `stages.${stage}`, message: `no such stage (defined: ${Object.keys(config.stages).join(', ')})` },
    ]);
  }
  return found;
}
