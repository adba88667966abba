import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitCommit } from './run-training.js';

describe('gitCommit (recorded in model metadata)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const repo = () => {
    const dir = mkdtempSync(join(tmpdir(), 'git-commit-'));
    dirs.push(dir);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
    git('init', '-q');
    writeFileSync(join(dir, 'train.ts'), 'one\n');
    git('add', 'train.ts');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-qm', 'first');
    return { dir, head: git('rev-parse', 'HEAD') };
  };

  it('is the HEAD commit of a clean checkout; untracked files do not count', () => {
    const { dir, head } = repo();
    writeFileSync(join(dir, 'notes.txt'), 'untracked\n');
    expect(gitCommit(dir)).toBe(head);
  });

  it('is marked -dirty when tracked files differ from HEAD', () => {
    const { dir, head } = repo();
    writeFileSync(join(dir, 'train.ts'), 'two\n');
    expect(gitCommit(dir)).toBe(`${head}-dirty`);
  });

  it('is undefined outside a git checkout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'git-commit-none-'));
    dirs.push(dir);
    expect(gitCommit(dir)).toBeUndefined();
  });
});
