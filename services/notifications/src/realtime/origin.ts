// The rule lives in the kit: the gateway refuses a foreign origin at the handshake with the same one.
export { isOriginAllowed } from '@parley/kit';
