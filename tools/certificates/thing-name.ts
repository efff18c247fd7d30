// AWS IoT thing names: 1-128 letters, digits, ':', '_' or '-'. They become MQTT client ids, topic
// levels and file names here (certs/<thing>/, the gateway's store), so nothing else is let through.
import { UserError } from '../shared/errors';

export const THING_NAME = /^[A-Za-z0-9:_-]{1,128}$/;

export function checkThingName(thing: string): void {
  if (!THING_NAME.test(thing)) throw new UserError(`"${thing}" is not a valid thing name: use 1-128 letters, digits, ':', '_' or '-'.`, 'thing-name-invalid');
}
