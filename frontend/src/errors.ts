/** An error of the integration's API in the user's language. */
import type { HomeAssistant, WebsocketError } from "./types";

function isWebsocketError(error: unknown): error is WebsocketError {
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as WebsocketError).message === "string"
  );
}

/**
 * The integration translates its errors (translations/*.json, `exceptions`);
 * Home Assistant's frontend loads them on request. The English message the
 * server sent is the fallback.
 */
export async function errorMessage(hass: HomeAssistant, error: unknown): Promise<string> {
  if (!isWebsocketError(error)) return String(error);
  const { translation_domain: domain, translation_key: key } = error;
  if (domain && key) {
    try {
      const localize = await hass.loadBackendTranslation("exceptions", domain);
      const text = localize(
        `component.${domain}.exceptions.${key}.message`,
        error.translation_placeholders ?? {},
      );
      if (text) return text;
    } catch {
      // No translations to be had: the server's English message will do.
    }
  }
  return error.message;
}
