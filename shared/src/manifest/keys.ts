import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ManifestError } from '../errors.js';
import { sha256Hex } from './canonical-json.js';

/**
 * Ed25519 keys are accepted as PEM or as bare base64 DER (SPKI for public,
 * PKCS#8 for private), so they fit in one environment variable.
 */
export function parsePublicKey(text: string): KeyObject {
  try {
    const key = text.includes('BEGIN')
      ? createPublicKey(text)
      : createPublicKey({ key: Buffer.from(text.trim(), 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`expected an ed25519 key, got ${key.asymmetricKeyType}`);
    return key;
  } catch (err) {
    throw new ManifestError(`invalid model signing public key: ${(err as Error).message}`, { cause: err });
  }
}

export function parsePrivateKey(text: string): KeyObject {
  try {
    const key = text.includes('BEGIN')
      ? createPrivateKey(text)
      : createPrivateKey({ key: Buffer.from(text.trim(), 'base64'), format: 'der', type: 'pkcs8' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`expected an ed25519 key, got ${key.asymmetricKeyType}`);
    return key;
  } catch {
    // The message must not echo the key text: it may be a secret.
    throw new ManifestError('invalid MODEL_SIGNING_KEY: not an Ed25519 private key (PEM or base64 PKCS#8)');
  }
}

/** Base64 DER forms of a fresh key pair (for `ecosight-cloud keygen` and tests). */
export function generateSigningKeyPair(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  };
}

/** Short stable identifier of a public key (first 16 hex of sha256 of its DER). */
export function keyId(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ format: 'der', type: 'spki' })).slice(0, 16);
}
