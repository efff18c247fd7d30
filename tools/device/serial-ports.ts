// Which port to talk to the board on: the --port the user gave (a serial device or tcp://host:port,
// validated), else the only USB serial device attached. It does not open or probe the port.
import { existsSync, readdirSync } from 'node:fs';
import { UserError } from '../shared/errors';

export interface SerialPortInfo {
  path: string;
  manufacturer?: string;
  vendorId?: string;
  productId?: string;
}

export interface PortDeps {
  /** USB serial devices attached; defaults to listSerialPorts(). */
  list?: () => Promise<SerialPortInfo[]>;
  exists?: (path: string) => boolean;
}

/** Espruino serves its console over telnet on port 23 (ESP8266 and ESP32 builds). */
export const ESPRUINO_TELNET_PORT = 23;

/** Validates `tcp://host[:port]` and returns it normalised (port 23 when omitted). */
export function parseTcpPort(spec: string): { host: string; port: number; url: string } {
  const bad = (why: string) =>
    new UserError(`--port ${spec} is not a usable address (${why}): write it as tcp://HOST:PORT, e.g. tcp://192.168.1.50:23.`, 'port-invalid');
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw bad('it does not parse');
  }
  if (url.protocol !== 'tcp:') throw bad(`unknown scheme ${url.protocol}`);
  if (!url.hostname) throw bad('no host');
  if (url.pathname && url.pathname !== '/') throw bad('it has a path');
  if (url.username || url.password || url.search || url.hash) throw bad('it has extra parts');
  const port = url.port === '' ? ESPRUINO_TELNET_PORT : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad('port out of range');
  return { host: url.hostname, port, url: `tcp://${url.hostname}:${port}` };
}

// Names USB serial adapters get: Linux (CP210x/CH340 -> ttyUSB, CDC ACM -> ttyACM) and macOS.
const USB_SERIAL_NAME = /^(ttyUSB\d+|ttyACM\d+|cu\.usbserial.*|cu\.SLAB_USBtoUART.*|cu\.wchusbserial.*|cu\.usbmodem.*)$/;

/** USB serial device paths among the entries of /dev. Pure, so tests need no devices. */
export function usbSerialFromDevEntries(names: string[], devDir = '/dev'): SerialPortInfo[] {
  return names
    .filter((n) => USB_SERIAL_NAME.test(n))
    .sort()
    .map((n) => ({ path: `${devDir}/${n}` }));
}

function isUsbPort(p: SerialPortInfo): boolean {
  return !!p.vendorId || /ttyUSB|ttyACM|usbserial|usbmodem|SLAB_USBtoUART|wchusbserial/.test(p.path);
}

interface BindingsModule {
  autoDetect(): { list(): Promise<SerialPortInfo[]> };
}

/**
 * Lists USB serial devices with @serialport/bindings-cpp (a dependency of the espruino package's
 * optional serialport). Its Linux lister needs `udevadm`, absent in containers and minimal
 * systems, so any failure there falls back to scanning /dev by name.
 */
export async function listSerialPorts(): Promise<SerialPortInfo[]> {
  try {
    // A variable specifier keeps TypeScript from requiring the optional package at build time.
    const name = '@serialport/bindings-cpp';
    const mod = (await import(name)) as BindingsModule & { default?: BindingsModule };
    const bindings = typeof mod.autoDetect === 'function' ? mod : mod.default!;
    const ports = await bindings.autoDetect().list();
    return ports.filter(isUsbPort).map((p) => ({ path: p.path, manufacturer: p.manufacturer, vendorId: p.vendorId, productId: p.productId }));
  } catch {
    if (process.platform === 'win32') return [];
    try {
      return usbSerialFromDevEntries(readdirSync('/dev'));
    } catch {
      return [];
    }
  }
}

function describe(p: SerialPortInfo): string {
  const extra = [p.manufacturer, p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : undefined].filter(Boolean).join(' ');
  return extra ? `${p.path} (${extra})` : p.path;
}

/**
 * The port to use. With `port` given: tcp:// addresses are validated and normalised, a serial
 * path must exist (Windows COM names are taken as they are). Without: the only USB serial
 * device, or a UserError listing what is there.
 */
export async function findPort(port?: string, deps: PortDeps = {}): Promise<string> {
  const exists = deps.exists ?? existsSync;
  if (port !== undefined && port !== '') {
    if (port.includes('://')) return parseTcpPort(port).url;
    if (/^[\w.-]+:\d+$/.test(port)) {
      throw new UserError(`--port ${port} looks like a network address: write it as tcp://${port}.`, 'port-invalid');
    }
    if (/^COM\d+$/i.test(port)) return port.toUpperCase();
    if (!exists(port)) {
      throw new UserError(`Serial port ${port} does not exist: check the cable and the name (run without --port to list attached devices).`, 'port-not-found');
    }
    return port;
  }
  const ports = await (deps.list ?? listSerialPorts)();
  if (ports.length === 1) return ports[0].path;
  if (ports.length === 0) {
    throw new UserError(
      'No USB serial device found: plug the NodeMCU in with a data cable (some are charge-only) and install its USB driver (CP210x or CH340), or pass --port.',
      'port-none',
    );
  }
  throw new UserError(`Several serial devices are attached (${ports.map(describe).join(', ')}): pass --port with the one to use.`, 'port-several');
}
