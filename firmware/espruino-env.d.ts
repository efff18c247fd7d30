// What @types/espruino (1.95) lacks and the firmware uses: require() of built-in modules,
// console, timers, E.on/getSerial, process.memory, Storage, Wifi, net, tls, crypto.
// Declared here, by hand, only as far as we use them, checked against Espruino 2v29.

interface EspruinoSocket {
  write(data: string): void;
  end(): void;
  on(event: string, fn: (arg?: any) => void): void;
}

interface EspruinoStorage {
  read(name: string, offset?: number, length?: number): string | undefined;
  readJSON(name: string, noExceptions?: boolean): any;
  write(name: string, data: string, offset?: number, size?: number): boolean;
  writeJSON(name: string, data: any): boolean;
  erase(name: string): void;
  list(pattern?: RegExp): string[];
  compact(): void;
  getFree(): number;
}

interface EspruinoWifi {
  connect(ssid: string, options: { password?: string }, cb: (err: string | null) => void): void;
  disconnect(cb?: () => void): void;
  getIP(): { ip: string; netmask?: string; gw?: string; mac?: string };
  getDetails(): { status?: string; ssid?: string; rssi?: number; [k: string]: any };
  getStatus(): { station?: string; [k: string]: any };
  setHostname(name: string): void;
  setSNTP(server: string, tzOffset: number): void;
  stopAP(cb?: () => void): void;
  save(what?: string): void;
  restore(): void;
  on(event: 'connected' | 'disconnected' | 'dhcp_timeout' | string, fn: (details?: any) => void): void;
}

interface EspruinoNet {
  connect(opts: { host: string; port: number }, cb?: () => void): EspruinoSocket;
}

interface EspruinoTls {
  connect(opts: { host: string; port: number; key?: string; cert?: string; ca?: string }, cb?: () => void): EspruinoSocket;
}

interface EspruinoCrypto {
  SHA1(data: string): ArrayBuffer;
}

declare function require(name: 'Storage'): EspruinoStorage;
declare function require(name: 'Wifi'): EspruinoWifi;
declare function require(name: 'net'): EspruinoNet;
declare function require(name: 'tls'): EspruinoTls;
declare function require(name: 'crypto'): EspruinoCrypto;
declare function require(name: string): any;

declare var console: { log(...args: any[]): void };
declare function setTimeout(fn: () => void, ms: number): number;
declare function setInterval(fn: () => void, ms: number): number;
declare function clearInterval(id?: number): void;

declare namespace E {
  function on(event: 'init' | 'kill' | 'errorFlag', fn: (arg?: any) => void): void;
  function toString(...args: any[]): string;
  function getConsole(): string | null;
  function setConsole(device: string | null, options?: { force?: boolean }): void;
}

declare var process: {
  memory(): { free: number; usage: number; total: number; history?: number };
  env: { VERSION: string; BOARD: string; MODULES?: string; [k: string]: any };
};
