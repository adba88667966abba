import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { AWS_SDK_ENV, CLOUD_ENV, loadCloudConfig } from '#shared/config/cloud-config.js';
import { generateSigningKeyPair } from '#shared/manifest/keys.js';
import { findEnvReads, reachableFiles, sourceFiles } from './env-reads.js';
import { signingSetup } from '../../cloud/src/models/signing-role.js';
import { checkBlueprint, type Blueprint, type EnvVarEntry, type RenderService } from './render-spec.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const blueprintText = readFileSync(join(REPO, 'render.yaml'), 'utf8');
const blueprint = YAML.parse(blueprintText) as Blueprint;
/** The single-instance layout (SQLite on the API's disk) for small deployments. */
const single = YAML.parse(readFileSync(join(REPO, 'deploy/render-single.yaml'), 'utf8')) as Blueprint;
const dockerfile = DockerfileParser.parse(readFileSync(join(REPO, 'deploy/Dockerfile'), 'utf8'));

/** Variables Render sets on every service itself (render.com/docs/environment-variables). */
const RENDER_PROVIDED = ['RENDER', 'RENDER_SERVICE_ID', 'RENDER_SERVICE_NAME', 'RENDER_SERVICE_TYPE', 'RENDER_EXTERNAL_HOSTNAME',
  'RENDER_EXTERNAL_URL', 'RENDER_GIT_BRANCH', 'RENDER_GIT_COMMIT', 'RENDER_GIT_REPO_SLUG', 'RENDER_INSTANCE_ID', 'RENDER_DISCOVERY_SERVICE', 'IS_PULL_REQUEST'];

function service(name: string, doc: Blueprint = blueprint): RenderService {
  const s = doc.services.find((x) => x.name === name);
  if (!s) throw new Error(`render.yaml has no service ${name}`);
  return s;
}

function envEntry(s: RenderService, key: string): EnvVarEntry | undefined {
  return s.envVars?.find((e) => e.key === key);
}

/** ENV set by the image itself: declared for every service that runs it. */
function dockerfileEnv(): Set<string> {
  const runtime = dockerfile.getFROMs().at(-1);
  const names = new Set<string>();
  for (const env of dockerfile.getENVs()) {
    if (runtime && env.getRange().start.line < runtime.getRange().start.line) continue;
    for (const p of env.getProperties()) names.add(p.getName());
  }
  return names;
}

/** Names the cloud reads: its config table, the AWS SDK's, and literal reads in code it loads. */
function cloudEnvReads(): Map<string, string[]> {
  const reads = new Map<string, string[]>();
  for (const name of Object.keys(CLOUD_ENV)) reads.set(name, ['shared/src/config/cloud-config.ts (CLOUD_ENV)']);
  for (const name of AWS_SDK_ENV) reads.set(name, ['shared/src/config/cloud-config.ts (AWS_SDK_ENV)']);
  const files = reachableFiles(sourceFiles(join(REPO, 'cloud/src')));
  for (const [name, where] of findEnvReads(files, REPO)) reads.set(name, [...(reads.get(name) ?? []), ...where]);
  return reads;
}

describe('render.yaml against the Blueprint specification', () => {
  it('uses only documented fields, each well formed, with references that resolve (both layouts)', () => {
    expect(checkBlueprint(blueprint)).toEqual([]);
    expect(checkBlueprint(single)).toEqual([]);
  });

  it('the checker catches the mistakes it claims to', () => {
    const broken = YAML.parse(blueprintText) as Blueprint;
    const api = broken.services[0];
    const worker = broken.services[1];
    worker.healthCheckPath = '/status';
    api.healthcheckPath = '/typo';
    api.envVars!.push({ key: 'BOTH', value: 'x', sync: false });
    api.envVars!.push({ key: 'NONE' } as EnvVarEntry);
    worker.envVars!.push({ key: 'MISSING', fromService: { type: 'web', name: 'ecosight-api', envVarKey: 'NOT_DECLARED' } });
    worker.envVars!.push({ key: 'WRONG_TYPE', fromService: { type: 'pserv', name: 'ecosight-api', envVarKey: 'API_KEY' } });
    api.disk = { name: 'd', mountPath: 'relative', sizeGB: 0 };
    (api as Record<string, unknown>).type = 'webservice';
    worker.envVars!.push({ key: 'NO_DB', fromDatabase: { name: 'elsewhere', property: 'connectionString' } });
    broken.databases![0].diskSizeGB = 7;
    const problems = checkBlueprint(broken).join('\n');
    for (const expected of [
      'ecosight-worker: healthCheckPath is only for web services',
      'ecosight-api: unknown key "healthcheckPath"',
      '(BOTH): needs exactly one of',
      '(NONE): needs exactly one of',
      'ecosight-api does not declare NOT_DECLARED',
      'fromService says type pserv but ecosight-api is webservice',
      'disk.mountPath must be an absolute path',
      'disk.sizeGB must be a whole number',
      'type "webservice" is not one of',
      'a service with a disk cannot scale beyond one instance',
      'fromDatabase names "elsewhere", which is not in this Blueprint',
      'diskSizeGB must be 1 or a multiple of 5',
    ]) expect(problems).toContain(expected);
  });
});

