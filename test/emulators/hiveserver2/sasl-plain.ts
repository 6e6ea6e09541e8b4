// The SASL side of HiveServer2's binary transport with PLAIN (LDAP/CUSTOM) authentication, as Thrift's
// TSaslServerTransport speaks it: messages of <status byte><4-byte length><payload>; the client sends
// START "PLAIN", then OK "authzid\0user\0password"; the server answers COMPLETE, or BAD with a reason
// and closes. After COMPLETE every Thrift message travels in a 4-byte length frame.
import type { Socket } from 'node:net';

export const SaslStatus = { START: 1, OK: 2, BAD: 3, ERROR: 4, COMPLETE: 5 } as const;

const MAX_SASL_MESSAGE = 64 * 1024;

export function saslMessage(status: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header[0] = status;
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

/**
 * Runs the handshake on a fresh socket. Resolves with the authenticated user and any bytes that came
 * after the last SASL message (the first Thrift frame), or undefined when the client was refused.
 */
export function acceptSaslPlain(socket: Socket, check: (user: string, password: string) => boolean): Promise<{ user: string; rest: Buffer } | undefined> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const messages: Array<{ status: number; payload: Buffer }> = [];
    const refuse = (status: number, reason: string) => {
      socket.off('data', onData);
      socket.end(saslMessage(status, Buffer.from(reason)));
      resolve(undefined);
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 5) {
        const length = buffered.readUInt32BE(1);
        if (length > MAX_SASL_MESSAGE) return refuse(SaslStatus.ERROR, `SASL message of ${length} bytes is too large`);
        if (buffered.length < 5 + length) break;
        messages.push({ status: buffered[0]!, payload: buffered.subarray(5, 5 + length) });
        buffered = buffered.subarray(5 + length);
      }
      if (messages.length < 2) {
        if (messages[0] && (messages[0].status !== SaslStatus.START || messages[0].payload.toString() !== 'PLAIN')) {
          return refuse(SaslStatus.BAD, `Unsupported mechanism type ${messages[0].payload.toString()}`);
        }
        return;
      }
      const [, user = '', password = ''] = messages[1]!.payload.toString('utf8').split('\0');
      if (!check(user, password)) return refuse(SaslStatus.BAD, 'Error validating the login');
      socket.off('data', onData);
      socket.write(saslMessage(SaslStatus.COMPLETE, Buffer.alloc(0)));
      resolve({ user, rest: buffered });
    };
    socket.on('data', onData);
  });
}
