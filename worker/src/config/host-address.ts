/**
 * What a URL's host is, for the endpoint checks: a loopback address (local emulators),
 * a link-local or instance-metadata address (where an EC2 instance serves its role's
 * credentials), or anything else. Takes `URL.hostname`, which the WHATWG parser has already
 * normalized (`0xA9FEA9FE` → `169.254.169.254`, IPv6 in brackets, compressed, in hex).
 */
export type HostKind = "loopback" | "link-local" | "metadata" | "other";

// names that resolve to the instance metadata service inside EC2
const metadataNames = new Set(["instance-data", "instance-data.ec2.internal"]);

function ipv4Kind(octets: readonly number[]): HostKind {
  if (octets[0] === 127) return "loopback";
  if (octets[0] === 169 && octets[1] === 254) return "link-local";
  return "other";
}

function ipv4Octets(host: string): number[] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  return m ? m.slice(1).map(Number) : undefined;
}

/** The eight 16-bit groups of a serialized IPv6 address (without brackets), or undefined. */
function ipv6Groups(host: string): number[] | undefined {
  const halves = host.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":").map((g) => Number.parseInt(g, 16)));
  const left = groups(halves[0] as string);
  if (halves.length === 1) return left.length === 8 ? left : undefined;
  const right = groups(halves[1] as string);
  const fill = 8 - left.length - right.length;
  return fill < 0 ? undefined : [...left, ...new Array<number>(fill).fill(0), ...right];
}

const embeddedV4 = (g: readonly number[]) => [
  (g[6] as number) >> 8,
  (g[6] as number) & 0xff,
  (g[7] as number) >> 8,
  (g[7] as number) & 0xff,
];

function ipv6Kind(g: readonly number[]): HostKind {
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(7) && g[7] === 1) return "loopback";
  if (((g[0] as number) & 0xffc0) === 0xfe80) return "link-local";
  if (g[0] === 0xfd00 && g[1] === 0x0ec2 && g.slice(2, 7).every((x) => x === 0) && g[7] === 0x254) {
    return "metadata";
  }
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible) are the IPv4 address itself
  if (zeroUpTo(5) && (g[5] === 0xffff || g[5] === 0)) return ipv4Kind(embeddedV4(g));
  // 64:ff9b::a.b.c.d reaches a.b.c.d through NAT64: the same metadata, but no longer loopback
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) {
    const kind = ipv4Kind(embeddedV4(g));
    return kind === "link-local" ? kind : "other";
  }
  return "other";
}

/** Classifies `URL.hostname`. */
export function hostKind(hostname: string): HostKind {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host.startsWith("[") && host.endsWith("]")) {
    const g = ipv6Groups(host.slice(1, -1));
    return g === undefined ? "other" : ipv6Kind(g);
  }
  const v4 = ipv4Octets(host);
  if (v4 !== undefined) return ipv4Kind(v4);
  if (host === "localhost" || host.endsWith(".localhost")) return "loopback";
  if (metadataNames.has(host)) return "metadata";
  return "other";
}
