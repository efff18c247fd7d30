// doctor: probe a board without changing it, print a checklist with a fix for each problem, and
// fail (a UserError, so a non-zero exit) when any check fails. Warnings alone pass.
import { UserError } from '../shared/errors';
import type { Logger } from '../shared/log';
import { findBoardJson } from '../device/board-json';
import { openDevice, type DeviceDeps } from '../device/open-device';
import { effectiveConfig, runChecks, type Check } from './checks';
import { DOCTOR_PROBE, readConfigFiles, readDerFiles, reportFromProbe } from './gather';
import { probeLanDoors, type LanAddress } from './lan-doors';

export interface DoctorOptions {
  cwd: string;
  port?: string;
  timeoutMs?: number;
}

export interface DoctorDeps extends DeviceDeps {
  log: Logger;
  now?: Date;
  /** Where the board's LAN ports are reached (tests point them at the simulator's stand-ins). */
  lanAddress?: LanAddress;
}

const MARK: Record<Check['status'], string> = { ok: ' ok ', warn: 'warn', fail: 'FAIL', skip: 'skip' };

export function formatChecks(checks: Check[]): string[] {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`[${MARK[c.status]}] ${c.name.padEnd(width)}  ${c.detail}`);
    if (c.fix && c.status !== 'ok') lines.push(`       ${''.padEnd(width)}  fix: ${c.fix}`);
  }
  return lines;
}

export async function run(o: DoctorOptions, deps: DoctorDeps): Promise<Check[]> {
  const { log } = deps;
  const dev = await openDevice({ port: o.port, log, timeoutMs: o.timeoutMs, probeExtra: DOCTOR_PROBE }, deps);
  let checks: Check[];
  try {
    const report = reportFromProbe(dev);
    await readConfigFiles(dev, report, log);
    const cfg = effectiveConfig(report).config;
    if (cfg && cfg.mqtt.transport === 'tls') report.der = await readDerFiles(dev, cfg.tls, log);
    const ip = report.wifi.ip;
    // Only builds with the telnet console (ESP8266) have these doors; ota.c is ESP8266-only too.
    const esp8266Like = report.info.modules.includes('TelnetServer');
    if (esp8266Like && ip && ip !== '0.0.0.0') report.doors.lan = await probeLanDoors(ip, { address: deps.lanAddress, viaTelnet: report.doors.console === 'Telnet' });
    checks = runChecks(report, { hasBoardJson: !!findBoardJson(o.cwd, report.info.board), now: deps.now });
  } finally {
    await dev.close();
  }
  log.out(`doctor: ${dev.info.board} on ${dev.port}`);
  for (const line of formatChecks(checks)) log.out(line);
  const failed = checks.filter((c) => c.status === 'fail');
  if (failed.length) {
    throw new UserError(`${failed.length} check${failed.length > 1 ? 's' : ''} failed (${failed.map((c) => c.name).join(', ')}): apply the fixes listed above, then run doctor again.`, 'doctor-failed');
  }
  return checks;
}
