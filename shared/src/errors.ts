/**
 * Errors that leave a module carry a stable `code` so callers (and log searches)
 * can tell them apart without parsing messages.
 */
export class EcoSightError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The bytes are not a WAV file we can decode (truncated, not RIFF/WAVE, unsupported encoding). */
export class AudioDecodeError extends EcoSightError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AUDIO_DECODE', message, options);
  }
}

/** Compressed audio that decodes to more samples than the caller allows (a decompression bomb or a too-long clip). */
export class AudioTooLongError extends EcoSightError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AUDIO_TOO_LONG', message, options);
  }
}

/** A configuration file or environment override failed validation; `problems` lists every one. */
export class ConfigError extends EcoSightError {
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[]) {
    super('CONFIG_INVALID', `invalid configuration (${source}):\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

/** A model directory is missing files, has mismatched shapes or cannot be loaded. */
export class ModelError extends EcoSightError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MODEL_INVALID', message, options);
  }
}

/** A model release failed signature, hash, size or path checks. */
export class ManifestError extends EcoSightError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MANIFEST_INVALID', message, options);
  }
}

/** Returns a one-line description of any thrown value, for logs and CLI output. */
export function describeError(err: unknown): string {
  if (err instanceof EcoSightError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
