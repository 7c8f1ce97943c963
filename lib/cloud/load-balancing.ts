/**
 * Cloud-neutral facts about load balancer health checks, shared by the adapters.
 */
import type { ListenerSpec, RuleProtocol } from './types.js';

/** Transport a health check probe uses for one listener: connect checks follow the listener (UDP for udp). */
export function healthCheckTransport(
  listener: Pick<ListenerSpec, 'protocol'>,
  checkType: 'tcp' | 'http',
): RuleProtocol {
  return checkType === 'tcp' && listener.protocol === 'udp' ? 'udp' : 'tcp';
}