describe('render.yaml describes the EcoSight deployment', () => {
  const api = service('ecosight-api');
  const worker = service('ecosight-worker');

  it('runs the API as several Docker web service instances checked on /status, without a disk, on the managed PostgreSQL', () => {
    expect(api.type).toBe('web');
    expect(api.runtime).toBe('docker');
    expect(api.healthCheckPath).toBe('/status');
    expect(api.disk).toBeUndefined();
    expect(api.numInstances).toBeGreaterThanOrEqual(2);
    expect(api.dockerCommand ?? 'ecosight-cloud serve').toBe('ecosight-cloud serve');
    const database = blueprint.databases?.[0];
    expect(database?.name).toBeDefined();
    for (const s of [api, worker]) expect(envEntry(s, 'DATABASE_URL')?.fromDatabase).toEqual({ name: database?.name, property: 'connectionString' });
  });

  it('keeps a single-instance layout with SQLite on a 10 GB disk at DATA_DIR, otherwise the same', () => {
    const singleApi = service('ecosight-api', single);
    expect(single.databases).toBeUndefined();
    expect(singleApi.disk?.sizeGB).toBe(10);
    expect(singleApi.numInstances ?? 1).toBe(1);
    expect(envEntry(singleApi, 'DATA_DIR')?.value).toBe(singleApi.disk?.mountPath);
    const keys = (doc: Blueprint) => doc.services.map((s) => `${s.name}: ${(s.envVars ?? []).map((e) => e.key).sort().join(' ')}`);
    const withoutDatabase = (doc: Blueprint) => ({ ...doc, services: doc.services.map((s) => ({ ...s, envVars: s.envVars?.filter((e) => e.key !== 'DATABASE_URL') })) });
    expect(keys(single)).toEqual(keys(withoutDatabase(blueprint)));
  });

  it('runs the retrain worker as a background worker from the same image', () => {
    expect(worker.type).toBe('worker');
    expect(worker.runtime).toBe('docker');
    expect(worker.dockerCommand).toBe('ecosight-cloud worker');
    for (const s of [api, worker]) {
      expect(s.dockerfilePath).toBe('./deploy/Dockerfile');
      expect(existsSync(join(REPO, s.dockerfilePath!))).toBe(true);
      expect(existsSync(join(REPO, s.dockerContext ?? '.'))).toBe(true);
      // The API must only queue jobs: a second runner in the API would race the worker.
      expect(envEntry(s, 'JOB_RUNNER')?.value).toBe('worker');
      expect(envEntry(s, 'STORAGE')?.value).toBe('s3');
    }
  });

  it('generates API_KEY on the API and shares it with the worker; secrets are never literal', () => {
    expect(envEntry(api, 'API_KEY')?.generateValue).toBe(true);
    expect(envEntry(worker, 'API_KEY')?.fromService).toEqual({ type: 'web', name: 'ecosight-api', envVarKey: 'API_KEY' });
    // The key every station trusts lives on the worker only (the API refuses it with JOB_RUNNER=worker).
    expect(envEntry(api, 'MODEL_SIGNING_KEY')).toBeUndefined();
    expect(envEntry(worker, 'MODEL_SIGNING_KEY')?.sync).toBe(false);
    for (const s of [api, worker]) {
      for (const e of s.envVars ?? []) {
        if (/KEY|SECRET|PASSWORD|TOKEN/.test(e.key)) expect(e.value, `${s.name} ${e.key} must not be committed`).toBeUndefined();
      }
    }
  });

  it('listens on the port the image exposes', () => {
    const exposed = dockerfile.getInstructions().filter((i) => i.getKeyword() === 'EXPOSE').flatMap((i) => i.getArguments().map((a) => a.getValue()));
    expect(exposed).toContain(envEntry(api, 'PORT')?.value);
  });

  it('gives each service of both layouts a configuration the cloud accepts', () => {
    const signingKey = generateSigningKeyPair().privateKey;
    // What an operator types for the prompts (sync: false); optional ones stay empty.
    const prompted: Record<string, string> = { S3_BUCKET: 'ecosight-clips', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', MODEL_SIGNING_KEY: signingKey };
    for (const doc of [blueprint, single]) {
      const resolveEntry = (e: EnvVarEntry): string | undefined => {
        if (e.value !== undefined) return e.value;
        if (e.generateValue) return 'generated-base64-value';
        if (e.sync === false) return prompted[e.key];
        if (e.fromDatabase) return 'postgres://ecosight:generated@dpg-example-a/ecosight';
        const ref = e.fromService;
        const target = ref?.envVarKey ? envEntry(service(ref.name, doc), ref.envVarKey) : undefined;
        return target ? resolveEntry(target) : undefined;
      };
      for (const s of doc.services) {
        const env: Record<string, string> = {};
        for (const e of s.envVars ?? []) {
          const v = resolveEntry(e);
          if (v !== undefined) env[e.key] = v;
        }
        const config = loadCloudConfig(env);
        // The API starts without the signing key, the worker with it.
        const isApi = s.name === 'ecosight-api';
        expect(signingSetup(config, isApi ? 'serve' : 'worker').signer).toBe(isApi ? 'worker' : 'this process');
        expect(config.jobRunner).toBe('worker');
        expect(config.s3Bucket).toBe('ecosight-clips');
        // The fleet layout's index is PostgreSQL; the single layout's, SQLite on the disk.
        expect(config.databaseUrl).toBe(doc === single ? '' : 'postgres://ecosight:generated@dpg-example-a/ecosight');
      }
    }
  });

  it('every prompted secret is explained in docs/deploy-render.md', () => {
    const guide = readFileSync(join(REPO, 'docs/deploy-render.md'), 'utf8');
    const prompted = [api, worker].flatMap((s) => (s.envVars ?? []).filter((e) => e.sync === false).map((e) => e.key));
    expect(prompted.length).toBeGreaterThan(0);
    for (const key of prompted) expect(guide, `docs/deploy-render.md should explain ${key}`).toContain(key);
  });
});

describe('environment variables: declared in render.yaml <=> read by the cloud', () => {
  it('declares every variable the cloud reads, and only those', () => {
    const reads = cloudEnvReads();
    const declared = new Set(blueprint.services.flatMap((s) => (s.envVars ?? []).map((e) => e.key)));
    const provided = new Set([...RENDER_PROVIDED, ...dockerfileEnv()]);
    const missing = [...reads].filter(([name]) => !declared.has(name) && !provided.has(name)).map(([name, where]) => `  ${name}  (read at ${where.join(', ')})`);
    const unused = [...declared].filter((name) => !reads.has(name)).map((name) => `  ${name}`);
    const report = [
      missing.length ? `Read by the cloud but not declared in render.yaml (add them, or stop reading them):\n${missing.join('\n')}` : '',
      unused.length ? `Declared in render.yaml but never read by the cloud (remove them, or read them via CLOUD_ENV):\n${unused.join('\n')}` : '',
    ].filter(Boolean).join('\n');
    expect(report, report).toBe('');
  });
});

describe('env-reads scanner', () => {
  it('finds literal reads in reachable files and ignores tests, packages and computed names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecosight-envscan-'));
    const write = (rel: string, text: string): void => {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    };
    write('cloud/src/cli.ts', [
      "import { a } from './a.js';",
      "export * from './b.js';",
      "import pino from 'pino';",
      'const port = process.env.PORT ?? a;',
      "const host = process.env['HOST'];",
      'const { DATA_DIR, LOG_LEVEL: level } = process.env;',
      'function f(env: NodeJS.ProcessEnv, name: string) { return env.API_KEY ?? env[name] ?? env.toString(); }',
      "if ('JOB_RUNNER' in process.env) void import('./lazy.js');",
      '// process.env.IN_A_COMMENT',
      "const s = 'process.env.IN_A_STRING';",
      'export { port, host, DATA_DIR, level, f, s, pino };',
    ].join('\n'));
    write('cloud/src/a.ts', "export const a = (process.env as Record<string, string>).FROM_A;\n");
    write('cloud/src/b.ts', "export const b = options().env.FROM_B;\nfunction options() { return { env: process.env }; }\n");
    write('cloud/src/lazy.ts', 'export const l = process.env.FROM_LAZY;\n');
    write('cloud/src/unreached.ts', 'export const u = process.env.NEVER_IMPORTED;\n');
    write('cloud/src/cli.test.ts', 'export const t = process.env.ONLY_IN_TEST;\n');
    write('cloud/src/testing/harness.ts', 'export const h = process.env.ONLY_IN_HARNESS;\n');

    const files = reachableFiles([join(dir, 'cloud/src/cli.ts')]);
    const reads = findEnvReads(files, dir);
    expect([...reads.keys()].sort()).toEqual(['API_KEY', 'DATA_DIR', 'FROM_A', 'FROM_B', 'FROM_LAZY', 'HOST', 'JOB_RUNNER', 'LOG_LEVEL', 'PORT']);
    expect(reads.get('PORT')).toEqual(['cloud/src/cli.ts:4']);
    // Starting from every source file (what the real check does) reaches unreached.ts but never tests.
    const all = findEnvReads(reachableFiles(sourceFiles(join(dir, 'cloud/src'))), dir);
    expect(all.has('NEVER_IMPORTED')).toBe(true);
    expect(all.has('ONLY_IN_TEST') || all.has('ONLY_IN_HARNESS')).toBe(false);
  });
});
