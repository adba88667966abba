/**
 * The parts of Render's Blueprint specification (render.com/docs/blueprint-spec,
 * schema at render.com/schema/render.yaml.json) that our render.yaml uses, as a
 * checker that returns every problem found. Unknown keys are problems so a typo
 * (`healthcheckPath`) cannot pass silently: Render would ignore it.
 */

const ROOT_KEYS = new Set(['services', 'databases', 'envVarGroups', 'projects', 'ungrouped', 'previews']);
export const SERVICE_TYPES = new Set(['web', 'pserv', 'worker', 'cron', 'keyvalue', 'redis']);
const RUNTIMES = new Set(['docker', 'image', 'node', 'python', 'ruby', 'go', 'rust', 'elixir', 'static']);
const PLANS = new Set(['free', 'starter', 'standard', 'pro', 'pro plus', 'pro max', 'pro ultra']);
const SERVICE_KEYS = new Set([
  'type', 'name', 'runtime', 'plan', 'region', 'repo', 'branch', 'rootDir', 'buildCommand', 'startCommand',
  'preDeployCommand', 'dockerfilePath', 'dockerContext', 'dockerCommand', 'registryCredential', 'image',
  'healthCheckPath', 'envVars', 'disk', 'numInstances', 'scaling', 'autoDeploy', 'autoDeployTrigger',
  'buildFilter', 'domains', 'maxShutdownDelaySeconds', 'initialDeployHook', 'previews', 'schedule',
  'ipAllowList', 'staticPublishPath', 'headers', 'routes', 'pullRequestPreviewsEnabled', 'buildPlan',
]);
const DISK_KEYS = new Set(['name', 'mountPath', 'sizeGB']);
const DATABASE_KEYS = new Set([
  'name', 'databaseName', 'user', 'plan', 'region', 'postgresMajorVersion', 'ipAllowList', 'diskSizeGB', 'highAvailability',
  'readReplicas', 'previewPlan', 'previewDiskSizeGB',
]);
const FROM_DATABASE_PROPERTIES = new Set(['connectionString', 'host', 'port', 'user', 'password', 'database']);
/** Exactly one of these gives an env var its value. */
const VALUE_SOURCES = ['value', 'generateValue', 'sync', 'fromService', 'fromDatabase'] as const;
const FROM_SERVICE_PROPERTIES = new Set(['host', 'port', 'hostport', 'connectionString']);

export interface EnvVarEntry {
  key: string;
  value?: string;
  generateValue?: boolean;
  sync?: boolean;
  fromService?: { type: string; name: string; envVarKey?: string; property?: string };
  fromDatabase?: { name: string; property: string };
}

export interface RenderService {
  type: string;
  name: string;
  runtime?: string;
  plan?: string;
  dockerfilePath?: string;
  dockerContext?: string;
  dockerCommand?: string;
  healthCheckPath?: string;
  maxShutdownDelaySeconds?: number;
  disk?: { name: string; mountPath: string; sizeGB?: number };
  envVars?: EnvVarEntry[];
  [key: string]: unknown;
}

export interface RenderDatabase {
  name: string;
  plan?: string;
  diskSizeGB?: number;
  [key: string]: unknown;
}

export interface Blueprint {
  services: RenderService[];
  databases?: RenderDatabase[];
}

/** Checks `doc` against the Blueprint fields above; returns problems, empty when valid. */
export function checkBlueprint(doc: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(doc)) return ['render.yaml: top level must be a mapping'];
  for (const key of Object.keys(doc)) if (!ROOT_KEYS.has(key)) problems.push(`(root): unknown key "${key}"`);
  if (!Array.isArray(doc.services) || doc.services.length === 0) return [...problems, '(root): services must be a non-empty list'];
  const services = doc.services as unknown[];
  const names = new Set<string>();
  for (const [i, raw] of services.entries()) {
    const where = `services[${i}]`;
    if (!isObject(raw)) {
      problems.push(`${where}: must be a mapping`);
      continue;
    }
    const name = typeof raw.name === 'string' ? raw.name : '';
    if (!name) problems.push(`${where}: name is required`);
    if (names.has(name)) problems.push(`${where}: duplicate service name "${name}"`);
    names.add(name);
    problems.push(...checkService(raw, name || where));
  }
  const databases = Array.isArray(doc.databases) ? doc.databases : [];
  if (doc.databases !== undefined && !Array.isArray(doc.databases)) problems.push('(root): databases must be a list');
  for (const [i, raw] of databases.entries()) problems.push(...checkDatabase(raw, `databases[${i}]`));
  for (const raw of services) {
    if (isObject(raw)) problems.push(...checkReferences(raw, services.filter(isObject), databases.filter(isObject)));
  }
  return problems;
}

