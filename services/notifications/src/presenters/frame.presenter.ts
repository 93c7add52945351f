import { relayedEventTypes, type AnyEvent, type RelayedEventType, type ServerFrame } from '@parley/contracts';

/** The one place frames are serialised: once per event or announcement, whatever the audience. */
export const presentFrame = (frame: ServerFrame): string => JSON.stringify(frame);

const relayed = new Set<string>(relayedEventTypes);
export const isRelayedEvent = (type: string): type is RelayedEventType => relayed.has(type);

/**
 * A domain event as clients get it: `{type, data}`, without the routing hints meant for
 * services (`recipients`). Undefined for events clients are not sent.
 */
export function presentEventFrame(event: AnyEvent): string | undefined {
  if (!isRelayedEvent(event.type)) return undefined;
  const { recipients: _recipients, ...data } = event.data as Record<string, unknown>;
  return JSON.stringify({ type: event.type, data });
}
