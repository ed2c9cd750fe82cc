export { startTracing, tracerFor, tracingConfig, tracingEnabled, type Tracing, type TracingConfig } from './tracing';
export {
  eventTraceparent,
  nameGraphQLSpan,
  traceEventHandling,
  traceHttpRequest,
  traceOutgoingRequest,
  traceStatement,
} from './spans';
