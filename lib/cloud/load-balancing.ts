/**
 * Cloud-neutral facts about load balancers, shared by the adapters: how a health check probes a listener, which
 * source addresses a backend sees per cloud and load balancer kind (each fact with its primary source, listed on
 * docs/load-balancer.md), and the idle timeout range both clouds accept.
 */
import type { BackendSource, ListenerSpec, RuleProtocol } from './types.js';

/** Transport a health check probe uses for one listener: connect checks follow the listener (UDP for udp). */
export function healthCheckTransport(
  listener: Pick<ListenerSpec, 'protocol'>,
  checkType: 'tcp' | 'http',
): RuleProtocol {
  return checkType === 'tcp' && listener.protocol === 'udp' ? 'udp' : 'tcp';
}

/** Transport a listener's traffic reaches the backends on. */
export function listenerTransport(listener: Pick<ListenerSpec, 'protocol'>): 'tcp' | 'udp' {
  return listener.protocol === 'udp' ? 'udp' : 'tcp';
}

/** One fact about where a backend's traffic comes from. */
export interface BackendSourceFact {
  readonly cloud: 'alicloud' | 'openstack';
  /** Load balancer kind and traffic the fact is about. */
  readonly applies: string;
  /** The source address a backend sees. */
  readonly sees: string;
  /** Primary source of the fact (a document URL, or a file at a release tag). */
  readonly see: string;
}

/**
 * Where load balancer traffic reaching a backend comes from, per cloud and load balancer kind. Each
 * `BackendSource` names the fact it follows; docs/load-balancer.md repeats this table with the sources.
 */
export const BACKEND_SOURCE_FACTS = {
  /** CLB tcp and udp listeners pass packets through: the backend sees the client's own address. */
  'clb-layer4-clients': {
    cloud: 'alicloud',
    applies: 'CLB layer-4 (tcp, udp) listener traffic',
    sees: "the client's own address",
    see: 'https://www.alibabacloud.com/help/en/slb/classic-load-balancer/use-cases/enable-proxy-protocol-for-a-layer-4-listener-to-retrieve-client-ip-addresses',
  },
  /** CLB health checks of every listener kind come from the cluster nodes' reserved range 100.64.0.0/10. */
  'clb-health-checks': {
    cloud: 'alicloud',
    applies: 'CLB health checks (every listener protocol)',
    sees: '100.64.0.0/10',
    see: 'https://www.alibabacloud.com/help/en/slb/classic-load-balancer/user-guide/health-check-overview',
  },
  /**
   * CLB http listeners proxy: the connection comes from a CLB node (the same nodes forward data and run the
   * health checks, from 100.64.0.0/10); the client's address travels only in X-Forwarded-For.
   */
  'clb-layer7-proxy': {
    cloud: 'alicloud',
    applies: 'CLB layer-7 (http) listener traffic',
    sees: '100.64.0.0/10 (a CLB node; the client only in X-Forwarded-For)',
    see: 'https://www.alibabacloud.com/help/en/slb/classic-load-balancer/use-cases/preserve-client-ip-addresses-when-layer-7-listeners-are-used',
  },
  /**
   * Octavia (Zed 11.0.0 and later; backported to Yoga 10.1.0 and Xena 9.1.0) plugs each member's subnet into the
   * amphora, on its existing port when the subnet belongs to a network it already has a port in; member traffic
   * and health checks leave from that address.
   */
  'octavia-member-subnets': {
    cloud: 'openstack',
    applies: 'Octavia amphora listener traffic and health monitors (every protocol)',
    sees: "an amphora address in the member's own subnet",
    see: 'https://opendev.org/openstack/octavia/src/tag/11.0.0/octavia/controller/worker/v2/tasks/network_tasks.py (CalculateAmphoraDelta); change 4b0d4c1b, release note fix-plugging-member-subnets',
  },
} as const satisfies Record<string, BackendSourceFact>;

/** Name of one entry of {@link BACKEND_SOURCE_FACTS}, as a cloud adapter cites it in `BackendSource.facts`. */
export type BackendSourceFactId = keyof typeof BACKEND_SOURCE_FACTS;

/**
 * Merges sources that open the same protocol, port and CIDR (an http listener's traffic and its health checks
 * both come from 100.64.0.0/10), keeping the first one's description and every fact, in order.
 */
export function mergeSources(sources: readonly BackendSource[]): BackendSource[] {
  const merged = new Map<string, BackendSource>();
  for (const s of sources) {
    const key = `${s.protocol}/${s.port} ${s.cidr}`;
    const seen = merged.get(key);
    if (!seen) merged.set(key, { ...s, facts: [...s.facts] });
    else if (!s.facts.every((f) => seen.facts.includes(f)))
      merged.set(key, { ...seen, facts: [...new Set([...seen.facts, ...s.facts])] });
  }
  return [...merged.values()];
}
