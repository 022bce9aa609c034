import { describeRejection, type Rejection, type RejectionReason } from '../commands/rejections.js';
import { HttpError } from './problems.js';

/** The one table from a command's reasons to HTTP statuses. */
const STATUS: Record<RejectionReason, number> = {
  token_required: 401,
  token_invalid: 401,
  token_expired: 401,
  foreign_token: 401,
  unknown_conversation: 404,
  invalid_value: 400,
  unknown_scenario: 422,
  tavus_failed: 502,
};

export function rejectionError(rejection: Rejection): HttpError {
  return new HttpError(STATUS[rejection.reason], describeRejection(rejection));
}
