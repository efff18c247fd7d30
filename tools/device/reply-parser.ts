// Splits what an Espruino console prints into our reply frames (STX body ETX, printed by the code
// console-client sends) and ordinary output lines (logs, prompts, errors). Pure: no I/O, no timers.
//
// Frames use control characters because JSON.stringify (Node's and Espruino's) escapes every
// character below 0x20, so no value inside a frame can end it early, and the quiet (\x10) lines we
// send hold only the escape text "\x02", never the byte: an echoed command cannot look like a reply.

export const STX = '\x02';
export const ETX = '\x03';

export interface ReplyParser {
  /** Feed received bytes (one char per byte). */
  push(text: string): void;
}

export interface ReplyHandlers {
  frame(body: string): void;
  /** A finished output line outside any frame, without \r and terminal escapes. */
  line(text: string): void;
}

// ESC [ ... letter (cursor moves, erase line), ESC ] ... BEL, and a lone ESC + char.
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[^[\]]/g;

export function createReplyParser(h: ReplyHandlers): ReplyParser {
  let inFrame = false;
  let frame = '';
  let line = '';

  function endLine(): void {
    // A carriage return moves back to the line start: what follows it overwrites what was there
    // (a prompt, the input line Espruino takes off the screen before printing).
    const text = line.replace(ANSI, '').replace(/\r+$/, '');
    const cr = text.lastIndexOf('\r');
    line = '';
    h.line(cr < 0 ? text : text.slice(cr + 1));
  }

  return {
    push(text) {
      let i = 0;
      while (i < text.length) {
        if (inFrame) {
          const end = text.indexOf(ETX, i);
          if (end < 0) {
            frame += text.slice(i);
            return;
          }
          frame += text.slice(i, end);
          inFrame = false;
          const body = frame;
          frame = '';
          i = end + 1;
          h.frame(body);
          continue;
        }
        const stx = text.indexOf(STX, i);
        const nl = text.indexOf('\n', i);
        if (nl >= 0 && (stx < 0 || nl < stx)) {
          line += text.slice(i, nl);
          i = nl + 1;
          endLine();
        } else if (stx >= 0) {
          line += text.slice(i, stx);
          inFrame = true;
          i = stx + 1;
        } else {
          line += text.slice(i);
          // Output that never ends a line (a busy device echoing) must not grow without bound.
          if (line.length > 8192) endLine();
          return;
        }
      }
    },
  };
}
