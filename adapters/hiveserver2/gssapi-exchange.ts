import type { IKerberosAuthProcess } from 'hive-driver/dist/connection/contracts/IKerberosAuthProcess.js';
import type { KerberosLogin } from '../hive/kerberos/kerberos-login.js';
import { GssapiMechanism } from '../hive/transport/sasl/gssapi-mechanism.js';

/** IKerberosAuthProcess.getQOP's value for plain authentication (hive-driver's QOP.AUTH). */
const QOP_AUTH = 1;

/**
 * hive-driver's Kerberos hook (the shape of the `kerberos` package's SASL steps: base64 tokens in
 * and out) over the hive source's SASL GSSAPI mechanism and its MIT libgssapi login — the same
 * exchange a secured metastore takes, so both sources share one Kerberos implementation. Only
 * `auth` protection: hive-driver writes frames as they are, it cannot wrap them (auth-int, auth-conf).
 */
export function gssapiExchange(login: KerberosLogin, servicePrincipal: string, where: string): IKerberosAuthProcess {
  const mechanism = new GssapiMechanism(login, servicePrincipal, 'auth', where);
  let started = false;
  return {
    init: (_options: unknown, done: (error: unknown, client?: unknown) => void) => done(null, {}),
    transition: (payload: string, done: (error: unknown, token?: string) => void) => {
      const step = started ? mechanism.evaluateChallenge(Buffer.from(payload, 'base64')) : mechanism.initialResponse();
      started = true;
      step.then(
        (token) => done(null, token.toString('base64')),
        (error: unknown) => {
          mechanism.dispose();
          done(error);
        },
      );
    },
    getQOP: () => QOP_AUTH,
  } as IKerberosAuthProcess;
}
