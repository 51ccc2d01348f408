/**
 * The benchmark's baseline: a bare grpc-js server (no interceptor, no I/O, no logging) that
 * answers the benchmarked read paths by echoing the request bytes. Everything business-svc does
 * on top of grpc-js itself shows up as its ratio to this server, measured in the same run.
 * Prints `{"msg":"listening","port":N}` like the services, so spawnService can start it.
 */
import { Server, ServerCredentials, type ServiceDefinition, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { DashboardServiceService } from '../../gen/business/v1/dashboard_service.js';
import { NotesServiceService } from '../../gen/business/v1/notes_service.js';

const identity = (b: Buffer) => b;
const echo = (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => callback(null, call.request);
const PATHS = [NotesServiceService.getNote.path, DashboardServiceService.getDashboard.path];

const definition: ServiceDefinition = Object.fromEntries(
  PATHS.map((path) => [
    path,
    { path, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
  ]),
);
const server = new Server();
server.addService(definition, Object.fromEntries(PATHS.map((p) => [p, echo])));
server.bindAsync(`127.0.0.1:${process.env.ECHO_PORT ?? '0'}`, ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port })}\n`);
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
