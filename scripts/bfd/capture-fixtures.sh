#!/usr/bin/env bash
# Captures real BFD control packets for the codec's golden-bytes tests: FRR 8.4 bfdd and BIRD 2
# peer with each other (single hop on 192.0.2.0/24, multihop on 198.51.100.0/24) in two network
# namespaces made for this run; tcpdump records both directions on FRR's veth while the sessions
# come Up, FRR changes its intervals (a Poll/Final exchange), and BIRD disables its protocol
# (AdminDown). extract-fixtures.mjs turns the capture into speaker/test/wire/bfd/fixtures/
# {frr,bird}.json. BIRD sends multihop packets with TTL 64, so FRR's multihop peer takes any TTL.
# Needs root, bird2, frr, tcpdump. Usage: scripts/bfd/capture-fixtures.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../speaker/test/wire/bfd/fixtures"
mkdir -p "$out"
a="hbfdcapa$$"; b="hbfdcapb$$"
dir=$(mktemp -d /tmp/herald-bfdcap-XXXX)
chown frr:frr "$dir"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  ip netns del "$a" 2>/dev/null || true; ip netns del "$b" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
ip netns add "$a"; ip netns add "$b"
ip -n "$a" link add eth0 type veth peer name eth0 netns "$b"
for ns in "$a" "$b"; do ip -n "$ns" link set lo up; ip -n "$ns" link set eth0 up; done
ip -n "$a" addr add 192.0.2.1/24 dev eth0; ip -n "$a" addr add 198.51.100.1/24 dev eth0
ip -n "$b" addr add 192.0.2.2/24 dev eth0; ip -n "$b" addr add 198.51.100.2/24 dev eth0

cat > "$dir/zebra.conf" <<C
hostname frr-a
C
cat > "$dir/bfdd.conf" <<C
hostname frr-a
bfd
 peer 192.0.2.2 local-address 192.0.2.1 interface eth0
  receive-interval 300
  transmit-interval 300
  detect-multiplier 3
 exit
 peer 198.51.100.2 multihop local-address 198.51.100.1
  minimum-ttl 1
  receive-interval 300
  transmit-interval 300
  detect-multiplier 3
 exit
exit
C
: > "$dir/vtysh.conf"
chown frr:frr "$dir"/*.conf
cat > "$dir/bird.conf" <<C
router id 192.0.2.2;
protocol device { scan time 10; }
protocol bfd bfd1 {
  interface "*" { min rx interval 300 ms; min tx interval 300 ms; multiplier 3; };
  multihop { min rx interval 300 ms; min tx interval 300 ms; multiplier 3; };
  neighbor 192.0.2.1 dev "eth0" local 192.0.2.2;
  neighbor 198.51.100.1 local 198.51.100.2 multihop;
}
C
ip netns exec "$a" tcpdump -i eth0 -nn -U -s 0 -w "$dir/capture.pcap" 'udp port 3784 or udp port 4784' 2>/dev/null & pids+=($!)
sleep 1
common=(-z "$dir/zserv.api" --vty_socket "$dir" -u frr -g frr -P 0)
ip netns exec "$a" /usr/lib/frr/zebra -f "$dir/zebra.conf" -i "$dir/zebra.pid" "${common[@]}" >"$dir/zebra.log" 2>&1 & pids+=($!)
sleep 1
ip netns exec "$a" /usr/lib/frr/bfdd -f "$dir/bfdd.conf" -i "$dir/bfdd.pid" "${common[@]}" >"$dir/bfdd.log" 2>&1 & pids+=($!)
ip netns exec "$b" bird -f -c "$dir/bird.conf" -s "$dir/bird.ctl" >"$dir/bird.log" 2>&1 & pids+=($!)
vt() { vtysh --vty_socket "$dir" --config_dir "$dir" -d bfdd -c "$@"; }
up=0
for _ in $(seq 1 40); do
  if [ "$(vt 'show bfd peers' 2>/dev/null | grep -c 'Status: up')" = 2 ]; then up=1; break; fi
  sleep 0.5
done
[ "$up" = 1 ] || { echo "sessions did not come up"; vt 'show bfd peers' || true; cat "$dir"/*.log; exit 1; }
vt 'show bfd peers brief'
birdc -s "$dir/bird.ctl" show bfd sessions
sleep 2
# A timer change on an Up session: FRR polls (P bit) and BIRD answers with the F bit.
vtysh --vty_socket "$dir" --config_dir "$dir" -d bfdd -c 'configure terminal' -c 'bfd' -c 'peer 192.0.2.2 local-address 192.0.2.1 interface eth0' -c 'transmit-interval 500' -c 'receive-interval 500'
sleep 3
birdc -s "$dir/bird.ctl" disable bfd1
sleep 3
vt 'show bfd peers brief' || true
sleep 1
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
"$here/../../node_modules/.bin/node" "$here/extract-fixtures.mjs" "$dir/capture.pcap" "$out" \
  "$(/usr/lib/frr/bfdd --version | head -1)" "$(bird --version 2>&1 | head -1)"
