import { credentials, Metadata, makeGenericClientConstructor } from '@grpc/grpc-js';

/**
 * One unary call with an empty request from a process of its own: `probe-cli <address> <method
 * path> [token]` prints the milliseconds it took, or fails. Floods run in the test's process,
 * so a probe there would measure the attacker's own event loop, not the server.
 */
const [address, path, token] = process.argv.slice(2);
const identity = (b: Buffer) => b;
const Client = makeGenericClientConstructor({ call: { path: path!, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } }, 'Probe');
const client = new Client(address!, credentials.createInsecure());
const metadata = new Metadata();
if (token) metadata.set('authorization', `Bearer ${token}`);
const started = performance.now();
client.makeUnaryRequest(path!, identity, identity, Buffer.alloc(0), metadata, { deadline: Date.now() + 10_000 }, (err) => {
  if (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${(performance.now() - started).toFixed(1)}\n`);
  client.close();
});
