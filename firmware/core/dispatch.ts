// The numbers the device's one-function modules are called with, in one place. Each function object
// costs RAM, so one function takes several kinds of event: the app takes the connection's, the MQTT
// client's and the glue's, the connection the client's and its own ops. Ranges keep them apart.
// Types only: the build inlines every value (in this file's own enums too: esbuild cannot fold an
// enum from another file into an enum's value), so this file costs no bytes and no RAM.

/** The first number of each range; a new kind of event gets a new range, never a number inside another. */
export const enum Range {
  /** MQTT control packet types (Packet, mqtt/types.ts): 0 (Closed) and 2..13. */
  Packet = 0,
  /** What the app asks of the connection (Conn). */
  Conn = 10,
  /** What the connection tells the app (Link). */
  Link = 20,
  /** What the glue tells the app (AppEv). */
  AppEv = 30,
}

/** What the app asks of the connection. Inlined as numbers by the build. */
export const enum Conn {
  /** Begin connecting (after Wi-Fi is up). Idempotent. */
  Start = Range.Conn,
  /** Drop the session and stop retrying (Wi-Fi went down). */
  Stop,
}

/** What the connection tells the app, besides the client's Publish and Puback. Inlined as numbers by the build. */
export const enum Link {
  /** (client, 'host:port'): the session is up (CONNACK accepted). */
  Up = Range.Link,
  /** (reason, fatal): the session ended; fatal means retrying will not help until config changes (e.g. not authorized). */
  Down,
  /** Asked before every attempt, so credentials that must change per connect (gateway counter) can. */
  Session,
}

/** What the glue tells the app. Inlined as numbers by the build. */
export const enum AppEv {
  WifiUp = Range.AppEv,
  /** (reason): '' for a plain loss of the network, else why it cannot work (shown as a fault). */
  WifiDown,
  /** (cause): a condition that keeps the device from working: shown on the LED and repeated in the health line. */
  Fault,
  /** The maintenance window's timer: the LAN console closes. */
  MaintEnd,
  /** (doors): the doors port, from the Wi-Fi glue, which is made after the app. */
  Doors,
}

/** The doors port's argument (AppPorts.doors, the Wi-Fi glue's function): the LAN console shut or open. */
export const enum Door {
  Shut,
  Open,
}
