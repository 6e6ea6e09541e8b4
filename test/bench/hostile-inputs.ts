// Benchmark: the bounds on hostile inputs cost little and hold. (1) A buffered-transport Thrift reply
// fed in TCP-sized chunks: the incremental scan against a rescan from the start per chunk (what a
// decode-and-roll-back transport does). (2) `plan` over a files warehouse holding a gzip decompression
// bomb: time and peak RSS stay those of an ordinary warehouse. (3) A long table name against an
// exclude glob that a backtracking regular expression needed most of a minute for.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import thrift from 'thrift';
import { binaryMessageLength, ReplyReader } from '../../adapters/hive/thrift/message-scanner.js';
import { Glob } from '../../src/normalizer/glob.js';
import { dirUri } from '../emulators/polaris/fixture-warehouse.js';
import { configYaml, generateWarehouse, startRemoteEmulator, timeCli, removeBenchDir } from './bench-kit.js';

export interface HostileInputsResult {
  thrift: { replyMb: number; chunkKb: number; incrementalMs: number; rescanMb: number; rescanMs: number; incrementalSameMs: number };
  bomb: { compressedKb: number; inflatedMb: number; tables: number; seconds: number; rssMb: number | undefined; plainSeconds: number; plainRssMb: number | undefined };
  glob: { nameKb: number; ms: number };
}

/** A get_next_notification-like reply: a list of event structs with ~300-byte messages. */
function notificationReply(events: number): Buffer {
  let bytes: Buffer | undefined;
  const p = new thrift.TBinaryProtocol(new thrift.TBufferedTransport(undefined, (b) => (bytes = b)));
  p.writeMessageBegin('get_next_notification', 2 as never, 1);
  p.writeStructBegin('');
  p.writeFieldBegin('', 12 as never, 0);
  p.writeStructBegin('');
  p.writeFieldBegin('', 15 as never, 1);
  p.writeListBegin(12 as never, events);
  const message = JSON.stringify({ server: 'thrift://hms:9083', db: 'sales', table: 'orders', tableObjJson: 'x'.repeat(220) });
  for (let i = 0; i < events; i++) {
    p.writeStructBegin('');
    p.writeFieldBegin('', 10 as never, 1);
    p.writeI64(i);
    p.writeFieldEnd();
    p.writeFieldBegin('', 11 as never, 3);
    p.writeString('ALTER_TABLE');
    p.writeFieldEnd();
    p.writeFieldBegin('', 11 as never, 6);
    p.writeString(message);
    p.writeFieldEnd();
    p.writeFieldStop();
    p.writeStructEnd();
  }
  p.writeListEnd();
  p.writeFieldEnd();
  p.writeFieldStop();
  p.writeStructEnd();
  p.writeFieldEnd();
  p.writeFieldStop();
  p.writeStructEnd();
  p.writeMessageEnd();
  p.flush();
  return bytes!;
}

function feed(reply: Buffer, chunk: number, onChunk: (slice: Buffer, end: number) => void): number {
  const started = performance.now();
  for (let at = 0; at < reply.length; at += chunk) onChunk(reply.subarray(at, Math.min(reply.length, at + chunk)), Math.min(reply.length, at + chunk));
  return performance.now() - started;
}

function benchThrift(): HostileInputsResult['thrift'] {
  const chunk = 64 * 1024;
  const big = notificationReply(200_000);
  const reader = new ReplyReader('buffered', 256 * 1024 * 1024);
  let replies = 0;
  const incrementalMs = feed(big, chunk, (slice) => reader.push(slice, () => replies++));
  if (replies !== 1) throw new Error('the reply was not found whole');
  // The rescan costs reply size × chunks: measured on a smaller reply, and the same for the new scan.
  const small = notificationReply(25_000);
  const rescanMs = feed(small, chunk, (_slice, end) => void binaryMessageLength(small.subarray(0, end), 256 * 1024 * 1024));
  const again = new ReplyReader('buffered', 256 * 1024 * 1024);
  const incrementalSameMs = feed(small, chunk, (slice) => again.push(slice, () => undefined));
  return { replyMb: big.length / 1048576, chunkKb: chunk / 1024, incrementalMs, rescanMb: small.length / 1048576, rescanMs, incrementalSameMs };
}

async function benchBomb(tables = 2_000): Promise<HostileInputsResult['bomb']> {
  const dir = await mkdtemp(join(tmpdir(), 'polaris-mirror-bench-bomb-'));
  const warehouse = join(dir, 'warehouse');
  await generateWarehouse(warehouse, tables, 10);
  const emulator = await startRemoteEmulator({ catalogs: [{ name: 'lake_mirror', allowedLocations: [dirUri(warehouse)] }] });
  try {
    const configFile = join(dir, 'config.yaml');
    await writeFile(
      configFile,
      configYaml({ uri: emulator.url, statePath: join(dir, 'state.db'), concurrency: 16, sources: ['  - name: lake', '    type: files', `    root: ${warehouse}`, '    target: { catalog: lake_mirror }'] }),
    );
    const plain = await timeCli(['plan', '--config', configFile]);
    // 1 GiB of zeros as 1,024 gzip members of 1 MiB each: about 1 MB on disk.
    const member = gzipSync(Buffer.alloc(1024 * 1024));
    const bomb = Buffer.concat(Array.from({ length: 1024 }, () => member));
    await mkdir(join(warehouse, 'ns0', 'bomb', 'metadata'), { recursive: true });
    await writeFile(join(warehouse, 'ns0', 'bomb', 'metadata', 'v1.metadata.json.gz'), bomb);
    const run = await timeCli(['plan', '--config', configFile]);
    if (!/metadata-too-large/.test(run.stdout + run.stderr)) throw new Error(`the bomb was not reported: ${run.stdout}\n${run.stderr}`);
    return { compressedKb: bomb.length / 1024, inflatedMb: 1024, tables, seconds: run.seconds, rssMb: run.maxRssMb, plainSeconds: plain.seconds, plainRssMb: plain.maxRssMb };
  } finally {
    await emulator.stop();
    removeBenchDir(dir);
  }
}

function benchGlob(): HostileInputsResult['glob'] {
  const name = 'a.'.repeat(512 * 1024);
  const started = performance.now();
  if (new Glob('*.*_backup').matches(name)) throw new Error('unexpected match');
  return { nameKb: name.length / 1024, ms: performance.now() - started };
}

export async function benchHostileInputs(): Promise<HostileInputsResult> {
  return { thrift: benchThrift(), bomb: await benchBomb(), glob: benchGlob() };
}
