// Numbers as Espruino 2v29 writes them (jsutils.c ftoa_bounded_extra, itostr): whole numbers that fit
// 32 bits plainly, others digit by digit in doubles with at most 11 fraction digits, exponents as
// `10e+20`. Code that joins strings with `+` or templates still gets V8's digits: the vm cannot hook those.

const INT_MIN = -2147483648;

/** C's (int32_t)x on x86: truncation, and INT_MIN for anything out of range. */
function toInt32(x: number): number {
  if (!(x > -2147483649 && x < 2147483648)) return INT_MIN;
  return Math.trunc(x);
}

const digit = (v: number): string => (v < 10 ? String.fromCharCode(48 + v) : String.fromCharCode(87 + v));

/** ftoa_bounded_extra: `fractionalDigits` < 0 means "as many as needed, up to 11" (toString). */
export function espruinoFloat(value: number, radix = 10, fractionalDigits = -1): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value < 0 ? '-Infinity' : 'Infinity';
  const stopAtError = 0.0000001;
  let out = '';
  let val = value;
  if (val < 0) {
    out += '-';
    val = -val;
  }
  let exponent = 0;
  if (radix === 10 && val > 0 && fractionalDigits < 0) {
    if (val >= 1e21) {
      while (val > 100000) {
        val /= 100000;
        exponent += 5;
      }
      while (val > 10) {
        val /= 10;
        exponent++;
      }
    } else if (val < 1e-6) {
      while (val < 1e-5) {
        val *= 100000;
        exponent -= 5;
      }
      while (val < 1) {
        val *= 10;
        exponent--;
      }
    }
  }
  // really close to an integer: use it
  if (toInt32(val + stopAtError) === toInt32(val) + 1 && toInt32(val) !== INT_MIN) val = toInt32(val) + 1;
  let d = 1;
  while (d * radix <= val) d *= radix;
  while (d >= 1) {
    const v = Math.trunc(val / d);
    val -= v * d;
    out += digit(v);
    d /= radix;
  }
  if ((fractionalDigits < 0 && val > 0) || fractionalDigits > 0) {
    let hasPt = false;
    val *= radix;
    while ((fractionalDigits < 0 && fractionalDigits > -12 && val > stopAtError) || fractionalDigits > 0) {
      let v = Math.trunc(val + (fractionalDigits === 1 ? 0.5 : 0.00000001));
      val = (val - v) * radix;
      if (v === radix) v = radix - 1;
      if (!hasPt) {
        hasPt = true;
        out += '.';
      }
      out += digit(v);
      fractionalDigits--;
    }
  }
  if (exponent) out += 'e' + (exponent > 0 ? '+' : '') + String(exponent);
  return out;
}

/** How Espruino turns a number into text (String(n), n.toString(radix), print, JSON). */
export function espruinoNumber(n: number, radix = 10): string {
  if (Number.isInteger(n) && n >= INT_MIN && n <= 2147483647) return Object.is(n, -0) ? '0' : n.toString(radix);
  return espruinoFloat(n, radix);
}

/** Number.prototype.toFixed (jswrap_number_toFixed): ftoa with a fixed count of fraction digits. */
export function espruinoToFixed(n: number, digits: number): string {
  const d = Math.max(0, Math.min(20, Math.trunc(digits) || 0));
  return espruinoFloat(n, 10, d);
}
