/**
 * A real ZooKeeper ensemble on loopback from rendered zoo.cfg and myid files: only what cannot be the same
 * on one machine is remapped (addresses, ports, data directories). Resolves to each member's `Mode:`. Also a
 * standalone server for client-side checks, and a stand-in that keeps a session up but answers no request.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';

export interface RenderedMember {
  readonly zooCfg: string;
  readonly myid: string;
}

/** Starts the members, waits until one leads and the others follow, stops them; returns the modes. */
export async function runEnsemble(members: readonly RenderedMember[], timeoutMs = 90_000): Promise<string[]> {
  const processes: ChildProcess[] = [];
  try {
    const base = 20000 + Math.floor(Math.random() * 20000);
    // server.N addresses -> member index, so each N maps to that member's remapped ports
    const addresses = members.map((m) => {
      const own = Number(m.myid.trim());
      return new RegExp(`^server\\.${own}=([\\d.]+):`, 'm').exec(m.zooCfg)![1]!;
    });
    const root = await mkdtemp(path.join(os.tmpdir(), 'regionkit-zk-'));
    for (const [i, member] of members.entries()) {
      const dir = path.join(root, `zk${i + 1}`);
      await mkdir(path.join(dir, 'data'), { recursive: true });
      const cfg = member.zooCfg
        .replace(/^dataDir=.*$/m, `dataDir=${path.join(dir, 'data')}`)
        .replace(/^clientPort=.*$/m, `clientPort=${base + i}`)
        .replace(/^clientPortAddress=.*$/m, 'clientPortAddress=127.0.0.1')
        .replace(/^server\.(\d+)=([\d.]+):\d+:\d+$/gm, (_, n: string, addr: string) => {
          const j = addresses.indexOf(addr);
          return `server.${n}=127.0.0.1:${base + 100 + j}:${base + 200 + j}`;
        });
      await writeFile(path.join(dir, 'zoo.cfg'), cfg);
      // On the hosts /var/lib/zookeeper/myid links to /etc/zookeeper/conf/myid (Debian packaging).
      await writeFile(path.join(dir, 'data', 'myid'), member.myid);
      processes.push(
        spawn(
          'java',
          [
            '-cp',
            `/etc/zookeeper/conf:${ZOOKEEPER_JAR}`,
            'org.apache.zookeeper.server.quorum.QuorumPeerMain',
            path.join(dir, 'zoo.cfg'),
          ],
          {
            stdio: 'ignore',
          },
        ),
      );
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const modes = await Promise.all(members.map((_, i) => mode(base + i)));
      const leaders = modes.filter((m) => m === 'leader').length;
      if (leaders === 1 && modes.filter((m) => m === 'follower').length === members.length - 1)
        return modes as string[];
      if (Date.now() > deadline) throw new Error(`no quorum within ${timeoutMs} ms; modes: ${modes.join(', ')}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    for (const p of processes) p.kill('SIGKILL');
  }
}

/** The `Mode:` a ZooKeeper server reports to `srvr`, or undefined while it does not answer. */
function mode(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.setTimeout(2000);
    socket.on('connect', () => socket.write('srvr'));
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('close', () => resolve(/^Mode: (\w+)/m.exec(data)?.[1]));
    socket.on('error', () => resolve(undefined));
    socket.on('timeout', () => socket.destroy());
  });
}

/** Debian's ZooKeeper command-line client (package `zookeeper`). */
export const ZK_CLI = '/usr/share/zookeeper/bin/zkCli.sh';

/**
 * One standalone ZooKeeper server on loopback (no quorum), for client-side checks such as ACLs. Call `stop`
 * when done; `cli` runs `zkCli.sh` with `lines` on its standard input (one session) and resolves to its
 * output without the client's own banner and logging.
 */
export async function startStandalone(
  timeoutMs = 60_000,
): Promise<{ port: number; cli: (lines: readonly string[]) => Promise<string>; stop: () => void }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'regionkit-zk-'));
  await mkdir(path.join(dir, 'data'));
  await writeFile(
    path.join(dir, 'zoo.cfg'),
    `tickTime=2000\ndataDir=${path.join(dir, 'data')}\nclientPort=${port}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n`,
  );
  const server = spawn(
    'java',
    [
      '-cp',
      `/etc/zookeeper/conf:${ZOOKEEPER_JAR}`,
      'org.apache.zookeeper.server.ZooKeeperServerMain',
      path.join(dir, 'zoo.cfg'),
    ],
    { stdio: 'ignore' },
  );
  const stop = () => server.kill('SIGKILL');
  const deadline = Date.now() + timeoutMs;
  while ((await mode(port)) !== 'standalone') {
    if (Date.now() > deadline) {
      stop();
      throw new Error(`standalone ZooKeeper did not answer within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const cli = (lines: readonly string[]) =>
    new Promise<string>((resolve, reject) => {
      const client = spawn(ZK_CLI, ['-server', `127.0.0.1:${port}`], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      client.stdout.on('data', (c: Buffer) => (out += c.toString()));
      client.stderr.on('data', (c: Buffer) => (out += c.toString()));
      client.on('error', reject);
      client.on('close', () =>
        resolve(
          out
            .split('\n')
            .filter((l) => l.trim() !== '' && !/^(SLF4J|log4j|WATCHER|WatchedEvent|Connecting|Welcome|JLine)/.test(l))
            .join('\n'),
        ),
      );
      client.stdin.end([...lines, 'quit', ''].join('\n'));
    });
  return { port, cli, stop };
}

/** One jute frame: the length, then the record (zookeeper-jute's BinaryOutputArchive, big-endian). */
function frame(record: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(record.length);
  return Buffer.concat([length, record]);
}

/**
 * A ZooKeeper server as far as a session goes, that never answers a request: it accepts the client's
 * ConnectRequest with a ConnectResponse of the timeout asked for, and answers pings, so the client's session
 * stays up, as with a member whose ensemble cannot commit (a leader election). Record layouts from
 * `zookeeper-jute/src/main/resources/zookeeper.jute` and `ClientCnxnSocket.readConnectResult` at tag
 * release-3.8.0-1 (ConnectRequest: protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly;
 * ConnectResponse: protocolVersion, timeOut, sessionId, passwd, then readOnly; a ping is RequestHeader xid -2,
 * answered by ReplyHeader xid, zxid, err).
 */
export async function startMuteServer(): Promise<{ port: number; close: () => void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    let sessionUp = false;
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const record = pending.subarray(4, 4 + pending.readInt32BE(0));
        pending = pending.subarray(4 + record.length);
        if (!sessionUp) {
          sessionUp = true;
          const response = Buffer.alloc(4 + 4 + 8 + 4 + 16 + 1);
          response.writeInt32BE(0, 0); // protocolVersion
          response.writeInt32BE(record.readInt32BE(12), 4); // timeOut: the client's, after protocolVersion, lastZxidSeen
          response.writeBigInt64BE(1n, 8); // sessionId
          response.writeInt32BE(16, 16); // passwd: 16 zero bytes; readOnly false
          socket.write(frame(response));
        } else if (record.readInt32BE(0) === -2) {
          const reply = Buffer.alloc(4 + 8 + 4);
          reply.writeInt32BE(-2, 0);
          socket.write(frame(reply));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
