import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser, type Copy, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '#testkit/ports.js';

// No Docker engine here, so the image is not built: the Dockerfile is linted
// (dockerfile-utils, the validator behind VS Code's Docker support) and its
// structure checked against what the deployment relies on; the healthcheck
// script it installs is run for real.

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const text = readFileSync(join(REPO, 'deploy/Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(text);

interface Stage {
  name: string;
  image: string;
  instructions: Instruction[];
  copies: Copy[];
}

function stages(): Stage[] {
  const args = new Map(dockerfile.getInitialARGs().flatMap((a) => {
    const p = a.getProperty();
    return p ? [[p.getName(), p.getValue() ?? '']] : [];
  }));
  const froms = dockerfile.getFROMs();
  const all = dockerfile.getInstructions();
  return froms.map((from, i) => {
    const start = from.getRange().start.line;
    const end = i + 1 < froms.length ? froms[i + 1].getRange().start.line : Infinity;
    const image = (from.getImage() ?? '').replace(/\$\{?(\w+)\}?/g, (_, name: string) => args.get(name) ?? '');
    const inStage = (ins: Instruction): boolean => ins.getRange().start.line > start && ins.getRange().start.line < end;
    return { name: from.getBuildStage() ?? String(i), image, instructions: all.filter(inStage), copies: dockerfile.getCOPYs().filter(inStage) };
  });
}

// Copy.getFromFlag() returns null even for `--from=x` in dockerfile-ast 0.7.1; the flag list is right.
const fromStage = (copy: Copy): string | undefined => copy.getFlags().find((f) => f.getName() === 'from')?.getValue() ?? undefined;
const byKeyword = (stage: Stage, keyword: string): Instruction[] => stage.instructions.filter((i) => i.getKeyword() === keyword);
const runText = (stage: Stage): string => byKeyword(stage, 'RUN').map((i) => i.getArgumentsContent() ?? '').join('\n');

/** .dockerignore semantics: patterns from the context root, `**`, `*`, `?`, `!` re-includes, last match wins. */
function dockerIgnored(path: string): boolean {
  const lines = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  let ignored = false;
  for (const line of lines) {
    const negate = line.startsWith('!');
    const pattern = (negate ? line.slice(1) : line).replace(/^\/+/, '').replace(/\/+$/, '');
    const source = pattern.split('**').map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('.*');
    if (new RegExp(`^${source}(/.*)?$`).test(path)) ignored = !negate;
  }
  return ignored;
}

describe('deploy/Dockerfile', () => {
  const [build, runtime] = stages();

  it('passes the dockerfile-utils linter without a diagnostic', () => {
    expect(validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('has a build and a runtime stage, both on Node 22 LTS bookworm-slim', () => {
    expect(stages().map((s) => s.name)).toEqual(['build', 'runtime']);
    expect(build.image).toBe('node:22-bookworm-slim');
    expect(runtime.image).toBe(build.image);
  });

  it('builds native modules and the TypeScript in the build stage, then drops dev dependencies', () => {
    const run = runText(build);
    for (const pkg of ['python3', 'make', 'g++']) expect(run).toMatch(new RegExp(`apt-get install[^\\n]*\\s${pkg.replace('+', '\\+')}(\\s|$)`));
    const ci = run.indexOf('npm ci');
    const compile = run.indexOf('npm run build');
    const prune = run.search(/npm prune --omit=dev|npm ci --omit=dev/);
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(compile).toBeGreaterThan(ci);
    expect(prune).toBeGreaterThan(compile);
  });

  it('ships production dependencies, the build and the model without compilers', () => {
    const run = runText(runtime);
    expect(run).not.toMatch(/\b(g\+\+|gcc|make|python3)\b/);
    expect(run).not.toMatch(/npm (ci|install)/);
    const copiedFromBuild = runtime.copies.filter((c) => fromStage(c) === 'build')
      .flatMap((c) => c.getArguments().slice(0, -1).map((a) => a.getValue()));
    // The dashboard's static files are served from cloud/src/ui at run time, not from dist.
    for (const path of ['/app/node_modules', '/app/dist', '/app/models', '/app/package.json', '/app/cloud/src/ui']) expect(copiedFromBuild).toContain(path);
  });

  it('runs as a non-root user, exposes PORT, health-checks /status and starts the API in exec form', () => {
    const users = byKeyword(runtime, 'USER').map((u) => u.getArgumentsContent()?.split(':')[0]);
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(users.at(-1));
    const portEnv = dockerfile.getENVs().flatMap((e) => e.getProperties()).find((p) => p.getName() === 'PORT')?.getValue();
    expect(byKeyword(runtime, 'EXPOSE').map((e) => e.getArgumentsContent())).toContain(portEnv);
    const health = byKeyword(runtime, 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    const probe = health[0].getArgumentsContent() ?? '';
    const script = probe.match(/\/app\/(deploy\/[\w.-]+\.mjs)/)?.[1];
    expect(script, 'HEALTHCHECK runs a script from deploy/').toBeDefined();
    expect(readFileSync(join(REPO, script!), 'utf8')).toContain('/status');
    expect(byKeyword(runtime, 'COPY').map((c) => c.getArgumentsContent()).join('\n')).toContain(script);
    for (const keyword of ['CMD', 'ENTRYPOINT']) {
      for (const ins of byKeyword(runtime, keyword)) expect(ins.getArgumentsContent()?.trim().startsWith('['), `${keyword} in exec form`).toBe(true);
    }
    expect(byKeyword(runtime, 'CMD').at(-1)?.getArgumentsContent()).toContain('serve');
  });

  it('finds everything it copies in the build context, and keeps secrets and build output out', () => {
    for (const stage of stages()) {
      for (const copy of stage.copies.filter((c) => fromStage(c) === undefined)) {
        for (const src of copy.getArguments().slice(0, -1).map((a) => a.getValue())) {
          if (src === '.') continue;
          expect(existsSync(join(REPO, src)), `${src} exists`).toBe(true);
          expect(dockerIgnored(src), `${src} is not excluded by .dockerignore`).toBe(false);
        }
      }
    }
    // `COPY . .` then `tsc -b`: every project the build compiles must be in the context.
    for (const path of ['tsconfig.json', 'tsconfig.base.json', 'shared/src', 'station/src', 'cloud/src', 'tools/tsconfig.json', 'deploy/healthcheck.mjs']) {
      expect(dockerIgnored(path), `${path} is in the build context`).toBe(false);
    }
    for (const path of ['node_modules', 'dist', '.git', '.env', '.env.production', 'var/cloud/index.db']) expect(dockerIgnored(path), `${path} is excluded`).toBe(true);
  });

  it('has the shipped model to copy (the runtime stage copies /app/models)', () => {
    expect(dockerIgnored('models')).toBe(false);
    // The files loadModelPackage needs; without them the image builds but cannot classify.
    for (const file of ['model.json', 'model_metadata.json', 'class_names.json']) {
      expect(existsSync(join(REPO, 'models', file)), `models/${file} (the shipped model) must exist`).toBe(true);
    }
  });
});

describe('deploy/healthcheck.mjs', () => {
  let server: Server;
  let port = 0;
  let statusCode = 200;
  const dir = mkdtempSync(join(tmpdir(), 'ecosight-health-'));
  const apiCmdline = join(dir, 'api');
  const workerCmdline = join(dir, 'worker');
  writeFileSync(apiCmdline, ['/usr/bin/tini', '--', 'ecosight-cloud', 'serve', ''].join('\0'));
  writeFileSync(workerCmdline, ['node', '/app/dist/cloud/src/cli.js', 'worker', ''].join('\0'));

  beforeAll(async () => {
    port = await freePort();
    server = createServer((req, res) => {
      res.statusCode = req.url === '/status' ? statusCode : 404;
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  function probe(cmdline: string, probePort: number): Promise<number | null> {
    return new Promise((done) => {
      const child = spawn(process.execPath, [join(REPO, 'deploy/healthcheck.mjs'), '--cmdline', cmdline], {
        env: { ...process.env, PORT: String(probePort) }, stdio: 'ignore',
      });
      child.on('exit', (code) => done(code));
    });
  }

  it('passes when the API answers /status with 2xx, fails on 5xx or a closed port', async () => {
    statusCode = 200;
    expect(await probe(apiCmdline, port)).toBe(0);
    statusCode = 503;
    expect(await probe(apiCmdline, port)).toBe(1);
    expect(await probe(apiCmdline, await freePort())).toBe(1);
  });

  it('passes for the worker, which serves no HTTP', async () => {
    expect(await probe(workerCmdline, await freePort())).toBe(0);
  });
});
