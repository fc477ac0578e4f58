// A receiving UDP socket that reports each datagram's IP TTL / IPv6 hop limit, which node:dgram
// cannot: BFD must check it (RFC 5881 §5: single hop accepts only 255; RFC 5883 §2: multihop
// accepts down to a configured minimum) and count what it drops. Made through koffi (FFI to
// libc) with IP_RECVTTL / IPV6_RECVHOPLIMIT; recvmsg reads the TTL from the control message.
// Reads are event-driven, as for the packet sockets (fd-reader.ts): datagrams are drained with
// recvmsg(MSG_DONTWAIT), a bounded number per wakeup. Sending goes through node:dgram (the source port and TTL are all a sender needs).
import koffi from 'koffi';
import { IP } from '@herald/shared/net';
import { sockaddr } from './tcp-md5.js';
import { FdReader } from './fd-reader.js';


const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const IPPROTO_IP = 0;
const IPPROTO_IPV6 = 41;
const IP_TTL = 2;
const IP_RECVTTL = 12;
const IPV6_V6ONLY = 26;
const IPV6_RECVHOPLIMIT = 51;
const IPV6_HOPLIMIT = 52;
const MSG_DONTWAIT = 0x40;
const MSG_TRUNC = 0x20;
const ECONNREFUSED = 111;
const MAX_PER_WAKEUP = 256;
const BUFFER = 2048;
const CONTROL = 128;

export class UdpTtlSocketError extends Error {
  override readonly name = 'UdpTtlSocketError';
  constructor(
    readonly op: string,
    readonly errno: number,
  ) {
    super(`${op}: errno ${errno}`);
  }
}

interface MsgHdr {
  name: Buffer;
  namelen: number;
  iov: Buffer;
  iovlen: number;
  control: Buffer;
  controllen: number;
  flags: number;
}

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  setsockopt(fd: number, level: number, name: number, val: Buffer, len: number): number;
  recvmsg(fd: number, msg: MsgHdr, flags: number): number;
  close(fd: number): number;
}

let libc: Libc | undefined;
function getLibc(): Libc {
  if (libc) return libc;
  const lib = koffi.load('libc.so.6');
  const msghdr = koffi.struct('herald_msghdr', { name: 'void *', namelen: 'uint32', iov: 'void *', iovlen: 'size_t', control: 'void *', controllen: 'size_t', flags: 'int' });
  libc = {
    socket: lib.func('int socket(int, int, int)') as Libc['socket'],
    bind: lib.func('int bind(int, const void *, uint32_t)') as Libc['bind'],
    setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)') as Libc['setsockopt'],
    recvmsg: lib.func('recvmsg', 'long', ['int', koffi.inout(koffi.pointer(msghdr)), 'int']) as Libc['recvmsg'],
    close: lib.func('int close(int)') as Libc['close'],
  };
  return libc;
}

export interface Datagram {
  readonly payload: Buffer;
  readonly from: IP;
  readonly port: number;
  /** The IP TTL (IPv4) or hop limit (IPv6) it arrived with; undefined if the kernel gave none. */
  readonly ttl: number | undefined;
}

export interface UdpTtlSocketOptions {
  readonly family: 4 | 6;
  /** Default: the wildcard address of the family (IPv6: v6 only). */
  readonly bindAddress?: IP;
  readonly port: number;
  readonly onDatagram: (d: Datagram) => void;
  readonly onError?: (err: Error) => void;
}

/** Reads a struct sockaddr_in / sockaddr_in6. */
function readSockaddr(b: Buffer): { address: IP; port: number } | undefined {
  const family = b.readUInt16LE(0);
  if (family === AF_INET) return { address: IP.fromBytes(b.subarray(4, 8)), port: b.readUInt16BE(2) };
  if (family === AF_INET6) return { address: IP.fromBytes(b.subarray(8, 24)), port: b.readUInt16BE(2) };
  return undefined;
}

/** The TTL from the control messages (struct cmsghdr: len u64, level i32, type i32, data). */
export function ttlFromControl(c: Buffer): number | undefined {
  for (let off = 0; off + 16 <= c.length; ) {
    const len = Number(c.readBigUInt64LE(off));
    if (len < 16 || off + len > c.length) return undefined;
    const level = c.readInt32LE(off + 8);
    const type = c.readInt32LE(off + 12);
    if ((level === IPPROTO_IP && type === IP_TTL) || (level === IPPROTO_IPV6 && type === IPV6_HOPLIMIT)) return c.readInt32LE(off + 16);
    off += (len + 7) & ~7;
  }
  return undefined;
}

export class UdpTtlSocket {
  private fd: number;
  private readonly reader: FdReader;
  private readonly lib = getLibc();
  private readonly data = Buffer.alloc(BUFFER);
  private readonly name = Buffer.alloc(28);
  private readonly control = Buffer.alloc(CONTROL);
  private readonly iov = Buffer.alloc(16);

  constructor(private readonly o: UdpTtlSocketOptions) {
    const fd = this.lib.socket(o.family === 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw new UdpTtlSocketError('socket', koffi.errno());
    this.fd = fd;
    try {
      const one = Buffer.alloc(4);
      one.writeInt32LE(1);
      this.check('SO_REUSEADDR', this.lib.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, one, 4));
      if (o.family === 4) this.check('IP_RECVTTL', this.lib.setsockopt(fd, IPPROTO_IP, IP_RECVTTL, one, 4));
      else {
        this.check('IPV6_V6ONLY', this.lib.setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, one, 4));
        this.check('IPV6_RECVHOPLIMIT', this.lib.setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, one, 4));
      }
      const addr = sockaddr(o.bindAddress ?? IP.parse(o.family === 4 ? '0.0.0.0' : '::'), o.port);
      this.check(`bind port ${o.port}`, this.lib.bind(fd, addr, addr.length));
      this.iov.writeBigUInt64LE(koffi.address(this.data), 0);
      this.iov.writeBigUInt64LE(BigInt(BUFFER), 8);
      // An ICMP port unreachable (a peer not running BFD yet) is not fatal for a receiver.
      this.reader = new FdReader({ fd, maxPerWakeup: MAX_PER_WAKEUP, readOne: () => this.readOne(), skipErrnos: [ECONNREFUSED], onError: (errno) => this.o.onError?.(new UdpTtlSocketError('recvmsg', errno)) });
    } catch (err) {
      this.lib.close(fd);
      this.fd = -1;
      throw err;
    }
  }

  private check(op: string, rc: number): void {
    if (rc < 0) throw new UdpTtlSocketError(op, koffi.errno());
  }

  get closed(): boolean {
    return this.fd < 0;
  }

  /** One datagram (read through FdReader): its length, or < 0 with errno set. */
  private readOne(): number {
    const m: MsgHdr = { name: this.name, namelen: this.name.length, iov: this.iov, iovlen: 1, control: this.control, controllen: CONTROL, flags: 0 };
    const n = this.lib.recvmsg(this.fd, m, MSG_DONTWAIT);
    if (n < 0 || m.flags & MSG_TRUNC) return n; // truncated: larger than any BFD packet, not ours
    const src = readSockaddr(this.name);
    if (src) this.o.onDatagram({ payload: Buffer.from(this.data.subarray(0, n)), from: src.address, port: src.port, ttl: ttlFromControl(this.control.subarray(0, Math.min(CONTROL, m.controllen))) });
    return n;
  }

  close(): void {
    if (this.fd < 0) return;
    this.reader.close();
    this.lib.close(this.fd);
    this.fd = -1;
  }
}
