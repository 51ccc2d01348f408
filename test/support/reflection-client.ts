import { credentials } from '@grpc/grpc-js';
import {
  ServerReflectionClient as V1Client,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
} from '../../gen/grpc/reflection/v1/reflection.js';
import { ServerReflectionClient as V1AlphaClient } from '../../gen/grpc/reflection/v1alpha/reflection.js';

export type ReflectionVersion = 'v1' | 'v1alpha';

/** A minimal reflection client, used the way grpcurl does: list services, then fetch files by symbol or name. */
export class ReflectionClient {
  private readonly client: V1Client;

  constructor(address: string, version: ReflectionVersion) {
    // The two versions share message shapes; only the service name differs.
    this.client = version === 'v1' ? new V1Client(address, credentials.createInsecure()) : (new V1AlphaClient(address, credentials.createInsecure()) as unknown as V1Client);
  }

  private ask(request: Partial<ServerReflectionRequest>): Promise<ServerReflectionResponse> {
    return new Promise((resolve, reject) => {
      const stream = this.client.serverReflectionInfo();
      stream.once('data', (res: ServerReflectionResponse) => {
        resolve(res);
        stream.end();
      });
      stream.once('error', reject);
      stream.write({ host: '', ...request });
    });
  }

  async listServices(): Promise<string[]> {
    const res = await this.ask({ listServices: '' });
    return res.listServicesResponse!.service.map((s) => s.name);
  }

  /** Serialized FileDescriptorProtos, or throws with the server's error. */
  async files(request: { fileContainingSymbol: string } | { fileByFilename: string }): Promise<Buffer[]> {
    const res = await this.ask(request);
    if (res.errorResponse) throw new Error(`${JSON.stringify(request)}: ${res.errorResponse.errorMessage}`);
    return res.fileDescriptorResponse!.fileDescriptorProto;
  }

  close(): void {
    this.client.close();
  }
}
