// OPEN and its capabilities (RFC 4271 §4.2, RFC 5492, 4760, 2918, 4724, 6793).
import { IP } from '@herald/shared/net';
import { Cursor } from './cursor.js';
import { DecodeError, ErrorCode, HeaderSubcode, OpenSubcode } from './errors.js';
import { CapabilityCode, type Capability, type OpenMessage } from './types.js';

function capabilityValue(c: Capability): [number, Buffer] {
  switch (c.type) {
    case 'multiprotocol': {
      const b = Buffer.alloc(4);
      b.writeUInt16BE(c.afi, 0);
      b[3] = c.safi;
      return [CapabilityCode.multiprotocol, b];
    }
    case 'route-refresh':
      return [CapabilityCode.routeRefresh, Buffer.alloc(0)];
    case 'four-octet-as': {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(c.asn >>> 0, 0);
      return [CapabilityCode.fourOctetAs, b];
    }
    case 'graceful-restart': {
      const b = Buffer.alloc(2 + 4 * c.families.length);
      b.writeUInt16BE(((c.restarting ? 0x8 : 0) << 12) | (c.restartTime & 0xfff), 0);
      c.families.forEach((f, i) => {
        b.writeUInt16BE(f.afi, 2 + i * 4);
        b[4 + i * 4] = f.safi;
        b[5 + i * 4] = f.forwardingPreserved ? 0x80 : 0;
      });
      return [CapabilityCode.gracefulRestart, b];
    }
    case 'unknown':
      return [c.code, c.value];
  }
}

export function encodeOpenBody(m: OpenMessage): Buffer {
  // Each capability in its own Capabilities optional parameter (type 2), as BIRD and FRR send.
  const caps = m.capabilities.map((c) => {
    const [code, value] = capabilityValue(c);
    return Buffer.concat([Buffer.from([2, value.length + 2, code, value.length]), value]);
  });
  const params = Buffer.concat(caps);
  if (params.length > 255) throw new DecodeError('OPEN optional parameters too long', ErrorCode.openMessage, 0);
  const head = Buffer.alloc(10);
  head[0] = m.version;
  head.writeUInt16BE(m.myAS, 1);
  head.writeUInt16BE(m.holdTime, 3);
  m.routerId.toBytes().copy(head, 5);
  head[9] = params.length;
  return Buffer.concat([head, params]);
}

function decodeCapability(code: number, value: Buffer): Capability {
  const c = new Cursor(value, ErrorCode.openMessage, 0, 'capability');
  switch (code) {
    case CapabilityCode.multiprotocol: {
      if (value.length !== 4) break;
      const afi = c.u16();
      c.u8();
      return { type: 'multiprotocol', afi, safi: c.u8() };
    }
    case CapabilityCode.routeRefresh:
      if (value.length !== 0) break;
      return { type: 'route-refresh' };
    case CapabilityCode.fourOctetAs:
      if (value.length !== 4) break;
      return { type: 'four-octet-as', asn: c.u32() };
    case CapabilityCode.gracefulRestart: {
      if (value.length < 2 || (value.length - 2) % 4 !== 0) break;
      const w = c.u16();
      const families: { afi: number; safi: number; forwardingPreserved: boolean }[] = [];
      while (c.remaining > 0) families.push({ afi: c.u16(), safi: c.u8(), forwardingPreserved: (c.u8() & 0x80) !== 0 });
      return { type: 'graceful-restart', restarting: (w & 0x8000) !== 0, restartTime: w & 0xfff, families };
    }
    default:
      break;
  }
  return { type: 'unknown', code, value: Buffer.from(value) };
}

export function decodeOpenBody(body: Buffer): OpenMessage {
  const c = new Cursor(body, ErrorCode.messageHeader, HeaderSubcode.badMessageLength, 'OPEN');
  if (body.length < 10) throw new DecodeError('OPEN shorter than 10 bytes', ErrorCode.messageHeader, HeaderSubcode.badMessageLength);
  const version = c.u8();
  if (version !== 4) {
    throw new DecodeError(`unsupported BGP version ${version}`, ErrorCode.openMessage, OpenSubcode.unsupportedVersion, Buffer.from([0, 4]));
  }
  const myAS = c.u16();
  const holdTime = c.u16();
  const routerId = IP.fromBytes(c.bytes(4));
  const plen = c.u8();
  if (plen !== c.remaining) {
    throw new DecodeError(`OPEN parameter length ${plen} != ${c.remaining}`, ErrorCode.messageHeader, HeaderSubcode.badMessageLength);
  }
  const params = new Cursor(c.bytes(plen), ErrorCode.openMessage, 0, 'OPEN parameters');
  const capabilities: Capability[] = [];
  while (params.remaining > 0) {
    const ptype = params.u8();
    const p = new Cursor(params.bytes(params.u8()), ErrorCode.openMessage, 0, 'OPEN parameter');
    if (ptype !== 2) {
      throw new DecodeError(`unsupported optional parameter ${ptype}`, ErrorCode.openMessage, OpenSubcode.unsupportedOptionalParameter);
    }
    while (p.remaining > 0) {
      const code = p.u8();
      capabilities.push(decodeCapability(code, p.bytes(p.u8())));
    }
  }
  return { type: 'open', version, myAS, holdTime, routerId, capabilities };
}
