// The MQTT 3.1.1 client's public shapes: options, events and the handle the app holds.
// Types only, so they cost nothing on the device.

export interface MqttWill {
  topic: string;
  /** Bytes, one char per byte (not UTF-8 encoded for you). */
  payload: string;
  qos: 0 | 1;
  retain: boolean;
}

export interface MqttOptions {
  /** May be non-ASCII: it is sent as UTF-8. Empty is allowed only with clean = true [MQTT-3.1.3-7]. */
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

export interface MqttEvents {
  connected(sessionPresent: boolean): void;
  /** `topic` and `payload` are the raw bytes, one char per byte (a non-ASCII topic arrives as UTF-8 bytes). */
  message(topic: string, payload: string, qos: number, retain: boolean): void;
  puback(packetId: number): void;
  /** One entry per requested topic: the granted QoS, or 0x80 for a refused subscription. */
  suback(packetId: number, granted: number[]): void;
  /** Exactly once per client, e.g. "CONNACK 5: not authorized", "ping timeout", "packet too large". */
  closed(reason: string): void;
}

export interface MqttClient {
  /** Returns the packet id (1..65535), 0 for QoS 0, or -1 when the client is already closed (nothing sent). */
  publish(topic: string, payload: string, qos: 0 | 1, retain: boolean): number;
  /** Returns the packet id of the SUBSCRIBE, or -1 when the client is already closed. */
  subscribe(topic: string, qos: 0 | 1): number;
  /** Sends DISCONNECT and closes the socket; `closed("ended by client")` follows. */
  end(): void;
}
