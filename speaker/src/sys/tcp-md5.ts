// TCP sockets created through libc (koffi FFI), so options Node cannot set are set before
// connect: TCP_MD5SIG (RFC 2385), the IP TTL / IPv6 hop limit (eBGP direct vs multihop), the
// minimum TTL accepted (GTSM, RFC 5082), and the
// bound source address. The fd is then handed to `new net.Socket({fd})`, which connects it.
// All FFI of the BGP speaker lives in this file.
import koffi from 'koffi';
import type { IP } from '@herald/shared/net';

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0o2000000;
const IPPROTO_IP = 0;
const IPPROTO_TCP = 6;
const IPPROTO_IPV6 = 41;
const IP_TTL = 2;
const IP_MINTTL = 21;
const IPV6_UNICAST_HOPS = 16;
const IPV6_MINHOPCOUNT = 73;
const TCP_MD5SIG = 14;
const TCP_MD5SIG_MAXKEYLEN = 80;
/** sizeof(struct tcp_md5sig): sockaddr_storage 128 + flags, prefixlen, keylen, ifindex 8 + key 80. */
const TCP_MD5SIG_SIZE = 216;

export class SocketOptionError extends Error {
  override readonly name = 'SocketOptionError';
  constructor(
    message: string,
    readonly errno: number,
  ) {
    super(`${message}: errno ${errno}`);
  }
}

interface Libc {
  socket(domain: number, type: number, proto: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  close(fd: number): number;
}

let libc: Libc | undefined;
function lib(): Libc {
  if (libc) return libc;
  const l = koffi.load('libc.so.6');
  libc = {
    socket: l.func('int socket(int, int, int)') as Libc['socket'],
    setsockopt: l.func('int setsockopt(int, int, int, void *, uint32_t)') as Libc['setsockopt'],
    bind: l.func('int bind(int, void *, uint32_t)') as Libc['bind'],
    close: l.func('int close(int)') as Libc['close'],
  };
  return libc;
}

/** struct sockaddr_in / sockaddr_in6 (family in host order, port and address in network order). */
export function sockaddr(ip: IP, port: number): Buffer {
  if (ip.family === 4) {
    const b = Buffer.alloc(16);
    b.writeUInt16LE(AF_INET, 0);
    b.writeUInt16BE(port, 2);
    ip.toBytes().copy(b, 4);
    return b;
  }
  const b = Buffer.alloc(28);
  b.writeUInt16LE(AF_INET6, 0);
  b.writeUInt16BE(port, 2);
  ip.toBytes().copy(b, 8);
  return b;
}

/** struct tcp_md5sig for one peer address (whole address, no prefix, no ifindex). */
export function md5sigStruct(peer: IP, key: string): Buffer {
  const k = Buffer.from(key, 'utf8');
  if (k.length > TCP_MD5SIG_MAXKEYLEN) throw new RangeError(`TCP MD5 key longer than ${TCP_MD5SIG_MAXKEYLEN} bytes`);
  const b = Buffer.alloc(TCP_MD5SIG_SIZE);
  sockaddr(peer, 0).copy(b, 0);
  b.writeUInt16LE(k.length, 130);
  k.copy(b, 136);
  return b;
}

function int(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v, 0);
  return b;
}

export interface BgpSocketOptions {
  readonly peer: IP;
  /** Bound before connect (the BGPPeer's sourceAddress). */
  readonly localAddress?: IP;
  /** TCP MD5 key; never logged. */
  readonly password?: string;
  /** IP TTL / IPv6 hop limit for outgoing packets. */
  readonly ttl?: number;
  /** GTSM (RFC 5082): drop incoming packets with a lower TTL / hop limit. */
  readonly minTtl?: number;
}

/** Creates a TCP socket fd with the options set; the caller passes it to new net.Socket({fd}). */
export function createBgpSocketFd(o: BgpSocketOptions): number {
  const c = lib();
  const fd = c.socket(o.peer.family === 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new SocketOptionError('socket()', koffi.errno());
  try {
    if (o.password) {
      const s = md5sigStruct(o.peer, o.password);
      if (c.setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, s, s.length) !== 0) throw new SocketOptionError('setsockopt(TCP_MD5SIG)', koffi.errno());
    }
    if (o.ttl !== undefined) {
      const [level, name] = o.peer.family === 4 ? [IPPROTO_IP, IP_TTL] : [IPPROTO_IPV6, IPV6_UNICAST_HOPS];
      if (c.setsockopt(fd, level, name, int(o.ttl), 4) !== 0) throw new SocketOptionError('setsockopt(TTL)', koffi.errno());
    }
    if (o.minTtl !== undefined) {
      const [level, name] = o.peer.family === 4 ? [IPPROTO_IP, IP_MINTTL] : [IPPROTO_IPV6, IPV6_MINHOPCOUNT];
      if (c.setsockopt(fd, level, name, int(o.minTtl), 4) !== 0) throw new SocketOptionError('setsockopt(MINTTL)', koffi.errno());
    }
    if (o.localAddress) {
      const a = sockaddr(o.localAddress, 0);
      if (c.bind(fd, a, a.length) !== 0) throw new SocketOptionError(`bind(${o.localAddress.toString()})`, koffi.errno());
    }
  } catch (err) {
    c.close(fd);
    throw err;
  }
  return fd;
}