function checkDatabase(d: unknown, where: string): string[] {
  if (!isObject(d)) return [`${where}: must be a mapping`];
  const id = typeof d.name === 'string' && d.name ? d.name : where;
  const p: string[] = [];
  for (const key of Object.keys(d)) if (!DATABASE_KEYS.has(key)) p.push(`${id}: unknown key "${key}"`);
  if (typeof d.name !== 'string' || d.name === '') p.push(`${where}: name is required`);
  if (d.postgresMajorVersion !== undefined && (typeof d.postgresMajorVersion !== 'string' || !/^\d+$/.test(d.postgresMajorVersion))) {
    p.push(`${id}: postgresMajorVersion must be a quoted number ("16")`);
  }
  const size = d.diskSizeGB;
  if (size !== undefined && (typeof size !== 'number' || !Number.isInteger(size) || (size !== 1 && size % 5 !== 0))) p.push(`${id}: diskSizeGB must be 1 or a multiple of 5`);
  if (d.ipAllowList !== undefined && !Array.isArray(d.ipAllowList)) p.push(`${id}: ipAllowList must be a list`);
  return p;
}

function checkService(s: Record<string, unknown>, id: string): string[] {
  const p: string[] = [];
  for (const key of Object.keys(s)) if (!SERVICE_KEYS.has(key)) p.push(`${id}: unknown key "${key}"`);
  const type = String(s.type);
  if (!SERVICE_TYPES.has(type)) p.push(`${id}: type "${type}" is not one of ${[...SERVICE_TYPES].join(', ')}`);
  if (type !== 'keyvalue' && type !== 'redis' && !RUNTIMES.has(String(s.runtime))) p.push(`${id}: runtime "${String(s.runtime)}" is not one of ${[...RUNTIMES].join(', ')}`);
  if (s.plan !== undefined && !PLANS.has(String(s.plan))) p.push(`${id}: plan "${String(s.plan)}" is unknown`);
  if (s.runtime === 'docker') {
    if (typeof s.dockerfilePath !== 'string') p.push(`${id}: a docker service needs dockerfilePath`);
    if (s.buildCommand !== undefined || s.startCommand !== undefined) p.push(`${id}: docker services use dockerCommand, not buildCommand/startCommand`);
  } else if (s.dockerfilePath !== undefined || s.dockerCommand !== undefined || s.dockerContext !== undefined) {
    p.push(`${id}: docker* fields need runtime: docker`);
  }
  if (s.healthCheckPath !== undefined) {
    if (type !== 'web') p.push(`${id}: healthCheckPath is only for web services`);
    if (typeof s.healthCheckPath !== 'string' || !s.healthCheckPath.startsWith('/')) p.push(`${id}: healthCheckPath must be a path starting with /`);
  }
  if (s.maxShutdownDelaySeconds !== undefined) {
    const d = s.maxShutdownDelaySeconds;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > 300) p.push(`${id}: maxShutdownDelaySeconds must be an integer 1..300`);
  }
  if (s.numInstances !== undefined && (typeof s.numInstances !== 'number' || !Number.isInteger(s.numInstances) || s.numInstances < 1)) {
    p.push(`${id}: numInstances must be a whole number >= 1`);
  }
  if (s.disk !== undefined) p.push(...checkDisk(s, id, type));
  if (s.envVars !== undefined) p.push(...checkEnvVars(s.envVars, id));
  return p;
}

function checkDisk(s: Record<string, unknown>, id: string, type: string): string[] {
  const p: string[] = [];
  const disk = s.disk;
  if (!isObject(disk)) return [`${id}: disk must be a mapping`];
  for (const key of Object.keys(disk)) if (!DISK_KEYS.has(key)) p.push(`${id}: disk has unknown key "${key}"`);
  if (typeof disk.name !== 'string' || disk.name === '') p.push(`${id}: disk.name is required`);
  if (typeof disk.mountPath !== 'string' || !disk.mountPath.startsWith('/')) p.push(`${id}: disk.mountPath must be an absolute path`);
  if (disk.sizeGB !== undefined && (typeof disk.sizeGB !== 'number' || !Number.isInteger(disk.sizeGB) || disk.sizeGB < 1)) p.push(`${id}: disk.sizeGB must be a whole number of GB >= 1`);
  if (!['web', 'pserv', 'worker'].includes(type)) p.push(`${id}: disks attach only to web, private and worker services`);
  if (s.plan === undefined || s.plan === 'free') p.push(`${id}: a disk needs a paid plan (set plan: starter or larger)`);
  if ((typeof s.numInstances === 'number' && s.numInstances > 1) || s.scaling !== undefined) p.push(`${id}: a service with a disk cannot scale beyond one instance`);
  return p;
}

