import { createRandom } from '#shared/util/random.js';
import { CONFUSER_KINDS, type ConfuserKind } from '../synth/confuser-source.js';
import { modelledConfusers, type SceneBed } from '../train/synthetic-set.js';
import type { Detection } from './alarm-curve.js';
import { forestStream, holdsOnset, type ForestRecording } from './forest-audio.js';

/** Modelled confuser scenes in the check (about a fifth of each kind). */
export const CONFUSER_CHECK_SCENES = 500;

export interface ConfuserAlarms {
  kind: ConfuserKind;
  scenes: number;
  /** Scenes holding an alarm's onset (at the detector's shipped threshold). */
  alarmed: number;
}

/**
 * Gunshot-free audio the honest streams do not hold: modelled scenes of
 * impacts, notes, clicks, thuds and noise bursts (synthetic-set.ts
 * modelledConfusers) rendered through the same distance, ground, reverb,
 * beds and levels as the validation's modelled gunshot scenes, placed over
 * the forest floor like every other validation clip. The validation's
 * recorded negatives are dry game and library sounds, while 300 of its 326
 * gunshot events are modelled scenes: a detector can score well by telling
 * modelled scenes from recordings instead of shots from other sounds. This
 * stream shows whether it does. Beds come from the validation side.
 */
export function confuserStream(backgrounds: readonly SceneBed[], seed: number | string, scenes = CONFUSER_CHECK_SCENES): ForestRecording {
  const rand = createRandom(`honest-confusers-${seed}`);
  return forestStream(modelledConfusers(scenes, backgrounds, rand.fork('scenes'), 'modelled-confusers'), { rand: rand.fork('placing') });
}

/** Per kind, how many of the stream's scenes hold the onset of one of `alarms`. */
export function confuserAlarms(stream: ForestRecording, alarms: readonly Detection[], collarSec: number): ConfuserAlarms[] {
  return CONFUSER_KINDS.map((kind) => {
    const scenes = stream.placements.filter((p) => kindOf(p.id) === kind);
    const alarmed = scenes.filter((p) => alarms.some((a) => holdsOnset(p, a.onsetSec, collarSec))).length;
    return { kind, scenes: scenes.length, alarmed };
  });
}

/** `modelled-confusers/impact-12` -> `impact`. */
function kindOf(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1).replace(/-\d+$/, '');
}
