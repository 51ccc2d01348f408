/** Live streams are the kit's; our services' handlers import them from here. */
export { liveStream, OpenStreams, QUEUED_MESSAGE_OVERHEAD_BYTES, type LiveStreamLimits } from '@grpc-token-auth/server-kit';
