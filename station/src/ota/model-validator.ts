import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeWav } from '#shared/audio/wav-decode.js';
import { parseOnsetModelText } from '#shared/detect/onset-model.js';
import { ModelError } from '#shared/errors.js';
import { LogMelFrontEnd } from '#shared/features/log-mel.js';
import { loadModelPackage, type ModelPackage } from '#shared/model/model-package.js';
import { predict } from '#shared/pipeline/classifier.js';
import { ONSET_RELEASE_FILE } from '#shared/release/layout.js';

/**
 * Loads a candidate model and proves it works before anything switches to it:
 * the version in its metadata is the signed manifest's, same input shape as the
 * running model, a clean run (no throw, no NaN, scores in [0, 1]) over the
 * reference clips shipped with the release, and, when the release carries
 * stage 2 of the gunshot detector (`onset/onset-model.json`), a model that
 * parses (schema and layer shapes): a broken one is refused here, before the
 * swap, so the running model stays.
 */
export async function validateCandidate(dir: string, running: ModelPackage, signedVersion: string): Promise<ModelPackage> {
  const candidate = await loadModelPackage(dir);
  try {
    if (candidate.metadata.version !== signedVersion) {
      throw new ModelError(`model metadata says version ${candidate.metadata.version}, the signed manifest ${signedVersion}`);
    }
    const want = running.metadata.inputShape.join('x');
    const got = candidate.metadata.inputShape.join('x');
    if (want !== got) throw new ModelError(`candidate input shape ${got} differs from the running model's ${want}`);
    await checkOnsetModel(dir);
    const references = await referenceClips(dir);
    if (references.length === 0) throw new ModelError('release has no reference clips to validate the model on');
    const frontEnd = new LogMelFrontEnd(candidate.metadata.frontEnd);
    for (const [name, bytes] of references) {
      const patches = frontEnd.patches(decodeWav(bytes).samples);
      const scores = predict(candidate, patches);
      for (const row of scores) {
        if (row.some((v) => v < 0 || v > 1)) throw new ModelError(`reference clip ${name}: scores outside [0, 1]`);
      }
    }
    return candidate;
  } catch (err) {
    candidate.model.dispose();
    throw err instanceof ModelError ? err : new ModelError(`candidate failed on reference clips: ${(err as Error).message}`, { cause: err });
  }
}

/** Parses the release's stage 2 when it has one; a problem is a ModelError naming the file. */
async function checkOnsetModel(dir: string): Promise<void> {
  const path = join(dir, ...ONSET_RELEASE_FILE.split('/'));
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new ModelError(`cannot read ${ONSET_RELEASE_FILE}`, { cause: err });
  }
  parseOnsetModelText(text, ONSET_RELEASE_FILE);
}

async function referenceClips(dir: string): Promise<Array<[string, Buffer]>> {
  let names: string[];
  try {
    names = (await readdir(join(dir, 'reference'))).filter((n) => n.toLowerCase().endsWith('.wav')).sort();
  } catch {
    return [];
  }
  return Promise.all(names.map(async (n): Promise<[string, Buffer]> => [n, await readFile(join(dir, 'reference', n))]));
}
