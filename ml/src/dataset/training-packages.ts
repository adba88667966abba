/**
 * The only Debian packages that may feed training and validation (issue 3,
 * grown by issue 12 section 4).
 * Every other package is reserved for independent evaluation, so a model is
 * never scored on recordings from a source it has seen.
 */
export const TRAINING_PACKAGES: ReadonlySet<string> = new Set([
  'redeclipse-data',
  'hedgewars-data',
  'warmux-data',
  'btanks-data',
  'tuxpaint-stamps-default',
  'gcompris-qt-data',
  'sound-theme-freedesktop',
  'asterisk-core-sounds-en-wav',
  'gcin-voice',
  'lmms-common',
  'sonic-pi-samples',
  'supertuxkart-data',
  'torcs-data',
  'pocketsphinx-testdata',
  'codec2-examples',
  // issue 12: more firearm recordings and impulsive hard negatives
  'ufoai-sound',
  'asc-data',
  'nexuiz-data',
  'openclonk-data',
  'freecol',
  'lierolibre-data',
  'fluid-soundfont-gm',
  'fluid-soundfont-gs',
  'timgm6mb-soundfont',
  'minetest-data',
  'hydrogen-drumkits',
  'hydrogen-data',
  'bucklespring-data',
  '7kaa-data',
  'pangzero',
  'dopewars-data',
  'wing-data',
]);
