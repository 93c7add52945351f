/**
 * A complete WebSocket text frame (RFC 6455 §5.2: FIN, opcode 1, unmasked as every server frame
 * is), header and payload in one buffer. The same bytes are right for every socket, so a frame
 * for N sockets is encoded once and each socket gets one plain write — no per-socket header, cork
 * or writev as `ws.send` does.
 */
export function encodeTextFrame(text: string): Buffer {
  const length = Buffer.byteLength(text, 'utf8');
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.write(text, headerLength, 'utf8');
  return frame;
}
