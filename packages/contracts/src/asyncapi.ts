import { z } from 'zod';
import { eventDataSchemas } from './events.ts';
import { clientFrameSchema, relayedEventTypes, serverFrameDataSchemas, wsAuthTimeoutMs, wsCloseCodes } from './ws.ts';

/**
 * The WebSocket protocol (`GET /ws`) as an AsyncAPI 3.0 document, built from the same zod
 * schemas the server parses client frames with and types its server frames by, so the
 * published description cannot drift from the code. The gateway serves it at
 * `/api/v1/asyncapi.json`; docs/realtime.md is the prose that goes with it.
 */
export function asyncApiDocument(): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  const clientRefs: { $ref: string }[] = [];
  const serverRefs: { $ref: string }[] = [];
  const add = (name: string, payload: z.ZodType, summary: string, refs: { $ref: string }[]) => {
    messages[name] = { name, summary, contentType: 'application/json', payload: jsonSchemaOf(payload) };
    refs.push({ $ref: `#/channels/ws/messages/${name}` });
  };

  for (const option of clientFrameSchema.options) {
    const type = option.shape.type.value;
    add(`client.${type}`, option, clientSummaries[type], clientRefs);
  }
  add('server.pong', z.object({ type: z.literal('pong') }), 'The answer to a client `ping`.', serverRefs);
  for (const [type, data] of Object.entries(serverFrameDataSchemas)) {
    add(`server.${type}`, z.object({ type: z.literal(type), data }), serverSummaries[type as keyof typeof serverSummaries], serverRefs);
  }
  for (const type of relayedEventTypes) {
    const schema = eventDataSchemas[type];
    // Routing hints meant for services (`recipients`) are not sent to clients.
    const data = 'recipients' in schema.shape ? (schema as z.ZodObject).omit({ recipients: true }) : schema;
    add(`server.${type}`, z.object({ type: z.literal(type), data }), `The domain event \`${type}\`, relayed to the members it concerns.`, serverRefs);
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Parley WebSocket protocol',
      version: '1.0.0',
      description:
        'One WebSocket per tab at `/ws` on the platform origin. The first frame is `auth` (within ' +
        `${wsAuthTimeoutMs / 1000} s); every frame is JSON text, server frames are \`{type, data}\`. ` +
        "After any reconnect, or a `resync` frame, fetch each conversation's gap with " +
        '`GET /api/v1/conversations/{id}/messages?after=<last seq>`. The full protocol, with close ' +
        'codes and resume rules, is docs/realtime.md in the repository.',
    },
    channels: { ws: { address: '/ws', messages } },
    operations: {
      receiveClientFrames: { action: 'receive', channel: { $ref: '#/channels/ws' }, summary: 'Frames a client sends', messages: clientRefs },
      sendServerFrames: { action: 'send', channel: { $ref: '#/channels/ws' }, summary: 'Frames the server sends', messages: serverRefs },
    },
    'x-close-codes': wsCloseCodes,
  };
}

const clientSummaries: Record<z.infer<typeof clientFrameSchema>['type'], string> = {
  auth: 'Authenticates the socket (first frame), and renews its token at any time; answered `ready`.',
  typing: 'The caller is typing in a conversation; relayed to its other members (at most one per 2 s).',
  ping: 'Application keep-alive; answered `pong`.',
};

const serverSummaries: Record<keyof typeof serverFrameDataSchemas, string> = {
  ready: "The socket is authenticated; from now on every event of the caller's conversations arrives.",
  error: 'A frame the client sent was not understood or not allowed; the socket stays open.',
  typing: "Someone is typing in one of the caller's conversations.",
  presence:
    "A contact's or conversation partner's presence changed: the value public profiles show as `status` and GET /api/v1/presence answers (docs/presence.md).",
  notification: 'A stored notification (mention, direct message, added to a group).',
  resync: 'Live frames may have been missed: fetch every gap by seq, as after a reconnect.',
};

function jsonSchemaOf(schema: z.ZodType): unknown {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' });
  return json;
}
