import { execFileSync } from 'node:child_process';

/**
 * Encodes WAV bytes with the system encoders the station uses (`flac`, `opusenc`), so
 * cloud tests get the very bytes a station uploads without importing station code.
 */
export function encodeClip(wav: Uint8Array, codec: 'flac' | 'opus', opusBitrateKbps = 24): Buffer {
  const [command, args] = codec === 'flac'
    ? ['flac', ['--silent', '-5', '--no-seektable', '--stdout', '-']] as const
    : ['opusenc', ['--quiet', '--bitrate', String(opusBitrateKbps), '-', '-']] as const;
  return execFileSync(command, [...args], { input: wav, maxBuffer: 256 * 1024 * 1024 });
}
