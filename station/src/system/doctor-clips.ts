import { pass, skip, warn, type CheckContext, type CheckOutcome } from './doctor-types.js';

/**
 * The configured clip codec's encoder is installed and runs. A missing one is a
 * warning, not a failure: the station then writes WAV clips (and says so at start).
 */
export async function checkClipEncoder({ config, deps, timeoutMs }: CheckContext): Promise<CheckOutcome> {
  const codec = config.clips.codec;
  if (codec === 'wav') return skip('clips are WAV (no encoder needed)');
  const [program, pkg] = codec === 'flac' ? ['flac', 'flac'] : ['opusenc', 'opus-tools'];
  const result = await deps.run(program, ['--version'], { timeoutMs });
  const what = codec === 'opus' ? `opus at ${config.clips.opusBitrateKbps} kbit/s` : `flac level ${config.clips.flacLevel}`;
  if (result.code === 0) return pass(`${what}: ${(result.stdout || result.stderr).trim().split('\n')[0] ?? program}`);
  const why = result.error === 'ENOENT' ? `${program} is not installed` : `${program} --version failed (${result.error ?? `exit ${result.code}`})`;
  return warn(`${why}: clips are written as WAV until it is (apt-get install ${pkg})`);
}
