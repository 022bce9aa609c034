import { loadConfig } from '../config.js';
import { issueUserToken } from '../http/auth.js';

/** `tavus-feedback token`: a user JWT signed with AUTH_JWT_SECRET (or the development secret), for local use. */
export async function printToken(user: string, expires: string): Promise<void> {
  // Loaded here, not above, so that --help need not load the whole service.
  const { resolveJwtSecret } = await import('../main.js');
  const secret = await resolveJwtSecret(loadConfig());
  console.log(await issueUserToken(secret, user, expires));
}
