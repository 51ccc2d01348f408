import { Metadata, type CallOptions, type ServiceError } from '@grpc/grpc-js';

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (err: ServiceError | null, res?: Res) => void,
) => unknown;

/** Promise form of a generated unary method: `await unaryCall(client, client.getDashboard, {})`. */
export function unaryCall<Req, Res>(
  client: object,
  method: UnaryMethod<Req, Res>,
  request: Req,
  options: { metadata?: Metadata; callOptions?: Partial<CallOptions> } = {},
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, request, options.metadata ?? new Metadata(), options.callOptions ?? {}, (err, res) =>
      err ? reject(err) : resolve(res as Res),
    );
  });
}
