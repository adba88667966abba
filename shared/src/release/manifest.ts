import { sign, verify, createPublicKey, type KeyObject } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ManifestError } from '../errors.js';
import { canonicalJson, sha256Hex } from '../manifest/canonical-json.js';
import { keyId } from '../manifest/keys.js';
import { ReleaseVersionSchema } from './version.js';

/**
 * The signed manifest of a model release (`models/<version>/manifest.json` in the
 * bucket, `GET /api/models/<version>/manifest.json` on the wire, kept beside the
 * installed model on a station). Its `version` is the one that counts: stations
 * compare it, never an announced one, for anti-downgrade and pinning.
 */
export const MANIFEST_FILE = 'manifest.json';
/** Largest single file a release may carry (weights of our models are < 2 MB). */
export const MAX_RELEASE_FILE_BYTES = 64 * 1024 * 1024;

/**
 * A file inside a release: a safe name (#shared/util/safe-name.js), optionally
 * in one sub-folder (`reference/1.wav`). The station writes it under its staging
 * folder, the cloud under `models/<version>/`.
 */
export const RELEASE_FILE_PATH_PATTERN = '^(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)?$';
const RELEASE_FILE_PATH = new RegExp(RELEASE_FILE_PATH_PATTERN);

export function isReleaseFilePath(path: unknown): path is string {
  return typeof path === 'string' && path.length <= 200 && RELEASE_FILE_PATH.test(path);
}

/** Returns `path` when it is a valid release file path; throws ManifestError otherwise. */
export function assertReleaseFilePath(path: string): string {
  if (!isReleaseFilePath(path)) throw new ManifestError(`invalid release file path ${JSON.stringify(path).slice(0, 120)}`);
  return path;
}

export const ManifestFileSchema = Type.Object({
  path: Type.String({ pattern: RELEASE_FILE_PATH_PATTERN, maxLength: 200 }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  size: Type.Integer({ minimum: 0, maximum: MAX_RELEASE_FILE_BYTES }),
}, { additionalProperties: false });

export const ManifestSchema = Type.Object({
  schemaVersion: Type.Literal(1),
  version: ReleaseVersionSchema,
  createdAt: Type.String(),
  files: Type.Array(ManifestFileSchema, { minItems: 1, maxItems: 256 }),
  /** Free-form facts about the release (metrics summary, parent version). */
  notes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  keyId: Type.String(),
  /** Base64 Ed25519 signature over canonicalJson(manifest without `signature`). */
  signature: Type.String(),
}, { additionalProperties: false });

export type Manifest = Static<typeof ManifestSchema>;
export type ManifestFile = Static<typeof ManifestFileSchema>;
export type UnsignedManifest = Omit<Manifest, 'signature' | 'keyId'>;

/** Signs a manifest; the private key never leaves this function. */
export function signManifest(unsigned: UnsignedManifest, privateKey: KeyObject): Manifest {
  const withKey = { ...unsigned, keyId: keyId(createPublicKey(privateKey)) };
  const signature = sign(null, Buffer.from(canonicalJson(withKey)), privateKey).toString('base64');
  const manifest = { ...withKey, signature };
  checkShape(manifest);
  return manifest;
}

/**
 * Parses and verifies a manifest: schema, unique safe paths, and the Ed25519
 * signature against `publicKey`. Throws ManifestError on any failure.
 */
export function verifyManifest(input: unknown, publicKey: KeyObject): Manifest {
  const manifest = checkShape(input);
  const { signature, ...signed } = manifest;
  const ok = verify(null, Buffer.from(canonicalJson(signed)), publicKey, Buffer.from(signature, 'base64'));
  if (!ok) throw new ManifestError(`manifest signature does not verify with key ${keyId(publicKey)}`);
  return manifest;
}

/** Checks one downloaded file against its manifest entry. */
export function checkFile(entry: ManifestFile, bytes: Uint8Array): void {
  if (bytes.byteLength !== entry.size) {
    throw new ManifestError(`${entry.path}: ${bytes.byteLength} bytes, manifest says ${entry.size} (truncated or padded)`);
  }
  const digest = sha256Hex(bytes);
  if (digest !== entry.sha256) throw new ManifestError(`${entry.path}: sha256 ${digest} does not match the manifest`);
}

function checkShape(input: unknown): Manifest {
  if (!Value.Check(ManifestSchema, input)) {
    const first = [...Value.Errors(ManifestSchema, input)].slice(0, 3).map((e) => `${e.path || '(root)'} ${e.message}`);
    throw new ManifestError(`malformed manifest: ${first.join('; ')}`);
  }
  const paths = new Set<string>();
  for (const f of input.files) {
    if (paths.has(f.path)) throw new ManifestError(`manifest lists ${f.path} twice`);
    paths.add(f.path);
  }
  return input;
}
