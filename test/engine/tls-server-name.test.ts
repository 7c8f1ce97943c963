/**
 * The kubeadm API server's public address is not in its serving certificate, so the platform stack's providers
 * verify the certificate as `kubernetes` (KubeadmCluster `API_SERVER_TLS_NAME`, `KubernetesAccess.tlsServerName`).
 * Checked for real: the kube-apiserver built from k8s.io/kubernetes (test/engine/kube-apiserver.ts, whose serving
 * certificate carries `kubernetes` as kubeadm's does) is reached through a TCP forwarder on another loopback
 * address, 127.0.0.2, standing in for the load balancer's public address; OpenTofu with the real kubernetes
 * provider applies a namespace through it with `tls_server_name`, and is refused without it.
 */
import net from 'node:net';
import path from 'node:path';

import { App, LocalBackend, TerraformStack, TerraformVariable } from 'cdktf';
import { expect, onTestFinished } from 'vitest';

import { runEngine, type Engine } from '../../bin/engine/engine.js';
import { API_SERVER_TLS_NAME } from '../../constructs/cluster/kubeadm-cluster.js';
import { NamespaceV1 } from '../../lib/gen/kubernetes/namespace-v1/index.js';
import { KubernetesProvider } from '../../lib/gen/kubernetes/provider/index.js';

import { testWithControlPlane } from './control-plane-harness.js';
import { getWithAdmin } from './kube-apiserver.js';

/** A loopback address that is not in the API server's certificate: the stand-in for its public address. */
const PUBLIC_STAND_IN = '127.0.0.2';

/** Forwards every connection to `PUBLIC_STAND_IN:<port>` to `target` (a layer-4 load balancer's job). */
async function forwarder(target: URL): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, PUBLIC_STAND_IN, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `https://${PUBLIC_STAND_IN}:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A stack with one namespace, its provider configured as the platform stack's from variables. */
function namespaceStack(outdir: string, withTlsServerName: boolean): string {
  const app = new App({ outdir, skipValidation: true });
  const stack = new TerraformStack(app, 'tls-name');
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  const variable = (name: string) => new TerraformVariable(stack, name, { type: 'string' }).stringValue;
  new KubernetesProvider(stack, 'kubernetes', {
    host: variable('host'),
    clusterCaCertificate: variable('cluster_ca_certificate'),
    clientCertificate: variable('client_certificate'),
    clientKey: variable('client_key'),
    ...(withTlsServerName ? { tlsServerName: API_SERVER_TLS_NAME } : {}),
  });
  new NamespaceV1(stack, 'Namespace', { metadata: { name: 'tls-server-name-check' } });
  app.synth();
  return path.join(outdir, 'stacks', 'tls-name');
}

async function tofu(engine: Engine, dir: string, env: NodeJS.ProcessEnv, args: string[]) {
  return runEngine(engine, [...args, '-no-color'], dir, env);
}

testWithControlPlane(
  `the kubernetes provider reaches the API server on an address outside its certificate only as "${API_SERVER_TLS_NAME}"`,
  async (cp, engine, dir) => {
    const proxy = await forwarder(new URL(cp.endpoint));
    onTestFinished(() => proxy.close());
    const env = {
      ...process.env,
      TF_VAR_host: proxy.url,
      TF_VAR_cluster_ca_certificate: cp.caPem,
      TF_VAR_client_certificate: cp.clientCertPem,
      TF_VAR_client_key: cp.clientKeyPem,
    };

    // without the name: the client checks the URL's address, which the certificate does not hold
    const plain = namespaceStack(path.join(dir, 'plain'), false);
    expect((await tofu(engine, plain, env, ['init'])).exitCode).toBe(0);
    const refused = await tofu(engine, plain, env, ['apply', '-auto-approve']);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/x509: certificate is valid for .*not 127\.0\.0\.2/s);

    // with it: applied, read back through the API server, destroyed
    const named = namespaceStack(path.join(dir, 'named'), true);
    expect((await tofu(engine, named, env, ['init'])).exitCode).toBe(0);
    const applied = await tofu(engine, named, env, ['apply', '-auto-approve']);
    expect(applied.exitCode, applied.stderr).toBe(0);
    const read = await getWithAdmin(cp, `${cp.endpoint}/api/v1/namespaces/tls-server-name-check`);
    expect(read.status).toBe(200);
    const destroyed = await tofu(engine, named, env, ['destroy', '-auto-approve']);
    expect(destroyed.exitCode, destroyed.stderr).toBe(0);
  },
  600_000,
);
