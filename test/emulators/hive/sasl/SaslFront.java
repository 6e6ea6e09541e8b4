// The SASL side of a secured Hive Metastore, for tests: what TSaslServerTransport does inside a real
// metastore (hive.metastore.sasl.enabled=true), in front of the Thrift emulator. It negotiates SASL
// with the JDK's own GSSAPI server (javax.security.sasl, Kerberos from a keytab: what a metastore runs)
// or PLAIN (checked like Hive's PlainSaslServer checks an LDAP user), then relays each connection to
// the emulator: incoming frames are unwrapped (auth-int, auth-conf) before the emulator sees them, and
// the emulator's replies are wrapped into frames. Compiled with javac at test time (no build tool).
//
// Arguments: key=value — mech=GSSAPI|PLAIN, backend=host:port, qop=auth-conf[,auth-int,auth] (GSSAPI),
// principal=hive/host@REALM and keytab=path (GSSAPI), user= and password= (PLAIN), port= (default any).
// Prints one JSON line per event on stdout: listening, authenticated, rejected. Reads commands on
// stdin: "drop" closes every client connection (a metastore restart); end of input exits.
import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;
import java.security.PrivilegedExceptionAction;
import java.util.*;
import java.util.concurrent.ConcurrentHashMap;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.LoginContext;
import javax.security.sasl.*;

public final class SaslFront {
  static final int START = 1, OK = 2, BAD = 3, ERROR = 4, COMPLETE = 5;
  static final Map<String, String> options = new HashMap<>();
  static final Set<Socket> clients = ConcurrentHashMap.newKeySet();
  static Subject service;

