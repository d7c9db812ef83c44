import { attachNfsAdapter } from '../../adapters';
import { runAdapterContract } from './adapter.contract';

runAdapterContract('NFS adapter', (core, client, cache) => attachNfsAdapter(core, client, cache));
