import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { audioMothName, type FieldStation } from '#ml/field/index.js';
import { encodeWav16 } from '#shared/audio/wav-encode.js';
import { SAMPLE_RATE_HZ } from '#shared/audio/sample-rate.js';
import { enuToGeodetic, type GeoPosition } from '#shared/geo/enu.js';
import { describeError } from '#shared/errors.js';
import { demoFileAudio, demoShotLoops } from './demo-audio.js';

/**
 * The demo's field: three stations 300 m apart on a triangle (local metres
 * around DEMO_ORIGIN), each with a simulated recorder whose clock is off by
 * under a millisecond (GPS-disciplined), dropping a 10 s WAV file named by its
 * start time (AudioMoth style) into the station's folder as each file's time
 * passes. The stations read those folders like any recorder's.
 */
export const DEMO_ORIGIN: Required<GeoPosition> = { latitude: -2.33, longitude: 34.83, altitudeM: 1500 };

export interface DemoStation extends FieldStation {
  name: string;
  position: Required<GeoPosition>;
}

const LAYOUT: ReadonlyArray<Pick<FieldStation, 'id' | 'eastM' | 'northM' | 'clockOffsetMs'>> = [
  { id: 'demo-01', eastM: 0, northM: 173.2, clockOffsetMs: 0.6 },
  { id: 'demo-02', eastM: 150, northM: -86.6, clockOffsetMs: -0.8 },
  { id: 'demo-03', eastM: -150, northM: -86.6, clockOffsetMs: 0.3 },
];

export const DEMO_STATIONS: readonly DemoStation[] = LAYOUT.map((s, i) => ({
  ...s, name: `Demo station ${i + 1} (simulated recorder)`, position: enuToGeodetic(DEMO_ORIGIN, { eastM: s.eastM, northM: s.northM, upM: 0 }),
}));

/** Length of each recorder file, s. */
export const DEMO_FILE_SEC = 10;

export interface DemoRecordersOptions {
  stations: readonly DemoStation[];
  /** The folder a station reads, per station id. */
  folderOf: (stationId: string) => string;
  now: () => number;
  onError: (message: string) => void;
}

/** Writes each station's recorder files in real time: the file for [t, t + 10 s) once t + 10 s has passed. */
export class DemoRecorders {
  private timer: NodeJS.Timeout | undefined;
  private loops: Map<string, Float32Array> | undefined;
  private stopped = false;

  constructor(private readonly options: DemoRecordersOptions) {}

  /** Makes the shot loops (about a second), writes the file that just ended, then one per 10 s. */
  async start(): Promise<void> {
    this.loops = demoShotLoops(this.options.stations);
    for (const s of this.options.stations) await mkdir(this.options.folderOf(s.id), { recursive: true });
    const fileMs = DEMO_FILE_SEC * 1000;
    const lastEndMs = Math.floor(this.options.now() / fileMs) * fileMs;
    await this.writeFiles(lastEndMs - fileMs);
    this.schedule(lastEndMs + fileMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(endMs: number): void {
    if (this.stopped) return;
    // A little after the file's end, as a recorder closes its file.
    this.timer = setTimeout(() => {
      this.writeFiles(endMs - DEMO_FILE_SEC * 1000).catch((err: unknown) => this.options.onError(`demo recorder: ${describeError(err)}`));
      this.schedule(endMs + DEMO_FILE_SEC * 1000);
    }, Math.max(0, endMs + 100 - this.options.now()));
  }

  /** One file per station, starting at `startMs` (a multiple of 10 s), written under a temporary name and renamed. */
  private async writeFiles(startMs: number): Promise<void> {
    for (const s of this.options.stations) {
      const shots = this.loops?.get(s.id);
      if (!shots) continue;
      const audio = demoFileAudio(shots, startMs / 1000, DEMO_FILE_SEC, `${s.id}-${startMs}`, s.id === 'demo-01' && (startMs / 1000) % 60 === 30);
      const path = join(this.options.folderOf(s.id), audioMothName(startMs));
      await writeFile(`${path}.part`, encodeWav16(audio, SAMPLE_RATE_HZ));
      await rename(`${path}.part`, path);
    }
  }
}