  public static void main(String[] args) throws Exception {
    for (String arg : args) {
      int eq = arg.indexOf('=');
      options.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    if (options.get("mech").equals("GSSAPI")) service = login();
    ServerSocket server = new ServerSocket(Integer.parseInt(options.getOrDefault("port", "0")), 50, InetAddress.getByName("127.0.0.1"));
    emit("{\"event\":\"listening\",\"port\":" + server.getLocalPort() + "}");
    Thread control = new Thread(() -> {
      try {
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = commands.readLine()) != null; ) {
          if (line.equals("drop")) for (Socket client : clients) close(client);
          emit("{\"event\":\"done\",\"command\":" + json(line) + "}");
        }
      } catch (IOException e) {
        // the test ended
      }
      System.exit(0);
    });
    control.setDaemon(true);
    control.start();
    for (;;) {
      Socket client = server.accept();
      clients.add(client);
      new Thread(() -> serve(client)).start();
    }
  }

  /** The metastore's own login: its service principal's keys from the keytab, as an acceptor. */
  static Subject login() throws Exception {
    Map<String, String> krb5 = new HashMap<>();
    krb5.put("useKeyTab", "true");
    krb5.put("keyTab", options.get("keytab"));
    krb5.put("principal", options.get("principal"));
    krb5.put("storeKey", "true");
    krb5.put("isInitiator", "false");
    krb5.put("doNotPrompt", "true");
    Configuration configuration = new Configuration() {
      @Override
      public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
        return new AppConfigurationEntry[] {
          new AppConfigurationEntry("com.sun.security.auth.module.Krb5LoginModule", AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, krb5)
        };
      }
    };
    LoginContext context = new LoginContext("metastore", new Subject(), null, configuration);
    context.login();
    return context.getSubject();
  }

  static void serve(Socket client) {
    try {
      if (service == null) negotiateAndRelay(client);
      else Subject.doAs(service, (PrivilegedExceptionAction<Void>) () -> { negotiateAndRelay(client); return null; });
    } catch (Exception e) {
      // a connection that ended badly; the test sees it from the client side
    } finally {
      clients.remove(client);
      close(client);
    }
  }

  static void negotiateAndRelay(Socket client) throws Exception {
    DataInputStream in = new DataInputStream(new BufferedInputStream(client.getInputStream()));
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(client.getOutputStream()));
    int[] status = new int[1];
    byte[] payload = receive(in, out, status);
    if (status[0] != START) {
      refuse(out, ERROR, "Expecting START status, received " + status[0]);
      return;
    }
    String mechanism = new String(payload, StandardCharsets.UTF_8);
    if (!mechanism.equals(options.get("mech"))) {
      refuse(out, BAD, "Unsupported mechanism type " + mechanism);
      return;
    }
    SaslServer sasl = mechanism.equals("GSSAPI") ? gssapi() : new PlainServer(options.get("user"), options.get("password"));
    while (!sasl.isComplete()) {
      payload = receive(in, out, status);
      if (status[0] == BAD || status[0] == ERROR) {
        emit("{\"event\":\"rejected\",\"error\":" + json("the client gave up: " + new String(payload, StandardCharsets.UTF_8)) + "}");
        return;
      }
      if (status[0] != OK && status[0] != COMPLETE) {
        refuse(out, ERROR, "Expected COMPLETE or OK, got " + status[0]);
        return;
      }
      byte[] challenge;
      try {
        challenge = sasl.evaluateResponse(payload);
      } catch (SaslException e) {
        String cause = e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")";
        emit("{\"event\":\"rejected\",\"error\":" + json(e.getMessage() + cause) + "}");
        send(out, BAD, (e.getMessage() == null ? "SASL failure" : e.getMessage()).getBytes(StandardCharsets.UTF_8));
        return;
      }
      send(out, sasl.isComplete() ? COMPLETE : OK, challenge == null ? new byte[0] : challenge);
    }
    String qop = (String) sasl.getNegotiatedProperty(Sasl.QOP);
    boolean wrapped = qop != null && !qop.equals("auth");
    emit("{\"event\":\"authenticated\",\"mech\":" + json(mechanism) + ",\"user\":" + json(sasl.getAuthorizationID()) + ",\"qop\":" + json(qop == null ? "auth" : qop) + "}");
    String[] backend = options.get("backend").split(":");
    try (Socket metastore = new Socket(backend[0], Integer.parseInt(backend[1]))) {
      Thread replies = new Thread(() -> {
        try {
          InputStream from = metastore.getInputStream();
          byte[] buffer = new byte[65536];
          for (int n; (n = from.read(buffer)) > 0; ) {
            byte[] frame;
            synchronized (sasl) {
              frame = wrapped ? sasl.wrap(buffer, 0, n) : Arrays.copyOf(buffer, n);
            }
            synchronized (out) {
              out.writeInt(frame.length);
              out.write(frame);
              out.flush();
            }
          }
        } catch (IOException e) {
          // the metastore or the client went away
        } finally {
          close(client);
        }
      });
      replies.start();
      OutputStream to = metastore.getOutputStream();
      for (;;) {
        int length = in.readInt();
        if (length < 0 || length > 104857600) throw new IOException("Invalid frame length " + length);
        byte[] frame = new byte[length];
        in.readFully(frame);
        byte[] data;
        synchronized (sasl) {
          data = wrapped ? sasl.unwrap(frame, 0, length) : frame;
        }
        to.write(data);
        to.flush();
      }
    } catch (EOFException | SocketException e) {
      // connection closed
    }
  }

  static SaslServer gssapi() throws SaslException {
    Map<String, String> properties = new HashMap<>();
    properties.put(Sasl.QOP, options.getOrDefault("qop", "auth"));
    properties.put(Sasl.SERVER_AUTH, "true");
    String[] principal = options.get("principal").split("[/@]");
    return Sasl.createSaslServer("GSSAPI", principal[0], principal[1], properties, callbacks -> {
      for (Callback callback : callbacks) {
        if (callback instanceof AuthorizeCallback) {
          AuthorizeCallback authorize = (AuthorizeCallback) callback;
          authorize.setAuthorized(authorize.getAuthenticationID().equals(authorize.getAuthorizationID()));
          if (authorize.isAuthorized()) authorize.setAuthorizedID(authorize.getAuthorizationID());
        }
      }
    });
  }

  /** One negotiation message; an invalid status is refused as TSaslTransport refuses it. */
  static byte[] receive(DataInputStream in, DataOutputStream out, int[] status) throws IOException {
    byte statusByte = in.readByte();
    if (statusByte < START || statusByte > COMPLETE) {
      refuse(out, ERROR, "Invalid status " + statusByte);
      throw new EOFException();
    }
    status[0] = statusByte;
    int length = in.readInt();
    if (length < 0 || length > 104857600) {
      refuse(out, ERROR, "Invalid payload header length: " + length);
      throw new EOFException();
    }
    byte[] payload = new byte[length];
    in.readFully(payload);
    return payload;
  }

  static void refuse(DataOutputStream out, int status, String reason) throws IOException {
    emit("{\"event\":\"rejected\",\"error\":" + json(reason) + "}");
    send(out, status, reason.getBytes(StandardCharsets.UTF_8));
  }

  static void send(DataOutputStream out, int status, byte[] payload) throws IOException {
    synchronized (out) {
      out.writeByte(status);
      out.writeInt(payload.length);
      out.write(payload);
      out.flush();
    }
  }

  static synchronized void emit(String line) {
    System.out.println(line);
    System.out.flush();
  }

  static String json(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : String.valueOf(text).toCharArray()) {
      if (c == '"' || c == '\\') quoted.append('\\').append(c);
      else if (c < 0x20) quoted.append(String.format("\\u%04x", (int) c));
      else quoted.append(c);
    }
    return quoted.append('"').toString();
  }

  static void close(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  /** RFC 4616 PLAIN as Hive's PlainSaslServer reads it: [authzid] \0 authcid \0 password. */
  static final class PlainServer implements SaslServer {
    private final String user;
    private final String password;
    private String authorizationId;

    PlainServer(String user, String password) {
      this.user = user;
      this.password = password;
    }

    public String getMechanismName() { return "PLAIN"; }

    public byte[] evaluateResponse(byte[] response) throws SaslException {
      String[] tokens = new String(response, StandardCharsets.UTF_8).split("\u0000", -1);
      if (tokens.length != 3) throw new SaslException("Invalid message format");
      if (!tokens[1].equals(user) || !tokens[2].equals(password)) throw new SaslException("Error validating the login");
      authorizationId = tokens[0].isEmpty() ? tokens[1] : tokens[0];
      return null;
    }

    public boolean isComplete() { return authorizationId != null; }
    public String getAuthorizationID() { return authorizationId; }
    public byte[] unwrap(byte[] bytes, int offset, int length) { throw new IllegalStateException("PLAIN has no security layer"); }
    public byte[] wrap(byte[] bytes, int offset, int length) { throw new IllegalStateException("PLAIN has no security layer"); }
    public Object getNegotiatedProperty(String name) { return Sasl.QOP.equals(name) ? "auth" : null; }
    public void dispose() {}
  }
}
