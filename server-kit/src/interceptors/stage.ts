import { ServerInterceptingCall, type Metadata, type ServerInterceptingCallInterface, type ServerInterceptor, type ServerMethodDefinition } from '@grpc/grpc-js';

export type StatusToSend = Parameters<ServerInterceptingCallInterface['sendStatus']>[0];

/** What one concern does with one call; every hook is optional. */
export interface StageCall {
  /** The call's first headers. Returns false once the stage ended the call (with `send`). */
  onMetadata?(metadata: Metadata): boolean;
  /** A request message. Returns false once the stage ended the call. */
  onMessage?(message: unknown): boolean;
  /**
   * Once per call: the status it ends with, or undefined when it ended without one passing
   * through here (the client cancelled, or grpc-js ended it itself).
   */
  onEnd?(sent: StatusToSend | undefined): void;
  /**
   * Read after `onMetadata` returned true: when set, the rest of the call — later stages' hooks,
   * the handler and everything it starts — runs inside it (a tracer's span context, say).
   */
  within?: RunWithin | undefined;
}

/** Runs `fn` inside some context of its own and returns what `fn` returns (e.g. `(fn) => context.with(ctx, fn)`). */
export type RunWithin = <T>(fn: () => T) => T;

/**
 * One concern of the kit, per call: its hooks, or undefined when the call does not concern it.
 * `send` ends the call with a status that every concern placed before this one still sees.
 */
export type Stage = (descriptor: ServerMethodDefinition<unknown, unknown>, call: ServerInterceptingCallInterface, send: (status: StatusToSend) => void) => StageCall | undefined;

const STAGE = Symbol('kit stage');

type StagedInterceptor = ServerInterceptor & { readonly [STAGE]?: Stage };

/**
 * A concern as an interceptor of its own. grpc-js charges a few microseconds per interceptor
 * layer and call, so a call the concern has no hooks for gets no layer (grpc-js needs only the
 * call interface back), and `compose` folds neighbouring kit interceptors into one layer.
 */
export function stageInterceptor(stage: Stage): ServerInterceptor {
  const interceptor = combined([stage]);
  return Object.assign(interceptor, { [STAGE]: stage });
}

/**
 * The same chain with every run of neighbouring kit interceptors folded into one layer: each
 * concern sees the same events in the same order as it would in a layer of its own (incoming in
 * list order, the ending status in reverse order). Other interceptors keep their place.
 */
export function compose(interceptors: readonly ServerInterceptor[]): ServerInterceptor[] {
  const out: ServerInterceptor[] = [];
  let run: Stage[] = [];
  const flush = () => {
    if (run.length === 1) out.push(stageInterceptor(run[0]!));
    else if (run.length > 1) out.push(combined(run));
    run = [];
  };
  for (const interceptor of interceptors) {
    const stage = (interceptor as StagedInterceptor)[STAGE];
    if (stage) run.push(stage);
    else {
      flush();
      out.push(interceptor);
    }
  }
  flush();
  return out;
}

function combined(stages: readonly Stage[]): ServerInterceptor {
  return (descriptor, call) => {
    let self: ServerInterceptingCall | undefined;
    const send = (status: StatusToSend) => self!.sendStatus(status);
    const hooks: StageCall[] = [];
    for (const stage of stages) {
      const h = stage(descriptor, call, send);
      if (h) hooks.push(h);
    }
    if (hooks.length === 0) return call as ServerInterceptingCall;
    self = layer(call, hooks);
    return self;
  };
}

function layer(call: ServerInterceptingCallInterface, hooks: readonly StageCall[]): ServerInterceptingCall {
  let ended = false;
  const end = (sent: StatusToSend | undefined) => {
    if (ended) return;
    ended = true;
    for (let i = hooks.length - 1; i >= 0; i--) hooks[i]!.onEnd?.(sent);
  };
  let onMetadata = false;
  let onMessage = false;
  let mayWrap = false;
  for (const h of hooks) {
    onMetadata ||= h.onMetadata !== undefined;
    onMessage ||= h.onMessage !== undefined;
    mayWrap ||= 'within' in h;
  }
  // Set once the first headers were read, when a stage asked for the rest of the call to run inside it.
  let within: RunWithin | undefined;
  const deliverMessage = (message: unknown, nextMessage: (message: unknown) => void) => {
    for (const h of hooks) if (h.onMessage && !h.onMessage(message)) return;
    nextMessage(message);
  };
  // From hook `from` on; a stage that sets `within` has the hooks after it (and the handler) run inside it.
  const receiveMetadata = (from: number, metadata: Metadata, nextMetadata: (metadata: Metadata) => void): void => {
    for (let i = from; i < hooks.length; i++) {
      const h = hooks[i]!;
      if (h.onMetadata && !h.onMetadata(metadata)) return;
      const wrap = h.within;
      if (wrap) {
        const outer = within;
        within = outer ? (fn) => outer(() => wrap(fn)) : wrap;
        return wrap(() => receiveMetadata(i + 1, metadata, nextMetadata));
      }
    }
    nextMetadata(metadata);
  };
  return new ServerInterceptingCall(call, {
    start(next) {
      next({
        onReceiveMetadata: !onMetadata ? undefined : (metadata, nextMetadata) => receiveMetadata(0, metadata, nextMetadata),
        onReceiveMessage: mayWrap
          ? (message, nextMessage) => (within ? within(() => deliverMessage(message, nextMessage)) : deliverMessage(message, nextMessage))
          : !onMessage
            ? undefined
            : deliverMessage,
        onReceiveHalfClose: mayWrap ? (nextHalfClose) => (within ? within(nextHalfClose) : nextHalfClose()) : undefined,
        onCancel: () => (within ? within(() => end(undefined)) : end(undefined)),
      });
    },
    sendStatus(status, next) {
      end(status);
      next(status);
    },
  });
}
