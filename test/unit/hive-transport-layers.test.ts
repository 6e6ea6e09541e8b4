// The metastore transport's layers, each alone: SASL negotiation messages and data frames, the choice
// of protection, what a peer's first bytes say, keytab names, _HOST, metastore URIs and the config
// rules that tie auth, tls and headers to the kind of uri.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { keytabPrincipals } from '../../adapters/hive/kerberos/keytab-file.js';
import { servicePrincipalFor } from '../../adapters/hive/kerberos/service-principal.js';
import { parseHmsUri } from '../../adapters/hive/metastore/hms-uri.js';
import { describePeerBytes } from '../../adapters/hive/transport/peer-bytes.js';
import { SaslChannel } from '../../adapters/hive/transport/sasl/sasl-channel.js';
import { encodeFrame, encodeSaslMessage, readSaslMessage, SaslProtocolError, SaslStatus } from '../../adapters/hive/transport/sasl/sasl-messages.js';
import { protectionMismatch } from '../../adapters/hive/transport/sasl/protection.js';
import { command } from '../support/system-packages.js';

describe('SASL negotiation messages', () => {
  it('reads a message only once complete, and keeps what follows', () => {
    const bytes = Buffer.concat([encodeSaslMessage(SaslStatus.OK, Buffer.from('token')), Buffer.from([1, 2])]);
    for (let end = 0; end < 10; end++) expect(readSaslMessage(bytes.subarray(0, end))).toBeUndefined();
    const read = readSaslMessage(bytes)!;
    expect(read.message.status).toBe(SaslStatus.OK);
    expect(read.message.payload.toString()).toBe('token');
    expect([...read.rest]).toEqual([1, 2]);
  });

  it('refuses a status that is not SASL (a Thrift reply starts with 0x80) and an oversized payload', () => {
    expect(() => readSaslMessage(Buffer.from([0x80, 0x01, 0, 2]))).toThrow(SaslProtocolError);
    expect(() => readSaslMessage(Buffer.from([2, 0x7f, 0, 0, 0]))).toThrow(/payload of \d+ bytes/);
  });
});

describe('the protection level (qop against the metastore\'s offer)', () => {
  it('accepts qop when offered, and says which side wants what otherwise', () => {
    expect(protectionMismatch(0b111, 'auth-int')).toBeUndefined();
    expect(protectionMismatch(0b100, 'auth-conf')).toBeUndefined();
    expect(protectionMismatch(0b100, 'auth')).toMatchObject({ message: 'the metastore requires privacy (auth-conf); qop is auth', hint: expect.stringMatching(/^set auth\.qop to auth-conf/) });
    expect(protectionMismatch(0b110, 'auth')?.message).toBe('the metastore requires integrity (auth-int) or privacy (auth-conf); qop is auth');
    expect(protectionMismatch(0b001, 'auth-conf')?.message).toBe('the metastore offers only authentication (auth); qop is auth-conf');
    expect(protectionMismatch(0b101, 'auth-int')?.message).toBe('the metastore offers authentication (auth) or privacy (auth-conf); qop is auth-int');
  });
});

describe('what a peer\'s first bytes say', () => {
  it('names SASL (with its reason), TLS, HTTP and plain Thrift', () => {
    expect(describePeerBytes(encodeSaslMessage(SaslStatus.ERROR, Buffer.from('Invalid status -128')))?.speaks).toBe('SASL ("Invalid status -128")');
    expect(describePeerBytes(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32]))?.speaks).toBe('TLS');
    expect(describePeerBytes(Buffer.from('HTTP/1.1 400 Bad Request\r\n'))?.speaks).toBe('HTTP');
    expect(describePeerBytes(Buffer.from([0x80, 0x01, 0x00, 0x02]))?.hint).toMatch(/auth to \{ type: none \}/);
    expect(describePeerBytes(Buffer.from([0x00, 0x00]))).toBeUndefined();
  });
});

describe('SASL data frames (no security layer)', () => {
  async function pair(): Promise<{ client: Socket; server: Socket; close: () => void }> {
    const listener = createServer();
    const accepted = new Promise<Socket>((resolve) => listener.once('connection', resolve));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const client = connect((listener.address() as { port: number }).port, '127.0.0.1');
    const server = await accepted;
    return { client, server, close: () => (client.destroy(), server.destroy(), listener.close()) };
  }

  it('frames writes, and joins frames that arrive a byte at a time', async () => {
    const { client, server, close } = await pair();
    const channel = new SaslChannel(client, undefined, 1024, 'thrift://test', Buffer.from(encodeFrame(Buffer.from('early'))));
    const received: string[] = [];
    channel.on('data', (data: Buffer) => received.push(data.toString()));
    const sent: Buffer[] = [];
    server.on('data', (chunk: Buffer) => sent.push(chunk));
    channel.write(Buffer.from('call'));
    const frames = Buffer.concat([encodeFrame(Buffer.from('reply-1')), encodeFrame(Buffer.from('reply-2'))]);
    for (const byte of frames) server.write(Buffer.from([byte]));
    await expect.poll(() => received).toEqual(['early', 'reply-1', 'reply-2']);
    await expect.poll(() => Buffer.concat(sent).equals(encodeFrame(Buffer.from('call')))).toBe(true);
    close();
  });

  it('fails on a frame over the limit', async () => {
    const { client, server, close } = await pair();
    const channel = new SaslChannel(client, undefined, 16, 'thrift://test', Buffer.alloc(0));
    const errors: Error[] = [];
    channel.on('error', (error: Error) => errors.push(error));
    server.write(encodeFrame(Buffer.alloc(17)));
    await expect.poll(() => errors.map((e) => e.message)).toEqual(['thrift://test sent a SASL frame of 17 bytes, over the 16-byte limit']);
    close();
  });
});