function checkEnvVars(list: unknown, id: string): string[] {
  if (!Array.isArray(list)) return [`${id}: envVars must be a list`];
  const p: string[] = [];
  const keys = new Set<string>();
  for (const [i, e] of list.entries()) {
    const where = `${id}.envVars[${i}]`;
    if (!isObject(e)) {
      p.push(`${where}: must be a mapping`);
      continue;
    }
    if ('fromGroup' in e) {
      if (Object.keys(e).length !== 1 || typeof e.fromGroup !== 'string') p.push(`${where}: fromGroup takes a group name and nothing else`);
      continue;
    }
    if (typeof e.key !== 'string' || e.key === '') {
      p.push(`${where}: key is required`);
      continue;
    }
    if (keys.has(e.key)) p.push(`${where}: ${e.key} is declared twice`);
    keys.add(e.key);
    const sources = VALUE_SOURCES.filter((s) => s in e);
    if (sources.length !== 1) p.push(`${where} (${e.key}): needs exactly one of ${VALUE_SOURCES.join(', ')}; has ${sources.join(', ') || 'none'}`);
    const extra = Object.keys(e).filter((k) => k !== 'key' && k !== 'previewValue' && !(VALUE_SOURCES as readonly string[]).includes(k));
    if (extra.length > 0) p.push(`${where} (${e.key}): unknown keys ${extra.join(', ')}`);
    // Quoted on purpose: YAML would read 8000 as a number and `on` as a boolean.
    if ('value' in e && typeof e.value !== 'string') p.push(`${where} (${e.key}): value must be a quoted string`);
    if ('generateValue' in e && e.generateValue !== true) p.push(`${where} (${e.key}): generateValue must be true`);
    if ('sync' in e && e.sync !== false) p.push(`${where} (${e.key}): sync can only be false`);
    if ('fromService' in e) p.push(...checkFromService(e.fromService, `${where} (${e.key})`));
    if ('fromDatabase' in e && !(isObject(e.fromDatabase) && typeof e.fromDatabase.name === 'string' && FROM_DATABASE_PROPERTIES.has(String(e.fromDatabase.property)))) {
      p.push(`${where} (${e.key}): fromDatabase needs name and a property (${[...FROM_DATABASE_PROPERTIES].join(', ')})`);
    }
  }
  return p;
}

function checkFromService(ref: unknown, where: string): string[] {
  if (!isObject(ref)) return [`${where}: fromService must be a mapping`];
  const p: string[] = [];
  if (!SERVICE_TYPES.has(String(ref.type))) p.push(`${where}: fromService.type "${String(ref.type)}" is not a service type`);
  if (typeof ref.name !== 'string') p.push(`${where}: fromService.name is required`);
  const hasKey = typeof ref.envVarKey === 'string';
  const hasProp = typeof ref.property === 'string';
  if (hasKey === hasProp) p.push(`${where}: fromService needs exactly one of envVarKey or property`);
  if (hasProp && !FROM_SERVICE_PROPERTIES.has(String(ref.property))) p.push(`${where}: fromService.property must be one of ${[...FROM_SERVICE_PROPERTIES].join(', ')}`);
  const extra = Object.keys(ref).filter((k) => !['type', 'name', 'envVarKey', 'property'].includes(k));
  if (extra.length > 0) p.push(`${where}: fromService has unknown keys ${extra.join(', ')}`);
  return p;
}

// A reference must name a service of this Blueprint with that type, and an
// envVarKey must be declared there (Render resolves it at deploy time, too late).
function checkReferences(s: Record<string, unknown>, all: Record<string, unknown>[], databases: Record<string, unknown>[]): string[] {
  const p: string[] = [];
  for (const e of Array.isArray(s.envVars) ? s.envVars : []) {
    if (isObject(e) && isObject(e.fromDatabase) && !databases.some((d) => d.name === (e.fromDatabase as Record<string, unknown>).name)) {
      p.push(`${String(s.name)} ${String(e.key)}: fromDatabase names "${String(e.fromDatabase.name)}", which is not in this Blueprint`);
    }
    if (!isObject(e) || !isObject(e.fromService)) continue;
    const ref = e.fromService;
    const target = all.find((t) => t.name === ref.name);
    const where = `${String(s.name)} ${String(e.key)}`;
    if (!target) {
      p.push(`${where}: fromService names "${String(ref.name)}", which is not in this Blueprint`);
      continue;
    }
    if (target.type !== ref.type) p.push(`${where}: fromService says type ${String(ref.type)} but ${String(ref.name)} is ${String(target.type)}`);
    if (typeof ref.envVarKey === 'string') {
      const declared = (Array.isArray(target.envVars) ? target.envVars : []).some((t) => isObject(t) && t.key === ref.envVarKey);
      if (!declared) p.push(`${where}: ${String(ref.name)} does not declare ${ref.envVarKey}`);
    }
  }
  return p;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
