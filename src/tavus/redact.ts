// Tavus echoes the callback URL, token included, in every body it sends (webhook_url, and callback_url
// in its API answers). A token is a credential: it must not be kept where users can read it, nor
// logged. Redacting keeps the text valid JSON (the token never holds quotes or backslashes).

const CALLBACK_PATH = /(\/webhooks\/tavus\/)[A-Za-z0-9_.~%-]+/g;
export const REDACTED = '[redacted]';

/** `text` without callback tokens: the one given (wherever it appears) and any in a callback path. */
export function redactCallbackTokens(text: string, token?: string): string {
  const withoutToken = token && token.length >= 16 ? text.split(token).join(REDACTED) : text;
  return withoutToken.replace(CALLBACK_PATH, `$1${REDACTED}`);
}
