// Why a command refused a request, in the domain's words. The HTTP edge maps each reason to a status
// in one table (src/http/rejections.ts); other callers (the CLI, reconciliation) read the reason.

export type Rejection =
  | { reason: 'token_required' }
  | { reason: 'token_invalid' }
  | { reason: 'token_expired' }
  | { reason: 'foreign_token' }
  | { reason: 'unknown_conversation'; conversationId: string }
  | { reason: 'invalid_value'; detail: string }
  | { reason: 'unknown_scenario'; scenarioId: string }
  | { reason: 'tavus_failed'; detail: string };

export type RejectionReason = Rejection['reason'];

/** What an operator or a caller is told; never a credential. */
export function describeRejection(r: Rejection): string {
  switch (r.reason) {
    case 'token_required':
      return 'callbacks must come on the callback_url this service gave Tavus';
    case 'token_invalid':
      return 'this callback URL is not one this service issued';
    case 'token_expired':
      return 'this callback URL has expired';
    case 'foreign_token':
      return 'this callback token belongs to another conversation';
    case 'unknown_conversation':
      return `unknown conversation ${r.conversationId}`;
    case 'invalid_value':
      return `the request could not be recorded: ${r.detail}`;
    case 'unknown_scenario':
      return `scenario ${r.scenarioId} does not exist`;
    case 'tavus_failed':
      return r.detail;
  }
}
