/**
 * A real Kubernetes control plane on loopback for tests: etcd (Debian's etcd-server, `.ci/checkers.txt`), and
 * kube-apiserver and kube-controller-manager built from the `k8s.io/kubernetes` Go module into the engine cache
 * (`.ci/engine.sh`, lib/versions.ts `KUBERNETES_BUILD`). No kubelet and no nodes: objects are stored, admitted
 * and validated by the real API server, and the controller manager runs the controllers that finish what a
 * destroy starts (the namespace controller empties and removes a deleted namespace).
 *
 * Everything listens on 127.0.0.1 on ports the kernel picks; certificates are made with openssl in the run's
 * directory. The flags are the ones kubeadm itself passes at the same release, minus what needs nodes.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.36.3/cmd/kubeadm/app/phases/controlplane/manifests.go
 */
import { writeFile, readFile, mkdir } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';

import { execa, type ResultPromise } from 'execa';

/** A running control plane and how to reach it as cluster-admin (the `system:masters` group). */
export interface RunningControlPlane {
  /** `https://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly caPem: string;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  /** A kubeconfig file with those credentials. */
  readonly kubeconfig: string;
  /** Stops every process (etcd last) and waits for them to exit. */
  stop(): Promise<void>;
}

/** Paths of the binaries to run. */
export interface ControlPlaneBinaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await execa('openssl', args, { cwd });
}

/** A CA, the API server's serving certificate for 127.0.0.1, an admin client certificate and the SA key pair. */
async function makePki(dir: string): Promise<void> {
  await openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=regionkit-test-ca']
      .concat(['-keyout', 'ca.key', '-out', 'ca.crt', '-addext', 'basicConstraints=critical,CA:TRUE'])
      .concat(['-addext', 'keyUsage=critical,keyCertSign,cRLSign']),
    dir,
  );
  const leaf = async (name: string, subject: string, extensions: string[]) => {
    await openssl(
      ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`],
      dir,
    );
    await writeFile(path.join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '1',
      ].concat(['-out', `${name}.crt`, '-extfile', `${name}.ext`]),
      dir,
    );
  };
  await leaf('apiserver', '/CN=kube-apiserver', [
    // `kubernetes` as kubeadm puts it in every serving certificate (test/engine/tls-server-name.test.ts)
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc',
    'extendedKeyUsage=serverAuth',
    'keyUsage=critical,digitalSignature,keyEncipherment',
  ]);
  // system:masters is bound to cluster-admin by the API server's bootstrap policy
  await leaf('admin', '/O=system:masters/CN=regionkit-test-admin', [
    'extendedKeyUsage=clientAuth',
    'keyUsage=critical,digitalSignature,keyEncipherment',
  ]);
  await openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
  await openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
}

function kubeconfigText(endpoint: string, dir: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: { server: endpoint, 'certificate-authority': path.join(dir, 'ca.crt') } }],
    users: [
      {
        name: 'admin',
        user: { 'client-certificate': path.join(dir, 'admin.crt'), 'client-key': path.join(dir, 'admin.key') },
      },
    ],
    contexts: [{ name: 'test', context: { cluster: 'test', user: 'admin' } }],
    'current-context': 'test',
  });
}

/** GET `url` with the admin certificate; resolves with the status and body, never rejects on a status. */
export function getWithAdmin(
  cp: Pick<RunningControlPlane, 'caPem' | 'clientCertPem' | 'clientKeyPem'>,
  url: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca: cp.caPem, cert: cp.clientCertPem, key: cp.clientKeyPem, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
  });
}

async function waitFor(what: string, timeoutSeconds: number, probe: () => Promise<boolean>, logs: string[]) {
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  const tails = await Promise.all(
    logs.map(
      async (file) => `--- ${path.basename(file)}:\n${(await readFile(file, 'utf8').catch(() => '')).slice(-3000)}`,
    ),
  );
  throw new Error(`${what} not ready within ${timeoutSeconds} s\n${tails.join('\n')}`);
}

/**
 * Starts etcd, kube-apiserver and kube-controller-manager with state and logs in `dir`, and waits until the
 * API server's `/readyz` answers `ok`.
 * @throws Error with the processes' log tails when a component is not ready within `readyTimeoutSeconds`
 */
export async function startControlPlane(
  dir: string,
  binaries: ControlPlaneBinaries,
  readyTimeoutSeconds = 180,
): Promise<RunningControlPlane> {
  const pki = path.join(dir, 'pki');
  await mkdir(pki, { recursive: true });
  await makePki(pki);
  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const processes: ResultPromise[] = [];
  const logFile = (name: string) => path.join(dir, `${name}.log`);
  const start = (name: string, file: string, args: string[]) => {
    const child = execa(file, args, {
      reject: false,
      all: true,
      stdout: { file: logFile(name) },
      stderr: { file: logFile(name) },
    });
    processes.push(child);
    return child;
  };
  const stop = async () => {
    for (const child of [...processes].reverse()) {
      child.kill('SIGTERM');
      await Promise.race([child, new Promise((r) => setTimeout(r, 10_000))]);
      child.kill('SIGKILL');
      await child;
    }
  };
  try {
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    start('etcd', binaries.etcd, [
      '--name=test',
      `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=test=http://127.0.0.1:${etcdPeer}`,
    ]);
    const endpoint = `https://127.0.0.1:${apiPort}`;
    const p = (name: string) => path.join(pki, name);
    start('kube-apiserver', binaries.kubeApiserver, [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${path.join(dir, 'apiserver-certs')}`,
      `--tls-cert-file=${p('apiserver.crt')}`,
      `--tls-private-key-file=${p('apiserver.key')}`,
      `--client-ca-file=${p('ca.crt')}`,
      `--service-account-key-file=${p('sa.pub')}`,
      `--service-account-signing-key-file=${p('sa.key')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--service-cluster-ip-range=10.96.0.0/16',
      '--authorization-mode=RBAC',
      '--enable-admission-plugins=NodeRestriction',
      // as kubeadm's manifest (manifests.go, v1.36.3: `allow-privileged: true`), and ACK's: node agents
      // (Flannel, kube-network-policies, the CSI node plugins) run privileged containers
      '--allow-privileged=true',
    ]);
    const kubeconfig = path.join(dir, 'admin.kubeconfig');
    await writeFile(kubeconfig, kubeconfigText(endpoint, pki));
    const cp = {
      caPem: await readFile(p('ca.crt'), 'utf8'),
      clientCertPem: await readFile(p('admin.crt'), 'utf8'),
      clientKeyPem: await readFile(p('admin.key'), 'utf8'),
    };
    await waitFor(
      'kube-apiserver',
      readyTimeoutSeconds,
      async () => (await getWithAdmin(cp, `${endpoint}/readyz`)).body === 'ok',
      [logFile('etcd'), logFile('kube-apiserver')],
    );
    start('kube-controller-manager', binaries.kubeControllerManager, [
      `--kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${await freePort()}`,
      '--leader-elect=false',
      `--service-account-private-key-file=${p('sa.key')}`,
      `--root-ca-file=${p('ca.crt')}`,
      // what the platform objects need: quota status (the provider waits for it), namespace deletion, default
      // service accounts; the rest would wait for nodes that never come
      '--controllers=namespace-controller,daemonset-controller,garbage-collector-controller,resourcequota-controller,serviceaccount-controller,serviceaccount-token-controller',
    ]);
    return { endpoint, ...cp, kubeconfig, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
