/**
 * Container images the host roles run, pulled through the region's registry mirror when it has one: a
 * Harbor-style proxy cache with one project per upstream registry, so `gcr.io/cadvisor/cadvisor:v0.49.1`
 * becomes `<mirror>/<gcr project>/cadvisor/cadvisor:v0.49.1`.
 */

/** An image as pinned in lib/versions.ts. */
export interface ImagePin {
  readonly registry: 'docker.io' | 'gcr.io' | 'quay.io' | 'ghcr.io';
  readonly repository: string;
  readonly tag: string;
}

/** The region's mirror: its host and the proxy-cache project of each upstream registry. */
export interface RegistryMirror {
  readonly host: string;
  readonly projects: Readonly<Partial<Record<ImagePin['registry'], string>>>;
}

/** Default proxy-cache project names, one per upstream registry. */
export const DEFAULT_PROXY_PROJECTS: Readonly<Record<ImagePin['registry'], string>> = {
  'docker.io': 'dockerhub-proxy',
  'gcr.io': 'gcr-proxy',
  'quay.io': 'quay-proxy',
  'ghcr.io': 'ghcr-proxy',
};

/** The reference a host pulls: through the mirror when it proxies the image's registry, else upstream. */
export function imageReference(pin: ImagePin, mirror?: RegistryMirror): string {
  const project = mirror?.projects[pin.registry];
  const repository =
    pin.registry === 'docker.io' && !pin.repository.includes('/') ? `library/${pin.repository}` : pin.repository;
  if (mirror && project) return `${mirror.host}/${project}/${repository}:${pin.tag}`;
  return `${pin.registry}/${repository}:${pin.tag}`;
}
