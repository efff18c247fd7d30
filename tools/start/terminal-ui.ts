// The interactive view of `npm start`: the LED live on a status line at the bottom, device
// console lines and cloud messages scrolling above it, single keys to act on the virtual world.
import readline from 'node:readline';
import type { Demo } from './demo';

export interface TerminalUi {
  line(text: string): void;
  led(lit: boolean): void;
  /** `update` is what the u key does (roll a new version out through the local AWS IoT Jobs). */
  run(demo: Demo, actions?: { update?: () => void }): Promise<void>;
}

export const HELP = 'space/enter press (hold = long) · d double · l long · u update · w Wi-Fi · b broker · r power-cut reboot · q quit';

export function createTerminalUi(out: NodeJS.WriteStream = process.stdout): TerminalUi {
  let lit = false;
  let wifi = true;
  let shown: Demo | undefined; // the demo run() drives; it knows whether its broker is up
  const color = out.isTTY;
  const status = () => {
    const bulb = lit ? (color ? '\x1b[44m\x1b[97m ● LED \x1b[0m' : '[LED on ]') : '[LED off]';
    return `${bulb}  wifi:${wifi ? 'up' : 'DOWN'} broker:${(shown?.brokerIsUp() ?? true) ? 'up' : 'DOWN'}  ${HELP}`;
  };
  const redraw = () => {
    if (out.isTTY) out.write('\r\x1b[2K' + status().slice(0, (out.columns || 200) - 1));
  };
  const ui: TerminalUi = {
    line(text) {
      if (out.isTTY) out.write('\r\x1b[2K');
      out.write(text + '\n');
      redraw();
    },
    led(on) {
      lit = on;
      redraw();
    },
    run(demo, actions = {}) {
      shown = demo;
      return new Promise((resolve) => {
        const input = process.stdin;
        readline.emitKeypressEvents(input);
        if (input.isTTY) input.setRawMode(true);
        input.resume();
        let held = false;
        let release: NodeJS.Timeout | undefined;
        // Terminals send no key-up: a held key arrives as auto-repeats. The button stays down
        // while repeats keep coming; the first gap wider than the repeat delay releases it.
        const hold = () => {
          if (!held) {
            held = true;
            demo.device.setPin('D0', 0);
            if (release) clearTimeout(release);
            release = setTimeout(up, 550);
          } else {
            if (release) clearTimeout(release);
            release = setTimeout(up, 120);
          }
        };
        const up = () => {
          held = false;
          demo.device.setPin('D0', 1);
        };
        const act = async (name: string | undefined, seq: string) => {
          if (name === 'q' || seq === '\x03') {
            input.off('keypress', onKey);
            if (input.isTTY) input.setRawMode(false);
            input.pause();
            if (release) clearTimeout(release);
            resolve();
            return;
          }
          if (name === 'space' || name === 'return') return hold();
          if (name === 'd') return demo.press('double');
          if (name === 'l') return demo.press('long');
          if (name === 'u') return actions.update?.();
          if (name === 'w') {
            wifi = !wifi;
            if (wifi) demo.device.wifiUp();
            else demo.device.wifiDown();
            ui.line(`[world] Wi-Fi access point ${wifi ? 'back up' : 'down'}`);
          } else if (name === 'b') {
            const start = !demo.brokerIsUp();
            ui.line(`[world] broker ${start ? 'starting' : 'stopping'}`);
            if (start) await demo.brokerUp();
            else await demo.brokerDown();
            redraw();
          } else if (name === 'r') {
            ui.line('[world] power cut: the device reboots');
            demo.device.reboot();
          }
          redraw();
        };
        const onKey = (seq: string, key: { name?: string; sequence: string } | undefined) => {
          void act(key?.name ?? seq, key?.sequence ?? seq).catch((e) => ui.line(`[world] ${e instanceof Error ? e.message : e}`));
        };
        input.on('keypress', onKey);
        redraw();
      });
    },
  };
  return ui;
}
