import { status, type Metadata, type ServerInterceptingCallInterface, type ServerInterceptor } from '@grpc/grpc-js';
import { peekCallFacts } from '../call-facts.js';
import { principalOf } from '../call-identity.js';
import { stageInterceptor, type RunWithin, type StageCall } from '../interceptors/stage.js';
import type { RpcEnd, RpcObserver, RpcStart } from './observer.js';

/**
 * Runs observers around every call: place it first, so it sees the calls that limits or
 * authentication refuse (an observer placed after authentication never sees a refused call).
 * The code an observer gets is the status sent; for calls grpc-js ends by itself without an
 * interceptor seeing a status it is DEADLINE_EXCEEDED once the deadline has passed, the status
 * a live stream's reset stands for, and CANCELLED otherwise (the client went away).
 */
export function observabilityInterceptor(...observers: readonly RpcObserver[]): ServerInterceptor {
  const observer = observers.length === 1 ? observers[0]! : combined(observers);
  return stageInterceptor((descriptor, call) => {
    const started = performance.now();
    let metadata: Metadata | undefined;
    let onEnd: ((end: RpcEnd) => void) | undefined;
    const hooks: StageCall = {
      // Set by an observer's `runWithin` (a tracer's span context): the rest of the call runs inside it.
      within: undefined,
      onMetadata(received) {
        metadata = received;
        onEnd = observer.start(startOf(descriptor, received, call, (wrap) => {
          const outer = hooks.within;
          hooks.within = outer ? (fn) => outer(() => wrap(fn)) : wrap;
        }));
        return true;
      },
      onEnd(sent) {
        if (!onEnd) return;
        const facts = metadata && peekCallFacts(metadata);
        const principal = metadata && principalOf({ metadata });
        onEnd({
          code: sent?.code ?? endedWithoutStatus(call, metadata),
          details: sent?.details ?? 'call ended without a status',
          seconds: (performance.now() - started) / 1000,
          principal,
          refusal: facts?.refusal,
          decision: facts?.refusal ? 'refused' : principal || facts?.publicAccess ? 'allowed' : undefined,
          refusedPrincipal: facts?.refusedPrincipal,
        });
      },
    };
    return hooks;
  });
}

function startOf(
  descriptor: { path: string; requestStream: boolean; responseStream: boolean },
  metadata: Metadata,
  call: ServerInterceptingCallInterface,
  runWithin: (wrap: RunWithin) => void,
): RpcStart {
  const type = descriptor.requestStream ? (descriptor.responseStream ? 'bidi_stream' : 'client_stream') : descriptor.responseStream ? 'server_stream' : 'unary';
  return {
    method: descriptor.path,
    type,
    metadata,
    header: (key) => (key.toLowerCase() === 'authorization' ? [] : metadata.get(key)),
    peer: () => call.getPeer(),
    runWithin,
  };
}

function endedWithoutStatus(call: ServerInterceptingCallInterface, metadata: Metadata | undefined): status {
  const recorded = metadata && peekCallFacts(metadata)?.endedWith;
  if (recorded !== undefined) return recorded;
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  return deadlineMs <= Date.now() ? status.DEADLINE_EXCEEDED : status.CANCELLED;
}

function combined(observers: readonly RpcObserver[]): RpcObserver {
  return {
    start(call) {
      const ends = observers.map((o) => o.start(call)).filter((end) => end !== undefined);
      if (ends.length === 0) return undefined;
      return (end) => {
        for (const e of ends) e(end);
      };
    },
  };
}
