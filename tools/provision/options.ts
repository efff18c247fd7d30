// What provision takes: its options (argv parsed by command.ts, or a test's) and its dependencies.
// Types only, so run.ts and the modules it calls (inputs.ts) can share them without a cycle.
import type { Logger } from '../shared/log';
import type { DeviceDeps } from '../device/open-device';
import type { ProgressFactory } from '../device/progress';
import type { AskSecret } from './ask-secret';
import type { ConfigSettings, Mode } from './device-config';
import type { FindGateways } from './find-gateway';

export interface ProvisionOptions extends ConfigSettings {
  cwd: string;
  port?: string;
  thing: string;
  /** Identity files: certs/<thing>/ by default, or this folder, or these paths. */
  dir?: string;
  cert?: string;
  key?: string;
  ca?: string;
  /** AWS IoT endpoint (HOST or HOST:PORT); default certs/<thing>/thing.json's. */
  endpoint?: string;
  mqttPort?: number;
  /** Default: direct when the board has `tls`, gateway otherwise. */
  mode?: Mode;
  /** Gateway mode: HOST[:PORT] of the LAN gateway. */
  gateway?: string;
  gatewayStore?: string;
  /**
   * Gateway mode: give the device a new secret. The gateway's store takes it only after the board
   * has verified its new config.json, and a running gateway then closes any session made with the
   * old one: there is no moment when both secrets are accepted.
   */
  rotateSecret?: boolean;
  /** Gateway mode, gateway on another computer: seal the enrolment into this file instead of the local store. */
  enrolFile?: string;
  /** That gateway's enrolment key (base64), when it cannot be found on the LAN. */
  gatewayKey?: string;
  wifiSsid?: string;
  wifiPassword?: string;
  timeoutMs?: number;
}

export interface ProvisionDeps extends DeviceDeps {
  log: Logger;
  progress?: ProgressFactory;
  askSecret?: AskSecret;
  env?: Record<string, string | undefined>;
  now?: Date;
  /** Gateway mode without --gateway: who answers on the LAN (default: mDNS). */
  findGateways?: FindGateways;
  chunkBytes?: number;
}
