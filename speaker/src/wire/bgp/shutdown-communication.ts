// The BGP Shutdown Communication (RFC 9003, which replaced RFC 8203): the data of a NOTIFICATION
// Cease / Administrative Shutdown or Administrative Reset is one length octet and that many octets
// of UTF-8 (at most 255), telling the operator on the other side why the session went down.

/** The most octets the message may have (RFC 9003 §2: lengths up to 255). */
export const SHUTDOWN_COMMUNICATION_MAX = 255;

/**
 * The NOTIFICATION data for `text`: its UTF-8, cut at a character boundary so that it fits 255
 * octets (a cut never leaves half a character), after one length octet.
 */
export function encodeShutdownCommunication(text: string): Buffer {
  let bytes = Buffer.from(text, 'utf8');
  if (bytes.length > SHUTDOWN_COMMUNICATION_MAX) {
    let end = SHUTDOWN_COMMUNICATION_MAX;
    // Back up over continuation octets (10xxxxxx) to the start of the character that was cut.
    while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
    bytes = bytes.subarray(0, end);
  }
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

export type ShutdownCommunication =
  | { readonly type: 'none' }
  | { readonly type: 'message'; readonly text: string }
  /** Data that is not a well-formed communication: RFC 9003 §4 says log it, and carry on. */
  | { readonly type: 'malformed'; readonly why: string };

/** The communication in a Cease's data (empty data: none). Never throws. */
export function decodeShutdownCommunication(data: Buffer): ShutdownCommunication {
  if (data.length === 0) return { type: 'none' };
  const len = data[0]!;
  if (len === 0) return { type: 'none' };
  if (len + 1 > data.length) return { type: 'malformed', why: `length ${len} but ${data.length - 1} octets follow` };
  try {
    return { type: 'message', text: new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(1, 1 + len)) };
  } catch {
    return { type: 'malformed', why: 'not UTF-8' };
  }
}
