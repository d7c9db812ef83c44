/**
 * SMB2 LOGOFF (MS-SMB2 §2.2.7/§2.2.8, §3.3.5.6): StructureSize 4 both ways. Closes the
 * session's opens (delete-on-close runs), drops its tree connects and the session itself. The
 * response still carries the SessionId and is signed with the session's key when the request
 * was (the dispatcher holds the session until the response is out).
 */
import { closeOpensWhere } from '../close-open';
import { type CommandContext, responseBody, type SmbCommand, type SmbResponse, sessionOf } from './command';

export const logoff: SmbCommand = {
  name: 'LOGOFF',
  structureSize: 4,
  needs: 'session',
  async run(ctx: CommandContext): Promise<SmbResponse> {
    const session = sessionOf(ctx);
    ctx.conn.sessions.delete(session.id);
    if (ctx.server.sessions.get(session.id) === session) ctx.server.sessions.delete(session.id);
    session.trees.clear();
    await closeOpensWhere(ctx.server, (o) => o.session === session, ctx.log);
    return { body: responseBody(4) };
  },
};
