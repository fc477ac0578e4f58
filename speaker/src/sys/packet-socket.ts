// AF_PACKET SOCK_RAW sockets, one per interface, through koffi (FFI to libc). The only file in
// Herald that opens AF_PACKET sockets. Reads are event-driven (fd-reader.ts: libuv watches the
// non-blocking fd, frames are drained with recv(MSG_DONTWAIT), a bounded number per wakeup). A classic BPF filter, attached before bind, keeps unrelated traffic in the kernel.
import { readFileSync } from 'node:fs';
import koffi from 'koffi';
import { MAC } from '../wire/ethernet.js';
import { FdReader } from './fd-reader.js';


const AF_PACKET = 17;
const SOCK_RAW = 3;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const ETH_P_ALL = 0x0003;
const SOL_SOCKET = 1;
const SO_ATTACH_FILTER = 26;
const SOL_PACKET = 263;
const PACKET_ADD_MEMBERSHIP = 1;
const PACKET_DROP_MEMBERSHIP = 2;
const PACKET_IGNORE_OUTGOING = 23;
const PACKET_MR_MULTICAST = 0;
const PACKET_MR_ALLMULTI = 2;
const MSG_DONTWAIT = 0x40;
const MSG_TRUNC = 0x20;
const ENETDOWN = 100;
const SOCKADDR_LL_LEN = 20;
const PACKET_MREQ_LEN = 16;
/** Frames handled per readiness event before yielding to the event loop (libuv polls again). */
const MAX_FRAMES_PER_WAKEUP = 256;
const RECV_BUFFER = 65536;

/** One classic BPF instruction (struct sock_filter). */
export interface BpfInstruction {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

/** `tcpdump -dd 'arp or (icmp6 and (ip6[40] == 135))'`: ARP, and ICMPv6 Neighbor Solicitations. */
export const ARP_AND_NS_FILTER: readonly BpfInstruction[] = [
  [0x28, 0, 0, 0x0000000c],
  [0x15, 8, 0, 0x00000806],
  [0x15, 0, 8, 0x000086dd],
  [0x30, 0, 0, 0x00000014],
  [0x15, 3, 0, 0x0000003a],
  [0x15, 0, 5, 0x0000002c],
  [0x30, 0, 0, 0x00000036],
  [0x15, 0, 3, 0x0000003a],
  [0x30, 0, 0, 0x00000036],
  [0x15, 0, 1, 0x00000087],
  [0x6, 0, 0, 0x00040000],
  [0x6, 0, 0, 0x00000000],
].map(([code, jt, jf, k]) => ({ code: code!, jt: jt!, jf: jf!, k: k! }));

export class PacketSocketError extends Error {
  override readonly name = 'PacketSocketError';
  constructor(
    readonly op: string,
    readonly errno: number,
    readonly ifname: string,
  ) {
    super(`${op} on ${ifname}: errno ${errno}`);
  }
}

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  setsockopt(fd: number, level: number, name: number, val: Buffer, len: number): number;
  attachFilter(fd: number, level: number, name: number, prog: { len: number; filter: readonly BpfInstruction[] }, len: number): number;
  recv(fd: number, buf: Buffer, len: number, flags: number): number;
  send(fd: number, buf: Uint8Array, len: number, flags: number): number;
  close(fd: number): number;
}

let libc: Libc | undefined;
function getLibc(): Libc {
  if (libc) return libc;
  const lib = koffi.load('libc.so.6');
  const filterType = koffi.struct('herald_sock_filter', { code: 'uint16', jt: 'uint8', jf: 'uint8', k: 'uint32' });
  const progType = koffi.struct('herald_sock_fprog', { len: 'uint16', filter: koffi.pointer(filterType) });
  libc = {
    socket: lib.func('int socket(int, int, int)') as Libc['socket'],
    bind: lib.func('int bind(int, const void *, uint32_t)') as Libc['bind'],
    setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)') as Libc['setsockopt'],
    attachFilter: lib.func('setsockopt', 'int', ['int', 'int', 'int', koffi.pointer(progType), 'uint32']) as Libc['attachFilter'],
    recv: lib.func('long recv(int, void *, size_t, int)') as Libc['recv'],
    send: lib.func('long send(int, const void *, size_t, int)') as Libc['send'],
    close: lib.func('int close(int)') as Libc['close'],
  };
  return libc;
}

export interface LinkAddress {
  readonly name: string;
  readonly index: number;
  readonly mac: MAC;
}

/** Reads an interface's index and MAC from /sys/class/net (of this process's network namespace). */
export function readLinkAddress(name: string): LinkAddress {
  if (!/^[^/\s]{1,15}$/.test(name) || name === '.' || name === '..') throw new Error(`invalid interface name ${JSON.stringify(name)}`);
  const base = `/sys/class/net/${name}`;
  const index = Number(readFileSync(`${base}/ifindex`, 'utf8').trim());
  const mac = MAC.parse(readFileSync(`${base}/address`, 'utf8').trim());
  return { name, index, mac };
}

