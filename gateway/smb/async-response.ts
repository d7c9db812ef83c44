/**
 * A final response to a request that went async (MS-SMB2 §3.3.4.4): sent later, on its own, in
 * the async header form under the AsyncId the interim STATUS_PENDING response gave; it grants
 * no credits and is signed when the request's session signs.
 */
import type { Smb2Command } from './header';
import { encodeResponses } from './response-frame';
import type { SmbSession } from './session';

/** Where an async response goes: the connection's frame sender (a no-op once it is gone). */
export interface AsyncSink {
  send(payload: Buffer): void;
}

/** What a parked request must remember to be answered later. */
export interface AsyncRequest {
  readonly sink: AsyncSink;
  readonly command: Smb2Command;
  readonly asyncId: bigint;
  readonly messageId: bigint;
  readonly sessionId: bigint;
  readonly creditCharge: number;
  readonly signer?: SmbSession;
}

export function sendAsyncResponse(p: AsyncRequest, status: number, body: Buffer): void {
  p.sink.send(
    encodeResponses([
      {
        header: {
          creditCharge: p.creditCharge,
          status,
          command: p.command,
          credits: 0,
          flags: 0,
          nextCommand: 0,
          messageId: p.messageId,
          processId: 0,
          treeId: 0,
          asyncId: p.asyncId,
          sessionId: p.sessionId,
        },
        body,
        ...(p.signer ? { signer: p.signer } : {}),
      },
    ]),
  );
}
