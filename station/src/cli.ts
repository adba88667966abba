#!/usr/bin/env node
import { ConfigError, describeError } from '#shared/errors.js';
import { UsageError } from './commands/usage-error.js';

const HELP = `ecosight-station — EcoSight field station

Usage:
  ecosight-station run [--config FILE] [--exit-when-idle] [--idle-timeout SECONDS]
      Run the station daemon. Environment variables override the config file:
      ECOSIGHT_STATION_ID, ECOSIGHT_DATA_DIR, ECOSIGHT_SOURCE (mic:DEVICE, file:PATH,
      folder:PATH), ECOSIGHT_MQTT_URL, ECOSIGHT_MQTT_PREFIX, S3_BUCKET, S3_ENDPOINT,
      S3_FORCE_PATH_STYLE, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION,
      ECOSIGHT_MODEL_DIR, ECOSIGHT_LOG_LEVEL, ECOSIGHT_PRESIGN_URL, ECOSIGHT_STATION_TOKEN,
      ECOSIGHT_OTA_URL, ECOSIGHT_OTA_PUBLIC_KEY, ECOSIGHT_CLIP_CODEC (flac, opus, wav).
      --exit-when-idle   with a file: or folder: source, process everything, drain the
                         outbox (uploads, their confirmations, MQTT), then exit 0; exit 3 if the outbox
                         could not drain within --idle-timeout (default 120 s).

  ecosight-station classify FILE... [--format table|json|raven] [--model DIR] [--hop SECONDS]
      Run the station's pipeline offline over WAV files. json prints one object per
      detection per line with keys file, label, startSec, endSec, confidence; raven
      prints a Raven Pro selection table.

  ecosight-station doctor [--config FILE]
      Check config, microphone, disk, clock, clip encoder, broker, bucket and model; print pass/fail.

  ecosight-station hash-password
      Read the status page password from stdin and print the statusPage.passwordHash
      line (scrypt) to put in the config, e.g.
      printf '%s\n' 'my long password' | ecosight-station hash-password

Options:
  -h, --help       show this help
  --version        print the version
`;

/** Dispatches to `commands/`: each command loads only what it needs (`classify` never opens the daemon's parts). */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(HELP);
    return command ? 0 : 2;
  }
  if (command === '--version') {
    const { packageVersion } = await import('#shared/util/package-version.js');
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  switch (command) {
    case 'classify': {
      const { classifyCommand } = await import('./commands/classify.js');
      return classifyCommand(rest, HELP);
    }
    case 'run': {
      const { runCommand } = await import('./commands/run.js');
      return runCommand(rest);
    }
    case 'hash-password': {
      const { hashPasswordCommand } = await import('./commands/hash-password.js');
      return hashPasswordCommand();
    }
    case 'doctor': {
      const { doctorCommand } = await import('./commands/doctor.js');
      return doctorCommand(rest);
    }
    default:
      process.stderr.write(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`error: ${(err as Error).message}\n(see ecosight-station --help)\n`);
      process.exitCode = 2;
    } else if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 78; // EX_CONFIG
    } else {
      process.stderr.write(`error: ${describeError(err)}\n`);
      process.exitCode = 1;
    }
  },
);
