import { attachSmbAdapter } from '../../adapters';
import { runAdapterContract } from './adapter.contract';

runAdapterContract('SMB adapter', (core, client, cache) => attachSmbAdapter(core, client, cache));
