// Turns the device's console bytes into terminal text: whole lines as they complete, a partial
// line (the prompt, an echo) once the device pauses, terminal escape codes and stray control
// bytes (a reset's bootloader noise) removed, every piece masked by `redact`. No I/O of its own.

export interface LinePrinter {
  push(data: Buffer): void;
  /** Prints what is pending now (before a status line, at exit). */
  flush(): void;
  dispose(): void;
}

export interface LinePrinterOptions {
  write(text: string): void;
  redact(text: string): string;
  /** How long the device must be quiet before a partial line is shown (default 150 ms). */
  idleMs?: number;
}

// CSI sequences (ESC [ ... letter) such as Espruino's "\x1b[J" after each prompt, and other ESC pairs.
const ESCAPES = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]/g;
// Keep tab, newline and a lone \r (Espruino returns to the line start to print over its prompt);
// the rest is noise (a reset prints 74880-baud bootloader garbage).
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

export function clean(text: string): string {
  return text.replace(ESCAPES, '').replace(/\r+\n/g, '\n').replace(CONTROL, '');
}

export function createLinePrinter(o: LinePrinterOptions): LinePrinter {
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  // Raw text is kept until it is printed, so a \r\n or an escape code split between chunks is whole when cleaned.
  const emit = (raw: string) => {
    const text = clean(raw);
    if (text) o.write(o.redact(text));
  };
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    emit(pending);
    pending = '';
  };
  return {
    push(data) {
      pending += data.toString('latin1');
      const end = pending.lastIndexOf('\n');
      // Whole lines at once, so a secret is never cut in two by a flush.
      if (end >= 0) {
        emit(pending.slice(0, end + 1));
        pending = pending.slice(end + 1);
      }
      if (timer) clearTimeout(timer);
      timer = pending ? setTimeout(flush, o.idleMs ?? 150) : undefined;
    },
    flush,
    dispose() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
