/**
 * Test servers see every client at 127.0.0.1: hundreds of connections, guests and logins from
 * "one address". The per-IP limits are raised for them, except where a test is about a limit
 * (it sets its own numbers).
 */
export const ONE_ADDRESS_LIMITS_ENV = {
  AUTH_PER_MINUTE: "100000",
  LOGIN_FAILURES_PER_IP_PER_DAY: "100000",
  GUESTS_PER_IP_PER_HOUR: "100000",
  GUEST_MESSAGES_PER_IP_PER_WINDOW: "1000000",
  CONNECTIONS_PER_IP: "100000",
  CONNECTS_PER_IP_PER_SEC: "100000",
} as const;