/** The narrow I/O interface the L2 responder uses; tests substitute a fake. */
export interface PacketConn {
  readonly ifname: string;
  readonly mac: MAC;
  send(frame: Uint8Array): void;
  /** Asks the NIC (or bridge/veth) to deliver frames sent to this multicast MAC. */
  joinMulticast(mac: MAC): void;
  leaveMulticast(mac: MAC): void;
  /** Asks for every multicast frame on the interface (PACKET_MR_ALLMULTI), or stops asking. */
  setAllMulticast(on: boolean): void;
  close(): void;
}

export interface PacketSocketOptions {
  /** Kernel-side filter; default ARP_AND_NS_FILTER. `null`: every frame. */
  readonly filter?: readonly BpfInstruction[] | null;
  /** Called for every received frame; the buffer is a copy the callee may keep. */
  readonly onFrame: (frame: Buffer) => void;
  /** Called if reading fails; the socket stops reading. */
  readonly onError?: (err: Error) => void;
}

export class PacketSocket implements PacketConn {
  readonly ifname: string;
  readonly ifindex: number;
  readonly mac: MAC;
  private fd: number;
  private readonly reader: FdReader;
  private readonly rx = Buffer.alloc(RECV_BUFFER);
  private readonly lib = getLibc();

  /** Opens and binds a socket on ifname (in this process's network namespace). */
  constructor(ifname: string, private readonly opts: PacketSocketOptions) {
    const link = readLinkAddress(ifname);
    this.ifname = ifname;
    this.ifindex = link.index;
    this.mac = link.mac;
    const fd = this.lib.socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw new PacketSocketError('socket(AF_PACKET)', koffi.errno(), ifname);
    this.fd = fd;
    try {
      const filter = opts.filter === undefined ? ARP_AND_NS_FILTER : opts.filter;
      if (filter !== null) this.check('SO_ATTACH_FILTER', this.lib.attachFilter(fd, SOL_SOCKET, SO_ATTACH_FILTER, { len: filter.length, filter }, 16));
      const one = Buffer.alloc(4);
      one.writeInt32LE(1);
      // Best effort (Linux >= 4.20): do not read back the frames we send.
      this.lib.setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, one, 4);
      const sll = Buffer.alloc(SOCKADDR_LL_LEN);
      sll.writeUInt16LE(AF_PACKET, 0);
      sll.writeUInt16BE(ETH_P_ALL, 2);
      sll.writeInt32LE(this.ifindex, 4);
      this.check('bind', this.lib.bind(fd, sll, SOCKADDR_LL_LEN));
      // A link going down reports ENETDOWN once; the socket works again when it comes back.
      this.reader = new FdReader({ fd, maxPerWakeup: MAX_FRAMES_PER_WAKEUP, readOne: () => this.readOne(), skipErrnos: [ENETDOWN], onError: (errno) => this.opts.onError?.(new PacketSocketError('recv', errno, this.ifname)) });
    } catch (err) {
      this.lib.close(fd);
      this.fd = -1;
      throw err;
    }
  }

  private check(op: string, rc: number): void {
    if (rc < 0) throw new PacketSocketError(op, koffi.errno(), this.ifname);
  }

  get closed(): boolean {
    return this.fd < 0;
  }

  /** One frame (read through FdReader): its length, or < 0 with errno set. */
  private readOne(): number {
    const n = this.lib.recv(this.fd, this.rx, RECV_BUFFER, MSG_DONTWAIT | MSG_TRUNC);
    // A truncated jumbo frame (n > RECV_BUFFER) is not ARP/NDP: dropped.
    if (n >= 0 && n <= RECV_BUFFER) this.opts.onFrame(Buffer.from(this.rx.subarray(0, n)));
    return n;
  }

  send(frame: Uint8Array): void {
    if (this.fd < 0) throw new PacketSocketError('send on a closed socket', 9, this.ifname);
    const n = this.lib.send(this.fd, frame, frame.length, MSG_DONTWAIT);
    if (n < 0) throw new PacketSocketError('send', koffi.errno(), this.ifname);
  }

  private membership(op: number, mac: MAC | undefined): void {
    const mreq = Buffer.alloc(PACKET_MREQ_LEN);
    mreq.writeInt32LE(this.ifindex, 0);
    mreq.writeUInt16LE(mac ? PACKET_MR_MULTICAST : PACKET_MR_ALLMULTI, 4);
    mreq.writeUInt16LE(mac ? 6 : 0, 6);
    mac?.copyTo(mreq, 8);
    this.check(op === PACKET_ADD_MEMBERSHIP ? 'PACKET_ADD_MEMBERSHIP' : 'PACKET_DROP_MEMBERSHIP', this.lib.setsockopt(this.fd, SOL_PACKET, op, mreq, PACKET_MREQ_LEN));
  }

  joinMulticast(mac: MAC): void {
    this.membership(PACKET_ADD_MEMBERSHIP, mac);
  }

  leaveMulticast(mac: MAC): void {
    this.membership(PACKET_DROP_MEMBERSHIP, mac);
  }

  setAllMulticast(on: boolean): void {
    this.membership(on ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP, undefined);
  }

  /** Stops reading and closes the fd (memberships go with it). Safe to call twice. */
  close(): void {
    if (this.fd < 0) return;
    this.reader.close();
    this.lib.close(this.fd);
    this.fd = -1;
  }
}