describe('Kerberos names', () => {
  it('_HOST is the host of the uri, lower-cased', () => {
    expect(servicePrincipalFor('hive/_HOST@EXAMPLE.COM', 'HMS-1.Example.com')).toBe('hive/hms-1.example.com@EXAMPLE.COM');
    expect(servicePrincipalFor('hive/hms.example.com@EXAMPLE.COM', 'other')).toBe('hive/hms.example.com@EXAMPLE.COM');
  });

  it('reads the principals of a keytab written by ktutil', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pm-keytab-')), 'two.keytab');
    const script = ['addent -password -p svc@EXAMPLE.COM -k 3 -e aes256-cts-hmac-sha1-96', 'secret-1', 'addent -password -p hive/hms-1.example.com@EXAMPLE.COM -k 1 -e aes128-cts-hmac-sha1-96', 'secret-2', `wkt ${file}`, 'quit', ''].join('\n');
    execFileSync(command('ktutil'), { input: script });
    expect(keytabPrincipals(file)).toEqual(['svc@EXAMPLE.COM', 'hive/hms-1.example.com@EXAMPLE.COM']);
    expect(() => keytabPrincipals(__filename)).toThrow(/not a Kerberos keytab/);
  });
});

describe('metastore uris and the keys tied to them', () => {
  it('parses thrift and http(s) uris (Hive\'s default HTTP path)', () => {
    expect(parseHmsUri('thrift://hms-1')).toMatchObject({ scheme: 'thrift', host: 'hms-1', port: 9083 });
    expect(parseHmsUri('https://hms.example.com:9001')).toMatchObject({ scheme: 'https', port: 9001, url: 'https://hms.example.com:9001/metastore' });
    expect(parseHmsUri('http://gw:8080/gateway/hms?x=1')).toMatchObject({ url: 'http://gw:8080/gateway/hms?x=1' });
    expect(parseHmsUri('thrift://hms/path')).toBeUndefined();
  });

  const polaris = { uri: 'http://127.0.0.1:8181/api/catalog', auth: { token: 'tok' } };
  const issues = (source: Record<string, unknown>) =>
    (configSchema.safeParse({ polaris, sources: [{ name: 'hms', type: 'hive', target: { catalog: 'c' }, ...source }] }).error?.issues ?? []).map((i) => `${i.path.slice(2).join('.')}: ${i.message}`);
  const kerberos = { type: 'kerberos', servicePrincipal: 'hive/_HOST@EXAMPLE.COM', principal: 'svc@EXAMPLE.COM', keytab: '/etc/svc.keytab', qop: 'auth-conf' };

  it('accepts the documented set-ups', () => {
    expect(issues({ uris: ['thrift://hms-1:9083'], auth: kerberos, tls: { caFile: './ca.pem' } })).toEqual([]);
    expect(issues({ uris: ['thrift://hms-1:9083'], auth: { type: 'kerberos', servicePrincipal: 'hive/_HOST@EXAMPLE.COM' } })).toEqual([]);
    expect(issues({ uris: ['thrift://hms-1:9083'], auth: { type: 'plain', username: 'svc', password: 'pw' } })).toEqual([]);
    expect(issues({ uris: ['https://hms:9001/metastore'], auth: { type: 'bearer', token: 't' }, headers: { 'X-Databricks-Unity-Catalog-Name': 'main' } })).toEqual([]);
  });

  it('says what does not fit', () => {
    expect(issues({ uris: ['https://hms/metastore'], auth: kerberos })).toEqual(['auth.type: kerberos authenticates with SASL on thrift:// uris; Thrift over HTTP takes bearer (or none)']);
    expect(issues({ uris: ['thrift://hms'], auth: { type: 'bearer', token: 't' } })).toEqual(['auth.type: bearer is for http(s):// uris (Thrift over HTTP); a thrift:// metastore takes kerberos, plain or none']);
    expect(issues({ uris: ['thrift://hms'], headers: { a: 'b' } })).toEqual(['headers: headers are sent on http(s):// uris only']);
    expect(issues({ uris: ['thrift://a', 'http://b/metastore'] })).toEqual(['uris: uris mix thrift:// and http(s):// addresses: list the metastores of one transport mode']);
    expect(issues({ uris: ['http://b/metastore'], transport: 'framed' })).toEqual(['transport: Thrift over HTTP has no framing: remove transport (it applies to thrift:// uris)']);
    expect(issues({ uris: ['thrift://hms'], auth: { ...kerberos, qop: 'privacy' } })[0]).toMatch(/qop must be auth, auth-int or auth-conf/);
    expect(issues({ uris: ['thrift://hms'], auth: { ...kerberos, servicePrincipal: 'hive' } })[0]).toMatch(/servicePrincipal: must be the metastore's principal, service\/host@REALM/);
    expect(issues({ uris: ['thrift://hms'], auth: { type: 'kerberos', servicePrincipal: 'hive/_HOST', keytab: '/k' } })).toEqual(['auth.principal: principal is required with keytab (the keytab may hold several)']);
    expect(issues({ uris: ['thrift://hms'], auth: { type: 'ldap' } })[0]).toMatch(/auth.type must be none, kerberos, plain or bearer/);
  });
});
