/**
 * SMB2 TREE_DISCONNECT (MS-SMB2 §2.2.11/§2.2.12, §3.3.5.8): StructureSize 4 both ways. Closes
 * the opens made through the tree (delete-on-close runs) and forgets the TreeId.
 */
import { closeOpensWhere } from '../close-open';
import { type CommandContext, responseBody, type SmbCommand, type SmbResponse, treeOf } from './command';

export const treeDisconnect: SmbCommand = {
  name: 'TREE_DISCONNECT',
  structureSize: 4,
  needs: 'tree',
  async run(ctx: CommandContext): Promise<SmbResponse> {
    const tree = treeOf(ctx);
    tree.session.trees.delete(tree.id);
    // Durable opens too (smb2.durable-open.reopen3: no reconnect after a tree disconnect).
    await closeOpensWhere(ctx.server, (o) => o.tree === tree, ctx.log, false);
    return { body: responseBody(4) };
  },
};
