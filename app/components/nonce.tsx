import { createContext, useContext } from "react";

/**
 * The Content-Security-Policy nonce of the response being rendered (server only). Remix's
 * inline scripts carry it so the browser runs them and nothing else inline. In the browser
 * it is empty: the nonce is needed only in the HTML the server sends.
 */
const NonceContext = createContext("");

export const NonceProvider = NonceContext.Provider;

export function useNonce(): string {
  return useContext(NonceContext);
}
