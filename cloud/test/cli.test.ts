import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateSigningKeyPair, parsePrivateKey, parsePublicKey } from '#shared/manifest/keys.js';
import { main } from '../src/cli.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((c) => (out.push(String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((c) => (err.push(String(c)), true));
  return { out, err };
}

describe('ecosight-cloud CLI', () => {
  const savedEnv = { ...process.env };
  afterEach(() => {
    vi.restoreAllMocks();
    process.env = { ...savedEnv };
  });

  it('prints help for every command', async () => {
    for (const command of ['serve', 'worker', 'retrain', 'reindex', 'keygen']) {
      const { out } = capture();
      expect(await main([command, '--help'])).toBe(0);
      expect(out.join('')).toContain(`ecosight-cloud ${command}`);
      vi.restoreAllMocks();
    }
    const { out } = capture();
    expect(await main(['--help'])).toBe(0);
    expect(out.join('')).toMatch(/serve[\s\S]*worker[\s\S]*retrain[\s\S]*reindex[\s\S]*keygen/);
  });

  it('refuses unknown commands and options', async () => {
    const { err } = capture();
    expect(await main(['frobnicate'])).toBe(2);
    expect(err.join('')).toContain('unknown command');
    await expect(main(['retrain', '--bogus'])).rejects.toThrow();
  });

  it('keygen prints a working Ed25519 pair in the formats the config reads', async () => {
    const { out } = capture();
    expect(await main(['keygen'])).toBe(0);
    const text = out.join('');
    const priv = /MODEL_SIGNING_KEY=(\S+)/.exec(text)?.[1] ?? '';
    const pub = /MODEL_PUBLIC_KEY=(\S+)/.exec(text)?.[1] ?? '';
    expect(parsePrivateKey(priv).asymmetricKeyType).toBe('ed25519');
    expect(parsePublicKey(pub).asymmetricKeyType).toBe('ed25519');
  });

  it('retrain refuses with a clear message when there is too little new data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ecosight-cli-'));
    Object.assign(process.env, { DATA_DIR: dataDir, LOG_LEVEL: 'silent', MIN_NEW_SAMPLES: '3', MODEL_SIGNING_KEY: '' });
    // Without a signing key nothing could be published: refused before any work.
    await expect(main(['retrain'])).rejects.toMatchObject({ code: 'PUBLISHING_DISABLED' });
    // With one (the shipped model becomes the first release), an empty bucket has no new samples.
    process.env.MODEL_SIGNING_KEY = generateSigningKeyPair().privateKey;
    await expect(main(['retrain', '--min-samples', '2'])).rejects.toMatchObject({ code: 'NOT_ENOUGH_SAMPLES', extra: { new_samples: 0, min_samples: 2 } });
    for (const seed of ['-3', '1.5', '2147483648', 'seven']) await expect(main(['retrain', `--seed=${seed}`])).rejects.toThrow(/--seed must be a whole number/);
  });
});
