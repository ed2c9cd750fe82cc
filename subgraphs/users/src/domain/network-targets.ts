// the private-address policy is shared with ingest's feed fetcher, so it lives in the runtime
export { isPrivateAddress, isPrivateHost } from '@eventgraph/runtime';
