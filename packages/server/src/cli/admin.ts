/**
 * `npm run admin -- <username> [password]`: makes an existing user a global admin, or creates
 * the admin account when a password is given and the user does not exist. Uses the same
 * configuration (DATA_DIR / DATABASE_URL) as the server. The embedded database admits one
 * process at a time, so stop the server first in embedded mode (or use ADMIN_USERNAME and
 * ADMIN_PASSWORD at start instead).
 */
import { openStore } from "../adapters/sql/open-store.js";
import { hashPassword } from "../auth/passwords.js";
import { colorFor, parseUsername } from "../auth/users.js";
import { loadConfig } from "../config.js";

const [rawName, password] = process.argv.slice(2);
if (!rawName) {
  console.error("usage: npm run admin -- <username> [password]");
  process.exit(2);
}
const { username } = parseUsername(rawName);
const config = loadConfig();
const store = await openStore({
  dataDir: config.dataDir,
  databaseUrl: config.databaseUrl,
  fsync: config.embeddedFsync,
});
try {
  const user = await store.users.byUsername(username);
  if (user) {
    await store.users.setAdmin(user.id, true);
    console.log(`${username} is now an admin`);
  } else if (password !== undefined) {
    if (password.length < 8) throw new Error("password must be at least 8 characters");
    await store.users.create({
      id: crypto.randomUUID(),
      username,
      displayName: rawName,
      color: colorFor(username),
      passwordHash: await hashPassword(password),
      isAdmin: true,
      isGuest: false,
      createdAt: Date.now(),
    });
    console.log(`created admin ${username}`);
  } else {
    console.error(`no user ${username}: register first, or pass a password to create the admin`);
    process.exitCode = 1;
  }
} finally {
  await store.close();
}
