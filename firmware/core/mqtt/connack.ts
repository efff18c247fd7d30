// Names the CONNACK return codes [MQTT-3.2.2.3] for the closed() reason.
// A switch rather than a table, so the strings stay in flash with the code instead of in RAM.

/** "CONNACK 5: not authorized" and so on; codes 6..255 are reserved and reported as such. */
export function connackReason(code: number): string {
  let s: string;
  switch (code) {
    case 1:
      s = 'unacceptable protocol version';
      break;
    case 2:
      s = 'identifier rejected';
      break;
    case 3:
      s = 'server unavailable';
      break;
    case 4:
      s = 'bad user name or password';
      break;
    case 5:
      s = 'not authorized';
      break;
    default:
      s = 'refused';
  }
  return 'CONNACK ' + code + ': ' + s;
}
