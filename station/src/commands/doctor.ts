import { parseArgs } from 'node:util';
import { loadStationConfig } from '#shared/config/station-config.js';
import { createLogger } from '#shared/util/logger.js';
import { defaultDoctorDeps, formatDoctorReport, runDoctor } from '../system/doctor.js';

/** `ecosight-station doctor [--config FILE] [--json]`: exit 0 when nothing fails, 1 otherwise. */
export async function doctorCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const config = loadStationConfig(values.config);
  const logger = createLogger({ name: 'ecosight-doctor', level: process.env.ECOSIGHT_LOG_LEVEL ?? 'error', journald: process.env.JOURNAL_STREAM !== undefined });
  const report = await runDoctor(config, defaultDoctorDeps(logger));
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report));
  return report.ok ? 0 : 1;
}
