// The MQTT 3.1.1 client's public shapes: options, the packets it reports, its events and the
// handle the app holds. Types only, so they cost nothing on the device.

export interface MqttWill {
  topic: string;
  /** Bytes, one char per byte. */
  payload: string;
  qos: 0 | 1;
  retain: boolean;
}

export interface MqttOptions {
  /** Bytes, as all strings here: non-ASCII text as its UTF-8 bytes. Empty is allowed only with clean = true [MQTT-3.1.3-7]. */
  clientId: string;
  /** Seconds; 0 turns keepalive pings off. */
  keepalive: number;
  clean: boolean;
  username?: string;
  /** A password without a username is sent with an empty username [MQTT-3.1.2-22]. */
  password?: string;
  will?: MqttWill;
  /** Bytes; an incoming packet larger than this closes the connection ("packet too large"). */
  maxPacket: number;
}

/**
 * MQTT control packet types a client receives [MQTT-2.2.1], and Closed (0, reserved in MQTT) for the
 * end of the session in MqttEvents. Inlined as numbers by the build. Range.Packet (../dispatch.ts):
 * the connection and the app take them in the same function as their own events.
 */
export const enum Packet {
  Closed = 0,
  Connack = 2,
  Publish = 3,
  Puback = 4,
  Suback = 9,
  Pingresp = 13,
}

/** A packet from the broker: CONNACK, PUBLISH, PUBACK, SUBACK or PINGRESP. */
export interface MqttPacket {
  /** How many bytes of the stream it took. */
  n: number;
  type: Packet;
  /** The packet id of PUBACK, SUBACK and a QoS 1 PUBLISH; 0 for CONNACK and a QoS 0 PUBLISH. */
  id: number;
  /** CONNACK: the return code; SUBACK: the QoS granted, or 0x80 for a refused subscription. */
  code?: number;
  /** CONNACK: session present. */
  sp?: boolean;
  /** PUBLISH: topic and payload (bytes, one char per byte) and QoS (0 or 1). */
  topic?: string;
  payload?: string;
  qos?: number;
}

/**
 * What a session reports, through one function (each function object costs device RAM):
 * a packet from the broker by its MQTT type, or the end of the session.
 */
export interface MqttEvents {
  /** The session ended, exactly once per client: e.g. "CONNACK 5: not authorized", "ping timeout", "packet too large". */
  (type: Packet.Closed, reason: string): void;
  /**
   * CONNACK accepted (`sp`), an incoming PUBLISH (`topic`, `payload`, `qos`; a QoS 1 one is
   * acknowledged after this returns), PUBACK (`id`), SUBACK (`id`, `code`: 0x80 is a refusal).
   */
  (type: Packet.Connack | Packet.Publish | Packet.Puback | Packet.Suback, packet: MqttPacket): void;
}

/** What the app asks of a session. Inlined as numbers by the build. */
export const enum Mq {
  /** The client's own: send these bytes (CONNECT, PUBACK). Not for the app. */
  Send = -1,
  /** No op: the client's timer (CONNACK wait, keepalive, ping wait). */
  Timer = 0,
  Publish = 1,
  End,
  Subscribe,
}

/** The session handle: one function called with an op (each function object costs device RAM). */
export interface MqttClient {
  /** Returns the packet id (1..65535), 0 for QoS 0, or -1 when the client is already closed (nothing sent). */
  (op: Mq.Publish, topic: string, payload: string, qos: 0 | 1, retain: boolean): number;
  /** Sends DISCONNECT and closes the socket; the closed event ("ended by client") follows. */
  (op: Mq.End): void;
  /** SUBSCRIBE to one topic filter at QoS 0 or 1; returns the packet id its SUBACK will carry, or -1 when closed. */
  (op: Mq.Subscribe, filter: string, qos: 0 | 1): number;
}
