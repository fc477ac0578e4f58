// Independent byte builders for expected wire bytes (no use of the codec under test).
export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/[^0-9a-f]/gi, ''), 'hex');
}

/** A whole message from a type and a hex body, header computed here by hand. */
export function frame(type: number, bodyHex: string): Buffer {
  const body = hex(bodyHex);
  const len = 19 + body.length;
  return Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([len >> 8, len & 0xff, type]), body]);
}
