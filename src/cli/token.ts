import { loadConfig } from '../config.js';
import { issueServiceRoleToken, issueUserToken } from '../http/auth.js';
import { UsageError } from './usage.js';

/**
 * `tavus-feedback token`: a JWT signed with AUTH_JWT_SECRET (or the development secret), for local
 * use: a user's (`sub` = the user, `aud` = AUTH_JWT_AUDIENCE), or the operator's (`role: service_role`).
 */
export async function printToken(who: { user?: string; serviceRole?: boolean }, expires: string): Promise<void> {
  if (Boolean(who.serviceRole) === (who.user !== undefined)) throw new UsageError('token needs either --user <uuid> or --service-role');
  const config = loadConfig();
  if (config.authJwksUrl && !config.authJwtSecret) {
    throw new UsageError(
      'with AUTH_JWKS_URL and no AUTH_JWT_SECRET the service accepts no HS256 token, and this command signs only those; set AUTH_JWT_SECRET',
    );
  }
  // Loaded here, not above, so that --help need not load the whole service.
  const { resolveJwtSecret } = await import('../main.js');
  const secret = await resolveJwtSecret(config);
  console.log(who.serviceRole ? await issueServiceRoleToken(secret, expires) : await issueUserToken(secret, who.user!, expires, config.authJwtAudience));
}
